/**
 * Release channel groups (pure): an Application's `releaseChannelGroups` expand into one channel
 * per matching runtime. Expansion runs wherever channels are needed (parse checks, compile, the
 * channel rows), always against the runtimes known at that moment, so adding a Runtime with matching
 * labels adds its channel and relabelling one takes its channel away.
 */
import { makeResolver } from './resolver.js';
import { renderValue, type RenderProblem } from './templates.js';
import type { ApplicationDoc, ChannelDoc, ChannelGroupDoc, RuntimeDoc } from './types.js';

export interface ExpandedChannel {
  channel: ChannelDoc;
  /** Index in releaseChannelGroups, for diagnostics; undefined for a channel written out. */
  groupIndex?: number;
}

export interface ExpandProblem {
  groupIndex: number;
  runtime: string;
  text: string;
}

/** Does the runtime carry every label of the selector? */
export function matches(selector: Record<string, string>, runtime: RuntimeDoc): boolean {
  return Object.entries(selector).every(([k, v]) => runtime.labels[k] === v);
}

/** Whether the runtime lets this application run code on it (its allowedApplications). */
export function allowsApplication(runtime: Pick<RuntimeDoc, 'allowedApplications'>, application: string): boolean {
  return !runtime.allowedApplications || runtime.allowedApplications.includes(application);
}

/** The channels as written, then each group's, one per matching runtime in runtime-name order. */
export function expandChannels(app: ApplicationDoc, runtimes: Iterable<RuntimeDoc>, problems: ExpandProblem[] = []): ExpandedChannel[] {
  const out: ExpandedChannel[] = app.releaseChannels.map((channel) => ({ channel }));
  const sorted = [...runtimes].sort((a, b) => a.name.localeCompare(b.name));
  (app.releaseChannelGroups ?? []).forEach((group, groupIndex) => {
    for (const runtime of sorted.filter((r) => matches(group.runtimes, r) && allowsApplication(r, app.name))) {
      const name = channelName(app, group, runtime, (text) => problems.push({ groupIndex, runtime: runtime.name, text }));
      if (name === undefined) continue;
      const { runtimes: _selector, name: _template, ...settings } = group;
      out.push({ channel: { ...settings, name, runtime: runtime.name, group: group.name }, groupIndex });
    }
  });
  return out;
}

/** Just the channels (for code that does not report diagnostics). */
export function channelsOf(app: ApplicationDoc, runtimes: Iterable<RuntimeDoc>): ChannelDoc[] {
  return expandChannels(app, runtimes).map((e) => e.channel);
}

/** The group's name rendered for one runtime: only runtime.name and runtime.labels.x may appear. */
function channelName(app: ApplicationDoc, group: ChannelGroupDoc, runtime: RuntimeDoc, report: (text: string) => void): string | undefined {
  const problems: RenderProblem[] = [];
  const scope = { applicationName: app.name, channel: { name: group.name, runtime: runtime.name, dependsOn: [], constants: {}, env: {}, gates: [] }, runtime, params: undefined, declaredParams: [], previewMissing: false, alreadyReported: new Set<string>() };
  const resolve = makeResolver(scope);
  const rendered = renderValue(group.name, (ref) => (ref.scope === 'runtime.name' || ref.scope === 'runtime.labels' ? resolve(ref) : { ok: false, error: `a channel group's name may use only runtime.name and runtime.labels.<name>` }), ['name'], problems);
  for (const p of problems) report(p.text);
  if (problems.length) return undefined;
  const name = String(rendered);
  if (!/^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/.test(name)) {
    report(`the name renders to "${name}" for runtime "${runtime.name}": use lowercase letters, digits and "-", start with a letter, end with a letter or digit, at most 63 characters`);
    return undefined;
  }
  return name;
}
