/** Cross-field checks of one Application: channel names, references, the dependsOn DAG, gates, env templates. */
import { formatPath, suggestion, type PathSegment } from './diagnostics.js';
import { findCycles } from './channel-graph.js';
import { checkTemplates } from './check-templates.js';
import type { KnownNames, Reporter } from './check-context.js';
import { compileGate } from './gates.js';
import type { ApplicationDoc, GateDoc } from './types.js';

export function checkApplication(app: ApplicationDoc, known: KnownNames, report: Reporter): void {
  const channels = app.releaseChannels;
  const channelNames = channels.map((c) => c.name);

  const firstIndex = new Map<string, number>();
  channels.forEach((channel, i) => {
    const earlier = firstIndex.get(channel.name);
    if (earlier !== undefined) {
      report('DUPLICATE_NAME', ['releaseChannels', i, 'name'], `duplicate channel "${channel.name}" (also releaseChannels[${earlier}])`);
    } else {
      firstIndex.set(channel.name, i);
    }
  });

  channels.forEach((channel, i) => {
    if (!known.runtimes.has(channel.runtime) && !known.brokenRuntimes.has(channel.runtime)) {
      report('UNKNOWN_REFERENCE', ['releaseChannels', i, 'runtime'], `unknown runtime "${channel.runtime}"${suggestion(channel.runtime, known.runtimes.keys())}`);
    }
    channel.dependsOn.forEach((dependency, j) => {
      if (!channelNames.includes(dependency)) {
        const others = channelNames.filter((n) => n !== channel.name);
        report('UNKNOWN_REFERENCE', ['releaseChannels', i, 'dependsOn', j], `unknown channel "${dependency}"${suggestion(dependency, others)}`);
      }
    });
    const scope = { params: undefined, channels: [channel], runtimes: known.runtimes, applicationName: app.name };
    checkTemplates(channel.env, ['releaseChannels', i, 'env'], scope, (path, text) => report('TEMPLATE_ERROR', path, text));
  });

  for (const cycle of findCycles(channels)) {
    const start = channels.findIndex((c) => c.name === cycle[0]);
    const edge = channels[start]!.dependsOn.indexOf(cycle[1]!);
    report('DEPENDENCY_CYCLE', ['releaseChannels', start, 'dependsOn', edge], `dependency cycle: ${cycle.join(' -> ')}`);
  }
}

/**
 * Gate values the schema cannot judge (time zones, hour ranges, day lists). Runs on the raw
 * document, even when other parts of it failed the schema, for every gate the schema accepted:
 * a person fixing the file should see all of its problems in one go.
 */
export function checkGates(raw: Record<string, unknown>, schemaProblemPaths: readonly PathSegment[][], report: Reporter): void {
  const dirty = schemaProblemPaths.map(formatPath);
  const channels = Array.isArray(raw.releaseChannels) ? (raw.releaseChannels as unknown[]) : [];
  channels.forEach((channel, i) => {
    const gates = (channel as { gates?: unknown } | null)?.gates;
    if (!Array.isArray(gates)) return;
    gates.forEach((gate, g) => {
      const at = formatPath(['releaseChannels', i, 'gates', g]);
      if (dirty.some((d) => d === at || d.startsWith(`${at}.`) || d.startsWith(`${at}[`))) return;
      const compiled = compileGate(gate as GateDoc);
      if (compiled.ok) return;
      for (const problem of compiled.problems) report('SCHEMA_VIOLATION', ['releaseChannels', i, 'gates', g, ...problem.path], problem.text);
    });
  });
}
