/**
 * "Errors are typed": an apply that cannot succeed because its spec is wrong must throw
 * TerminalError, or the engine retries it until it gives up. The server validates specs before
 * they reach apply, so a plugin that does not re-validate is fine; one that does must throw the
 * right type.
 */
import { isTerminalError, type TargetState } from '@driftless/plugin-sdk';
import type { LoadedPlugin, PluginHost } from '../plugin-host/index.js';
import { errorText, settleWithin, type PluginDriver } from './driver.js';

export type TypedErrorsVerdict = { status: 'passed' | 'failed' | 'skipped'; detail: string };

async function invalidSpecFor(
  host: PluginHost,
  loaded: LoadedPlugin,
  config: Record<string, unknown>,
  given: Record<string, unknown> | undefined,
): Promise<{ spec: Record<string, unknown>; issue: string } | { none: string }> {
  const candidate = given ?? {};
  const issues = await host.validateSpec(loaded.info.name, candidate, config);
  if (issues.length > 0) {
    const first = issues[0]!;
    return { spec: candidate, issue: `${first.path ? `${first.path}: ` : ''}${first.message}` };
  }
  if (given) return { none: 'the fixture\'s invalidSpec passes specSchema and validate: give one they reject' };
  return { none: 'no invalidSpec in the fixture and {} is a valid spec; add "invalidSpec" to the fixture to check error types' };
}

export async function checkTypedErrors(
  driver: PluginDriver,
  host: PluginHost,
  loaded: LoadedPlugin,
  config: Record<string, unknown>,
  base: TargetState,
  givenInvalid: Record<string, unknown> | undefined,
  callTimeoutMs: number,
): Promise<TypedErrorsVerdict> {
  const invalid = await invalidSpecFor(host, loaded, config, givenInvalid);
  if ('none' in invalid) return { status: givenInvalid ? 'failed' : 'skipped', detail: invalid.none };
  const target: TargetState = { ...base, releaseId: 'conformance-invalid', version: 'conformance-invalid', spec: invalid.spec, digest: 'sha256:invalid' };
  const what = `apply of an invalid spec (${invalid.issue})`;
  const outcome = await settleWithin(callTimeoutMs, () => driver.plugin.apply({ ...driver.context(new AbortController().signal), target }));
  if (!outcome.settled) return { status: 'failed', detail: `${what} did not settle within ${callTimeoutMs} ms` };
  if (outcome.ok) {
    return { status: 'skipped', detail: `${what} was accepted; the server never sends one, so re-validating in apply is optional` };
  }
  const error = outcome.error;
  if (isTerminalError(error)) return { status: 'passed', detail: `${what} threw ${errorText(error)}` };
  const kind = (error as { name?: unknown } | null)?.name === 'RetryableError' ? 'a RetryableError' : 'a plain error';
  return {
    status: 'failed',
    detail: `${what} threw ${kind} (${errorText(error)}): the engine retries that; throw TerminalError from @driftless/plugin-sdk when retrying cannot help`,
  };
}
