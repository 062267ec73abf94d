/**
 * The conformance fixture: what a plugin author ships next to the plugin so the conformance kit
 * (`driftless plugin test <package-dir>`) can drive it. Put it in the package as
 * `driftless.fixture.json`, or as `driftless.fixture.mjs` whose default export is a fixture or a
 * function returning one (to compute paths or ports).
 */
import type { InstanceIdentity } from './contract.js';

/** One release for the kit to roll to: the values the engine would put in TargetState. */
export interface ConformanceRelease {
  /** The rendered spec, as a Service's `spec` looks after templating. */
  spec: Record<string, unknown>;
  /** Release parameters (TargetState.params). Default: `{}`. */
  params?: Record<string, string | number>;
  /** Merged env (TargetState.env). Default: `{}`. */
  env?: Record<string, string>;
}

export interface ConformanceFixture extends ConformanceRelease {
  /** A Runtime `config` that passes the plugin's configSchema and reaches a usable backend. */
  config: Record<string, unknown>;
  /**
   * The instance identity the kit uses. Missing fields default to instanceId
   * "conformance-instance", application "conformance", channel "test", service "svc", runtime
   * "conformance". Pick names that cannot collide with anything real on the backend.
   */
  instance?: Partial<InstanceIdentity>;
  /** A second release to roll to. Default: the same spec under a new version. */
  next?: ConformanceRelease;
  /**
   * A spec the plugin's specSchema (or validate hook) rejects, given to `apply` to check that the
   * plugin throws TerminalError. Default: `{}` when the schema rejects it; else the check is skipped.
   */
  invalidSpec?: Record<string, unknown>;
  /** How long one convergence may take, in ms (default 30 000). The CLI's --timeout wins. */
  timeoutMs?: number;
}

/** What a function-valued fixture (in `driftless.fixture.mjs`) receives. */
export interface ConformanceFixtureEnvironment {
  /**
   * A fresh, empty directory the kit also passes to every hook as `ctx.dataDir` and removes
   * afterwards: the place for files the plugin writes during the run.
   */
  dataDir: string;
  /** Absolute path of the plugin package under test. */
  packageDir: string;
}

export type ConformanceFixtureModule =
  | ConformanceFixture
  | ((env: ConformanceFixtureEnvironment) => ConformanceFixture | Promise<ConformanceFixture>);
