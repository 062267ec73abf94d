import type { Command } from 'commander';
import pc from 'picocolors';
import { apiFor, formatOf } from '../args.js';
import { usageError } from '../errors.js';
import { printJson, table } from '../output.js';
import { unknownApplication } from '../suggest.js';

const P = 'count p50Seconds p90Seconds';
const METRICS = `query Metrics($a: String!, $days: Int) { deliveryMetrics(application: $a, days: $days) {
  application from to failedReleases caughtAutomatically caughtAutomaticallyShare leadTime { ${P} }
  channels { channel last deployments deploymentsPerDay releasesReached releasesFailed changeFailureRate unrestored leadTime { ${P} } timeToRestore { ${P} } }
} }`;

function duration(s: number | null | undefined): string {
  if (s === null || s === undefined) return '-';
  if (s < 120) return `${Math.round(s)}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  if (s < 172_800) return `${(s / 3600).toFixed(1)}h`;
  return `${(s / 86_400).toFixed(1)}d`;
}
const pct = (x: number | null | undefined) => (x === null || x === undefined ? '-' : `${Math.round(x * 100)}%`);

export function registerMetrics(program: Command): void {
  program
    .command('metrics')
    .description("delivery metrics of an application from Driftless's own history: deployment frequency, lead time, change failure rate, time to restore, failures caught automatically")
    .argument('<app>', 'the application')
    .option('--days <n>', 'window: the last n days', '30')
    .action(async (app: string, opts: { days: string }, cmd: Command) => {
      const days = Number(opts.days);
      if (!Number.isInteger(days) || days < 1 || days > 3660) throw usageError(`--days must be a whole number from 1 to 3660, got "${opts.days}"`);
      const api = apiFor(cmd);
      const m = (await api.request(METRICS, { a: app, days })).deliveryMetrics;
      if (!m) throw await unknownApplication(api, app);
      if (formatOf(cmd) === 'json') return printJson(m);
      console.log(`Delivery metrics of ${pc.bold(m.application)}, ${m.from.slice(0, 10)} to ${m.to.slice(0, 10)} (${days} days)\n`);
      const rows = m.channels.map((c: any) => [
        c.last ? `${c.channel} ${pc.dim('(last)')}` : c.channel,
        c.deployments,
        c.deploymentsPerDay.toFixed(2),
        `${duration(c.leadTime.p50Seconds)} / ${duration(c.leadTime.p90Seconds)}`,
        `${pct(c.changeFailureRate)} (${c.releasesFailed}/${c.releasesReached})`,
        `${duration(c.timeToRestore.p50Seconds)} / ${duration(c.timeToRestore.p90Seconds)}${c.unrestored ? ` (+${c.unrestored} open)` : ''}`,
      ]);
      console.log(table(['CHANNEL', 'DEPLOYS', 'PER DAY', 'LEAD TIME p50/p90', 'CHANGE FAILURE RATE', 'TIME TO RESTORE p50/p90'], rows));
      console.log(`\nLead time to the last channel: ${duration(m.leadTime.p50Seconds)} (p50), ${duration(m.leadTime.p90Seconds)} (p90) over ${m.leadTime.count} releases`);
      console.log(`Failures caught automatically before the last channel: ${pct(m.caughtAutomaticallyShare)} (${m.caughtAutomatically} of ${m.failedReleases} failed releases)`);
      console.log(pc.dim('\nDefinitions: docs/operations.md ("Delivery metrics").'));
    });
}
