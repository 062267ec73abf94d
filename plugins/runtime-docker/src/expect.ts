/**
 * What Driftless set on a container, written into its `io.driftless.expect` label at creation and
 * compared with the container's inspect data on every fetch: the way hand edits are seen
 * (`docker update --memory`, a container re-created by hand with other env or another image).
 * Values are stored as short hashes, so the label never repeats an env value in clear, and
 * messages name what changed, never its value.
 */
import { createHash } from 'node:crypto';
import { formatBytes } from './units.js';

export interface Expectation {
  /** Image id the container was created from. */
  image: string;
  /** Every variable the container should have (the image's, overlaid with Driftless's): name → hash. */
  env: Record<string, string>;
  /** Only set when the spec overrides them. */
  entrypoint?: string;
  cmd?: string;
  memory: number;
  nanoCpus: number;
  restart: string;
  /** The user's labels (runtime config, compose, spec): name → hash. */
  labels: Record<string, string>;
  user?: string;
  workingDir?: string;
}

export const digestOf = (value: unknown) => createHash('sha256').update(typeof value === 'string' ? value : JSON.stringify(value ?? null)).digest('hex').slice(0, 12);

export function envMap(list: string[] | null | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of list ?? []) {
    const eq = entry.indexOf('=');
    out[eq < 0 ? entry : entry.slice(0, eq)] = eq < 0 ? '' : entry.slice(eq + 1);
  }
  return out;
}

export interface ExpectInput {
  imageId: string;
  imageEnv: string[];
  env: Record<string, string>;
  entrypoint?: string[];
  cmd?: string[];
  memory?: number;
  nanoCpus?: number;
  restart: string;
  labels: Record<string, string>;
  user?: string;
  workingDir?: string;
}

/** The daemon merges env like this: the image's variables, then the container's by name. */
export function expectation(input: ExpectInput): Expectation {
  const env = { ...envMap(input.imageEnv), ...input.env };
  return {
    image: input.imageId,
    env: Object.fromEntries(Object.entries(env).map(([k, v]) => [k, digestOf(v)])),
    ...(input.entrypoint ? { entrypoint: digestOf(input.entrypoint) } : {}),
    ...(input.cmd ? { cmd: digestOf(input.cmd) } : {}),
    memory: input.memory ?? 0,
    nanoCpus: input.nanoCpus ?? 0,
    restart: input.restart,
    labels: Object.fromEntries(Object.entries(input.labels).map(([k, v]) => [k, digestOf(v)])),
    ...(input.user ? { user: input.user } : {}),
    ...(input.workingDir ? { workingDir: input.workingDir } : {}),
  };
}

export function parseExpectation(label: string | undefined): Expectation | undefined {
  if (!label) return undefined;
  try {
    const e = JSON.parse(label) as Expectation;
    return typeof e === 'object' && e !== null && typeof e.image === 'string' && typeof e.env === 'object' ? e : undefined;
  } catch {
    return undefined;
  }
}

/** The parts of `docker inspect` that expectations speak about. */
export interface Actual {
  image: string;
  env: string[] | null;
  entrypoint: string[] | null;
  cmd: string[] | null;
  memory: number;
  nanoCpus: number;
  restart: string;
  labels: Record<string, string>;
  user: string;
  workingDir: string;
}

/** Pure: what differs, in words for a person ("env VERSION was changed"), [] when nothing. */
export function differences(expected: Expectation, actual: Actual): string[] {
  const out: string[] = [];
  if (actual.image !== expected.image) out.push(`it runs image ${short(actual.image)}, Driftless created it from ${short(expected.image)}`);
  const env = envMap(actual.env);
  const changed = Object.keys(expected.env).filter((k) => k in env && digestOf(env[k]!) !== expected.env[k]);
  const removed = Object.keys(expected.env).filter((k) => !(k in env));
  const added = Object.keys(env).filter((k) => !(k in expected.env));
  if (changed.length) out.push(`env ${changed.join(', ')} ${changed.length === 1 ? 'was' : 'were'} changed`);
  if (removed.length) out.push(`env ${removed.join(', ')} ${removed.length === 1 ? 'was' : 'were'} removed`);
  if (added.length) out.push(`env ${added.join(', ')} ${added.length === 1 ? 'was' : 'were'} added`);
  if (expected.entrypoint && digestOf(actual.entrypoint ?? []) !== expected.entrypoint) out.push('its entrypoint was changed');
  if (expected.cmd && digestOf(actual.cmd ?? []) !== expected.cmd) out.push('its command was changed');
  if (actual.memory !== expected.memory) out.push(`its memory limit is ${limit(actual.memory, formatBytes)}, Driftless set ${limit(expected.memory, formatBytes)}`);
  if (actual.nanoCpus !== expected.nanoCpus) out.push(`its CPU limit is ${limit(actual.nanoCpus, (n) => `${n / 1e9} CPUs`)}, Driftless set ${limit(expected.nanoCpus, (n) => `${n / 1e9} CPUs`)}`);
  if (actual.restart !== expected.restart) out.push(`its restart policy is "${actual.restart || 'no'}", Driftless set "${expected.restart}"`);
  const labelsChanged = Object.keys(expected.labels).filter((k) => actual.labels[k] === undefined || digestOf(actual.labels[k]!) !== expected.labels[k]);
  if (labelsChanged.length) out.push(`label ${labelsChanged.join(', ')} ${labelsChanged.length === 1 ? 'was' : 'were'} changed or removed`);
  if (expected.user && actual.user !== expected.user) out.push(`it runs as user "${actual.user}", Driftless set "${expected.user}"`);
  if (expected.workingDir && actual.workingDir !== expected.workingDir) out.push(`its working directory is ${actual.workingDir}, Driftless set ${expected.workingDir}`);
  return out;
}

function short(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 12);
}

function limit(n: number, format: (n: number) => string): string {
  return n === 0 ? 'none' : format(n);
}
