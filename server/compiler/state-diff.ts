/**
 * Field-level differences between two compiled states of one service in one channel: the plan a
 * person approves ("spec.replicas: 2 → 3") and the summary of a config change. Pure.
 *
 * Runtime fields (what the plugin sees: runtime, plugin, params, spec, env) and rules (gates,
 * dependsOn, progress deadline, stabilization window) are both compared: a change of either is a
 * change of intent, and so a new release. Only runtime fields make anything apply (`digest`).
 */
import { canonicalJson } from './digest.js';
import type { CompiledChannelState, JsonValue } from './types.js';

export interface FieldChange {
  /** Dotted path, e.g. `spec.replicas`, `env.LOG_LEVEL`, `gates.manualApproval`. */
  path: string;
  /** Absent when the field is new. */
  before?: JsonValue;
  /** Absent when the field was removed. */
  after?: JsonValue;
}

/** True when nothing the plugin sees and no rule differs: the same intent. */
export function sameIntent(a: CompiledChannelState, b: CompiledChannelState): boolean {
  return a.digest === b.digest && canonicalJson(rulesOf(a)) === canonicalJson(rulesOf(b));
}

/** What applying `after` changes against `before` (null: nothing ran there yet), in a stable order. */
export function diffStates(before: CompiledChannelState | null | undefined, after: CompiledChannelState): FieldChange[] {
  const out: FieldChange[] = [];
  const from = before ? viewOf(before) : {};
  walk(from as JsonValue, viewOf(after) as JsonValue, [], out);
  return out;
}

/** "spec.replicas: 2 → 3", "env.DEBUG: added (1)", "gates.soak: removed". */
export function describeChange(change: FieldChange): string {
  if (change.before === undefined) return `${change.path}: added (${show(change.after!)})`;
  if (change.after === undefined) return `${change.path}: removed (was ${show(change.before)})`;
  return `${change.path}: ${show(change.before)} → ${show(change.after)}`;
}

function show(value: JsonValue): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** The comparable shape of a state: gates keyed by type so a reordering alone is no change. */
function viewOf(state: CompiledChannelState): Record<string, JsonValue> {
  return {
    runtime: state.runtime,
    plugin: state.plugin,
    params: state.params,
    spec: state.spec,
    env: state.env,
    ...rulesOf(state),
  };
}

function rulesOf(state: CompiledChannelState): Record<string, JsonValue> {
  const gates: Record<string, JsonValue> = {};
  for (const gate of state.gates) {
    const { type, ...settings } = gate;
    const key = gate.type === 'alerts' ? `alerts ${gate.alertmanager}` : gate.type === 'httpCheck' ? `httpCheck ${gate.url}` : type;
    gates[key] = settings as JsonValue;
  }
  const rules: Record<string, JsonValue> = {
    dependsOn: [...state.dependsOn].sort(),
    gates,
    progressDeadlineMs: state.progressDeadlineMs,
  };
  if (state.stabilizationMs !== undefined) rules.stabilizationMs = state.stabilizationMs;
  if (state.rollout) rules.rollout = state.rollout as unknown as JsonValue;
  return rules;
}

function isObject(v: JsonValue | undefined): v is { [key: string]: JsonValue } {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function walk(before: JsonValue | undefined, after: JsonValue | undefined, path: string[], out: FieldChange[]): void {
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    for (const key of keys) walk(before[key], after[key], [...path, key], out);
    return;
  }
  if (before === undefined && after === undefined) return;
  if (before !== undefined && after !== undefined && canonicalJson(before) === canonicalJson(after)) return;
  // A whole new or removed mapping reads better as its leaves: "env.A: added", "env.B: added".
  if (isObject(after) && before === undefined) {
    for (const key of Object.keys(after).sort()) walk(undefined, after[key], [...path, key], out);
    return;
  }
  if (isObject(before) && after === undefined) {
    for (const key of Object.keys(before).sort()) walk(before[key], undefined, [...path, key], out);
    return;
  }
  const change: FieldChange = { path: path.join('.') };
  if (before !== undefined) change.before = before;
  if (after !== undefined) change.after = after;
  out.push(change);
}
