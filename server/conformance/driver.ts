/**
 * Every plugin call the kit makes goes through here: each is bounded by a deadline (a hung plugin
 * fails a check, never the kit), gets the context the engine would give it, and every state
 * `fetch` returns is checked for shape with the worker's own validator.
 */
import type { ApplyResult, InstanceIdentity, ObservedState, PluginLogger, RuntimePlugin, TargetState } from '@driftless/plugin-sdk';
import { cleanObservedState, observedStateProblem } from '../../worker/observed-shape.js';

export type Settled<T> =
  | { settled: true; ms: number; ok: true; value: T }
  | { settled: true; ms: number; ok: false; error: unknown }
  | { settled: false; ms: number };

/** Runs `start` and waits at most `limitMs` for it to resolve or reject; a late call runs on unawaited. */
export async function settleWithin<T>(limitMs: number, start: () => Promise<T>): Promise<Settled<T>> {
  const began = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<Settled<T>>((resolve) => {
    timer = setTimeout(() => resolve({ settled: false, ms: Date.now() - began }), limitMs);
  });
  const attempt = (async (): Promise<Settled<T>> => {
    try {
      const value = await start();
      return { settled: true, ms: Date.now() - began, ok: true, value };
    } catch (error) {
      return { settled: true, ms: Date.now() - began, ok: false, error };
    }
  })();
  try {
    return await Promise.race([attempt, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** A call failed in a way that ends the check that made it; the message says which call and why. */
export class CallFailed extends Error {
  override name = 'CallFailed';
}

export function errorText(error: unknown): string {
  if (error instanceof Error) return `${error.name && error.name !== 'Error' ? `${error.name}: ` : ''}${error.message}`;
  return typeof error === 'string' ? error : JSON.stringify(error) ?? String(error);
}

/** Logs are kept (the last ones end up in failure details), never printed mid-report. */
function collectingLogger(lines: string[]): PluginLogger {
  const push = (level: string) => (msg: string) => {
    lines.push(`${level}: ${msg}`);
    if (lines.length > 50) lines.shift();
  };
  return { debug: push('debug'), info: push('info'), warn: push('warn'), error: push('error') };
}

export interface DriverOptions {
  plugin: RuntimePlugin;
  config: Record<string, unknown>;
  instance: InstanceIdentity;
  dataDir: string;
  callTimeoutMs: number;
}

export class PluginDriver {
  /** Malformed states seen, with the call that returned them. */
  readonly malformed: string[] = [];
  readonly logs: string[] = [];
  private readonly logger: PluginLogger;

  constructor(private readonly opts: DriverOptions) {
    this.logger = collectingLogger(this.logs);
  }

  get plugin(): RuntimePlugin {
    return this.opts.plugin;
  }

  context(signal: AbortSignal) {
    return { config: this.opts.config, instance: this.opts.instance, signal, logger: this.logger, dataDir: this.opts.dataDir };
  }

  /** fetch, checked for shape; `label` says in failure messages which fetch it was. */
  async fetch(label: string, target?: TargetState): Promise<ObservedState> {
    const value = await this.bounded(`fetch (${label})`, (signal) =>
      this.plugin.fetch({ ...this.context(signal), ...(target ? { target } : {}) }),
    );
    const problem = observedStateProblem(value);
    if (problem) {
      this.malformed.push(`fetch (${label}): ${problem}`);
      throw new CallFailed(`fetch (${label}) returned malformed state: ${problem}`);
    }
    return cleanObservedState(value);
  }

  async apply(label: string, target: TargetState): Promise<ApplyResult | void> {
    return this.bounded(`apply (${label})`, (signal) => this.plugin.apply({ ...this.context(signal), target }));
  }

  async delete(label: string): Promise<void> {
    const hook = this.plugin.delete;
    if (!hook) return;
    await this.bounded(`delete (${label})`, (signal) => hook.call(this.plugin, this.context(signal)));
  }

  private async bounded<T>(what: string, call: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    const limit = this.opts.callTimeoutMs;
    const outcome = await settleWithin(limit, () => call(controller.signal));
    if (!outcome.settled) {
      controller.abort(new Error(`conformance kit: ${what} took longer than ${limit} ms`));
      throw new CallFailed(`${what} did not settle within ${limit} ms`);
    }
    if (!outcome.ok) throw new CallFailed(`${what} threw ${errorText(outcome.error)}`);
    return outcome.value;
  }
}
