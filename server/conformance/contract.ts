/**
 * The contract checks, in the order the engine would exercise a plugin: a fresh instance, a first
 * release, the same release again, aborted calls, a second release, a third one in rollout steps
 * (plugins with capabilities.rolloutSteps), a broken spec, deletion.
 * A check that cannot run because an earlier one failed is skipped and says which.
 */
import type { ObservedState } from '@driftless/plugin-sdk';
import { decide } from '../../worker/decide.js';
import type { LoadedPlugin, PluginHost } from '../plugin-host/index.js';
import { applyHonoursAbort, fetchHonoursAbort } from './abort.js';
import { convergeTo } from './converge.js';
import type { PluginDriver } from './driver.js';
import type { PreparedFixture } from './fixture.js';
import { describeState, isEmpty, sameState } from './states.js';
import { CHECK, type CheckStatus, type ConformanceCheck } from './types.js';
import { checkRolloutSteps } from './steps.js';
import { checkTypedErrors } from './typed-errors.js';

export class CheckList {
  private readonly byName = new Map<string, ConformanceCheck>();

  set(name: string, status: CheckStatus, detail: string): void {
    // The first failure of a check is the one to fix; later verdicts do not overwrite it.
    if (this.byName.get(name)?.status === 'failed') return;
    this.byName.set(name, { name, status, detail });
  }
  pass = (name: string, detail: string) => this.set(name, 'passed', detail);
  fail = (name: string, detail: string) => this.set(name, 'failed', detail);
  skip = (name: string, detail: string) => this.set(name, 'skipped', detail);
  has = (name: string) => this.byName.has(name);
  failed = (name: string) => this.byName.get(name)?.status === 'failed';

  /** Every known check in CHECK order; those never reached are skipped with `why`. */
  list(why: string): ConformanceCheck[] {
    return Object.values(CHECK).map((name) => this.byName.get(name) ?? { name, status: 'skipped' as const, detail: why });
  }
}

const issuesText = (issues: { path: string; message: string }[]) => issues.map((i) => `${i.path || '(root)'} ${i.message}`).join('; ');
const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

export interface ContractInput {
  host: PluginHost;
  loaded: LoadedPlugin;
  driver: PluginDriver;
  fixture: PreparedFixture;
  timeoutMs: number;
}

