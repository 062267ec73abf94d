/**
 * What the conformance kit reports. Plain data, so the CLI can print it as text or JSON and a
 * plugin's own CI can assert on it.
 */

export type CheckStatus = 'passed' | 'failed' | 'skipped';

export interface ConformanceCheck {
  /** One of CHECK (stable: tools and tests match on it). */
  name: string;
  status: CheckStatus;
  /** Why it passed, failed or was skipped, in one line a plugin author can act on. */
  detail: string;
}

export interface ConformanceReport {
  /** The package directory as given, made absolute. */
  packageDir: string;
  /** The plugin as the server's plugin host saw it; absent when no plugin package was found. */
  plugin?: { name: string; version: string; packageName: string; entry: string };
  /** Absolute path of the fixture used; absent when none was found. */
  fixture?: string;
  checks: ConformanceCheck[];
  /** True when no check failed. */
  passed: boolean;
  /**
   * Set when the contract checks could not run at all: the package is not a plugin, the server
   * would refuse it, or the fixture is missing or malformed. The CLI exits 2 on it.
   */
  loadError?: string;
  durationMs: number;
}

export interface ConformanceOptions {
  /** Fixture file; default: driftless.fixture.json, .mjs or .js in the package dir. */
  fixture?: string;
  /**
   * Longest wait for one plugin call and for one convergence (apply+fetch until converged).
   * Default 30 000 ms; the fixture's own `timeoutMs` applies when this is not given.
   */
  timeoutMs?: number;
}

/** The checks, in the order they run. */
export const CHECK = {
  load: 'plugin loads like the server loads it',
  fixture: 'fixture is readable and complete',
  configSchema: 'config matches configSchema',
  specSchema: 'specs match specSchema and validate',
  stateShape: 'observed state is well formed',
  fetchPure: 'fetch does not mutate',
  converges: 'converged means converged',
  idempotent: 'apply is idempotent',
  fetchAbort: 'fetch honours AbortSignal',
  applyAbort: 'apply honours AbortSignal',
  rollsForward: 'rolls to a new release',
  rolloutSteps: 'runs rollout steps',
  typedErrors: 'errors are typed',
  delete: 'delete removes the instance',
} as const;

export type CheckName = (typeof CHECK)[keyof typeof CHECK];
