/** Cross-field checks of one Application: channel names, references, the dependsOn DAG, gates, env templates. */
import { formatPath, suggestion, type PathSegment } from './diagnostics.js';
import { findCycles } from './channel-graph.js';
import { checkTemplates } from './check-templates.js';
import type { KnownNames, Reporter } from './check-context.js';
import { compileGate } from './gates.js';
import { expandChannels, type ExpandProblem } from './channel-groups.js';
import type { ApplicationDoc, GateDoc } from './types.js';

export function checkApplication(app: ApplicationDoc, known: KnownNames, report: Reporter): void {
  const problems: ExpandProblem[] = [];
  const expanded = expandChannels(app, known.runtimes.values(), problems);
  for (const p of problems) report('TEMPLATE_ERROR', ['releaseChannelGroups', p.groupIndex, 'name'], p.text);
  const channels = expanded.map((e) => e.channel);
  const channelNames = channels.map((c) => c.name);
  // Where each channel was written: its own entry, or the group that generated it.
  const at = (i: number): PathSegment[] => {
    const e = expanded[i]!;
    return e.groupIndex === undefined ? ['releaseChannels', app.releaseChannels.indexOf(e.channel)] : ['releaseChannelGroups', e.groupIndex];
  };
  const described = (i: number) => (expanded[i]!.groupIndex === undefined ? '' : ` (generated for runtime "${channels[i]!.runtime}")`);

  const firstIndex = new Map<string, number>();
  channels.forEach((channel, i) => {
    const earlier = firstIndex.get(channel.name);
    if (earlier !== undefined) {
      report('DUPLICATE_NAME', [...at(i), 'name'], `duplicate channel "${channel.name}"${described(i)} (also ${formatPath(at(earlier))}${described(earlier)})`);
    } else {
      firstIndex.set(channel.name, i);
    }
  });

  channels.forEach((channel, i) => {
    if (expanded[i]!.groupIndex === undefined && !known.runtimes.has(channel.runtime) && !known.brokenRuntimes.has(channel.runtime)) {
      report('UNKNOWN_REFERENCE', [...at(i), 'runtime'], `unknown runtime "${channel.runtime}"${suggestion(channel.runtime, known.runtimes.keys())}`);
    }
    channel.dependsOn.forEach((dependency, j) => {
      if (!channelNames.includes(dependency)) {
        const others = channelNames.filter((n) => n !== channel.name);
        report('UNKNOWN_REFERENCE', [...at(i), 'dependsOn', j], `unknown channel "${dependency}"${described(i)}${suggestion(dependency, others)}`);
      }
    });
    const scope = { params: undefined, channels: [channel], runtimes: known.runtimes, applicationName: app.name };
    checkTemplates(channel.env, [...at(i), 'env'], scope, (path, text) => report('TEMPLATE_ERROR', path, text));
  });

  for (const cycle of findCycles(channels)) {
    const start = channels.findIndex((c) => c.name === cycle[0]);
    const edge = channels[start]!.dependsOn.indexOf(cycle[1]!);
    report('DEPENDENCY_CYCLE', [...at(start), 'dependsOn', edge], `dependency cycle: ${cycle.join(' -> ')}`);
  }
}

/**
 * Gate values the schema cannot judge (time zones, hour ranges, day lists). Runs on the raw
 * document, even when other parts of it failed the schema, for every gate the schema accepted:
 * a person fixing the file should see all of its problems in one go.
 */
export function checkGates(raw: Record<string, unknown>, schemaProblemPaths: readonly PathSegment[][], report: Reporter): void {
  const dirty = schemaProblemPaths.map(formatPath);
  for (const list of ['releaseChannels', 'releaseChannelGroups'] as const) {
    const channels = Array.isArray(raw[list]) ? (raw[list] as unknown[]) : [];
    channels.forEach((channel, i) => {
      const gates = (channel as { gates?: unknown } | null)?.gates;
      if (!Array.isArray(gates)) return;
      gates.forEach((gate, g) => {
        const at = formatPath([list, i, 'gates', g]);
        if (dirty.some((d) => d === at || d.startsWith(`${at}.`) || d.startsWith(`${at}[`))) return;
        const compiled = compileGate(gate as GateDoc);
        if (compiled.ok) return;
        for (const problem of compiled.problems) report('SCHEMA_VIOLATION', [list, i, 'gates', g, ...problem.path], problem.text);
      });
    });
  }
}