export async function runContract({ host, loaded, driver, fixture, timeoutMs }: ContractInput, checks: CheckList): Promise<void> {
  const name = loaded.info.name;
  const { target, next, config } = fixture;

  const configIssues = host.validateRuntimeConfig(name, config);
  if (configIssues.length > 0) checks.fail(CHECK.configSchema, `fixture config: ${issuesText(configIssues)}`);
  else checks.pass(CHECK.configSchema, 'the fixture config is valid');
  const specIssues = [
    ...(await host.validateSpec(name, target.spec, config)).map((i) => ({ ...i, path: `spec.${i.path}`.replace(/\.$/, '') })),
    ...(await host.validateSpec(name, next.spec, config)).map((i) => ({ ...i, path: `next.spec.${i.path}`.replace(/\.$/, '') })),
  ];
  if (specIssues.length > 0) checks.fail(CHECK.specSchema, `fixture ${issuesText(specIssues)}`);
  else checks.pass(CHECK.specSchema, 'the fixture specs pass specSchema and validate');
  if (configIssues.length > 0 || specIssues.length > 0) return; // the engine never calls a plugin with these

  // A fresh instance: two fetches with nothing in between must agree.
  let fresh: ObservedState;
  try {
    fresh = await driver.fetch('fresh instance', target);
    const again = await driver.fetch('fresh instance, again', target);
    if (!sameState(fresh, again)) {
      checks.fail(CHECK.fetchPure, `two fetches of a fresh instance with nothing in between differ: first saw ${describeState(fresh)}, then ${describeState(again)}`);
    }
  } catch (error) {
    // Malformed state is its own check's failure; purity cannot be judged on it.
    if (driver.malformed.length > 0) checks.skip(CHECK.fetchPure, 'needs well-formed state from fetch');
    else checks.fail(CHECK.fetchPure, message(error));
    checks.fail(CHECK.converges, `cannot start: ${message(error)}`);
    return;
  }

  // The first release: the same target twice, then stepwise like the engine until converged.
  let converged: ObservedState;
  try {
    await driver.apply('first, of a fresh instance', target);
    await driver.apply('the same target again, right away', target);
    const run = await convergeTo(driver, target, timeoutMs, 'after applying it twice');
    if (!run.ok) {
      checks.fail(CHECK.converges, run.detail);
      return;
    }
    const seen = await driver.fetch('converged instance', target);
    const seenAgain = await driver.fetch('converged instance, again', target);
    const recheck = decide(seenAgain, target);
    if (!recheck.converged) {
      const why = recheck.reasons.map((r) => `${r.code}: ${r.message}`).join('; ');
      checks.fail(CHECK.converges, `fetch reported ${target.version} converged, then fetches later it is not: ${why} (fetch: ${describeState(seenAgain)})`);
      return;
    }
    if (!sameState(seen, seenAgain)) {
      checks.fail(CHECK.fetchPure, `two fetches of a converged instance differ: first saw ${describeState(seen)}, then ${describeState(seenAgain)}`);
    }
    converged = seenAgain;
    checks.pass(CHECK.converges, `converged on ${target.version} after ${run.applies + 2} applies in ${run.ms} ms: ${describeState(converged)}`);
  } catch (error) {
    checks.fail(CHECK.converges, message(error));
    return;
  }
  if (!checks.has(CHECK.fetchPure)) {
    checks.pass(CHECK.fetchPure, `fresh and converged instances looked the same on every second fetch (fresh: ${describeState(fresh)})`);
  }

  // The same target once it has converged: nothing observable may change.
  try {
    await driver.apply('converged target, again', target);
    await driver.apply('converged target, a third time', target);
    const after = await driver.fetch('after applying the converged target again', target);
    if (!sameState(converged, after)) {
      checks.fail(CHECK.idempotent, `applying the converged target again changed what fetch sees: before ${describeState(converged)}, after ${describeState(after)}`);
    } else if (!decide(after, target).converged) {
      checks.fail(CHECK.idempotent, `applying the converged target again left it not converged: ${describeState(after)}`);
    } else {
      checks.pass(CHECK.idempotent, `applying ${target.version} twice at the start and twice more once converged changed nothing`);
    }
  } catch (error) {
    checks.fail(CHECK.idempotent, message(error));
  }

  const fetchAbort = await fetchHonoursAbort(driver, target);
  checks.set(CHECK.fetchAbort, fetchAbort.ok ? 'passed' : 'failed', fetchAbort.detail);
  const applyAbort = await applyHonoursAbort(driver, target, next);
  checks.set(CHECK.applyAbort, applyAbort.ok ? 'passed' : 'failed', applyAbort.detail);

  try {
    const run = await convergeTo(driver, next, timeoutMs, `rolling from ${target.version}`);
    if (run.ok) checks.pass(CHECK.rollsForward, `rolled from ${target.version} to ${next.version} in ${run.ms} ms: ${describeState(run.state)}`);
    else checks.fail(CHECK.rollsForward, run.detail);
  } catch (error) {
    checks.fail(CHECK.rollsForward, message(error));
  }

  // A progressive rollout from `next`, for plugins that declare they can run one.
  if (checks.failed(CHECK.rollsForward) && driver.plugin.capabilities?.rolloutSteps) {
    checks.skip(CHECK.rolloutSteps, `needs the instance on ${next.version} ("${CHECK.rollsForward}" failed)`);
  } else {
    const steps = await checkRolloutSteps(driver, next, target, timeoutMs);
    checks.set(CHECK.rolloutSteps, steps.status, steps.detail);
  }

  const typed = await checkTypedErrors(driver, host, loaded, config, next, fixture.invalidSpec, timeoutMs);
  checks.set(CHECK.typedErrors, typed.status, typed.detail);

  await checkDelete(driver, next, checks);
}

async function checkDelete(driver: PluginDriver, target: PreparedFixture['next'], checks: CheckList): Promise<void> {
  if (!driver.plugin.delete) {
    checks.skip(CHECK.delete, 'the plugin has no delete hook: removed instances are left on the backend');
    return;
  }
  try {
    await driver.delete('the instance');
    await driver.delete('an instance already deleted');
    const after = await driver.fetch('after delete', target);
    if (isEmpty(after)) checks.pass(CHECK.delete, 'delete removed everything fetch saw; a second delete was harmless');
    else checks.fail(CHECK.delete, `after delete, fetch still sees ${describeState(after)}`);
  } catch (error) {
    checks.fail(CHECK.delete, message(error));
  }
}
