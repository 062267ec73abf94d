/**
 * Finding, loading and checking the author's conformance fixture, and turning it into the
 * TargetStates the kit applies. Every problem is one sentence naming the file and the field.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type {
  ConformanceFixture,
  ConformanceFixtureModule,
  ConformanceRelease,
  InstanceIdentity,
  TargetState,
} from '@driftless/plugin-sdk';

export const FIXTURE_FILES = ['driftless.fixture.json', 'driftless.fixture.mjs', 'driftless.fixture.js'];

const DEFAULT_INSTANCE: InstanceIdentity = {
  instanceId: 'conformance-instance',
  application: 'conformance',
  channel: 'test',
  service: 'svc',
  runtime: 'conformance',
};

/** The fixture made ready to drive a plugin. */
export interface PreparedFixture {
  path: string;
  config: Record<string, unknown>;
  instance: InstanceIdentity;
  target: TargetState;
  next: TargetState;
  /** Absent when the fixture names none (the kit may still try `{}`). */
  invalidSpec?: Record<string, unknown>;
  timeoutMs?: number;
}

export class FixtureError extends Error {
  override name = 'FixtureError';
}

/** The fixture file to use: the given one (relative to cwd) or the first default one in the package. */
export function locateFixture(packageDir: string, given?: string): string {
  if (given !== undefined) {
    const path = resolve(given);
    if (!existsSync(path)) throw new FixtureError(`fixture ${path} does not exist`);
    return path;
  }
  for (const name of FIXTURE_FILES) {
    const path = join(packageDir, name);
    if (existsSync(path)) return path;
  }
  throw new FixtureError(`no fixture in ${packageDir}: add ${FIXTURE_FILES[0]} (or .mjs) or pass --fixture <file>`);
}

async function readModule(path: string, env: { dataDir: string; packageDir: string }): Promise<unknown> {
  if (path.endsWith('.json')) {
    try {
      return JSON.parse(await readFile(path, 'utf8'));
    } catch (error) {
      throw new FixtureError(`fixture ${path} is not valid JSON: ${(error as Error).message}`);
    }
  }
  let mod: { default?: ConformanceFixtureModule };
  try {
    mod = (await import(pathToFileURL(path).href)) as { default?: ConformanceFixtureModule };
  } catch (error) {
    throw new FixtureError(`fixture ${path} failed to load: ${(error as Error).message}`);
  }
  if (mod.default === undefined) throw new FixtureError(`fixture ${path} has no default export`);
  try {
    return typeof mod.default === 'function' ? await mod.default(env) : mod.default;
  } catch (error) {
    throw new FixtureError(`fixture ${path}: its function threw: ${(error as Error).message}`);
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function checkRelease(value: unknown, at: string, problems: string[]): void {
  if (!isObject(value)) {
    problems.push(`${at} must be an object`);
    return;
  }
  const prefix = at === 'fixture' ? '' : `${at}.`;
  if (!isObject(value.spec)) problems.push(`${prefix}spec must be an object`);
  if (value.params !== undefined && (!isObject(value.params) || Object.values(value.params).some((p) => typeof p !== 'string' && typeof p !== 'number'))) {
    problems.push(`${prefix}params must map names to strings or numbers`);
  }
  if (value.env !== undefined && (!isObject(value.env) || Object.values(value.env).some((e) => typeof e !== 'string'))) {
    problems.push(`${prefix}env must map names to strings`);
  }
}

function shapeProblems(value: unknown): string[] {
  if (!isObject(value)) return ['it must be an object (or a function returning one)'];
  const problems: string[] = [];
  if (!isObject(value.config)) problems.push('config must be an object');
  checkRelease(value, 'fixture', problems);
  if (value.next !== undefined) checkRelease(value.next, 'next', problems);
  if (value.invalidSpec !== undefined && !isObject(value.invalidSpec)) problems.push('invalidSpec must be an object');
  if (value.instance !== undefined) {
    if (!isObject(value.instance)) problems.push('instance must be an object');
    else {
      for (const [key, v] of Object.entries(value.instance)) {
        if (!(key in DEFAULT_INSTANCE)) problems.push(`instance.${key} is not a field of an instance identity`);
        else if (typeof v !== 'string' || v === '') problems.push(`instance.${key} must be a non-empty string`);
      }
    }
  }
  if (value.timeoutMs !== undefined && !(typeof value.timeoutMs === 'number' && value.timeoutMs > 0)) problems.push('timeoutMs must be a positive number');
  return problems;
}

/** A content digest the way a compiled desired state has one: same content, same digest. */
function digestOf(release: ConformanceRelease): string {
  const content = JSON.stringify({ params: release.params ?? {}, spec: release.spec, env: release.env ?? {} });
  return `sha256:${createHash('sha256').update(content).digest('hex')}`;
}

function targetFor(release: ConformanceRelease, releaseId: string): TargetState {
  return {
    releaseId,
    version: releaseId,
    params: { ...(release.params ?? {}) },
    spec: structuredClone(release.spec),
    env: { ...(release.env ?? {}) },
    digest: digestOf(release),
  };
}

export async function loadFixture(path: string, env: { dataDir: string; packageDir: string }): Promise<PreparedFixture> {
  const raw = await readModule(path, env);
  const problems = shapeProblems(raw);
  if (problems.length > 0) throw new FixtureError(`fixture ${path}: ${problems.join('; ')}`);
  const fixture = raw as ConformanceFixture;
  return {
    path,
    config: fixture.config,
    instance: { ...DEFAULT_INSTANCE, ...(fixture.instance ?? {}) },
    target: targetFor(fixture, 'conformance-1'),
    next: targetFor(fixture.next ?? fixture, 'conformance-2'),
    ...(fixture.invalidSpec ? { invalidSpec: fixture.invalidSpec } : {}),
    ...(fixture.timeoutMs ? { timeoutMs: fixture.timeoutMs } : {}),
  };
}
