import type { Command } from 'commander';
import { failOnUserErrors } from '../api.js';
import { apiFor, formatOf, parseTarget } from '../args.js';
import { printJson } from '../output.js';
import { withSuggestions } from '../suggest.js';
import { findRelease } from '../releases.js';

const ROLLBACK = `mutation Rollback($a: String!, $s: String!, $c: String, $r: String, $to: ID, $pin: Boolean, $bad: Boolean) {
  rollbackService(input: { application: $a, service: $s, channel: $c, reason: $r, to: $to, pin: $pin, allowBad: $bad }) {
    service { name } rollbacks { channel from { label } to { label } }
    userErrors { code message path } } }`;

export function registerRollback(program: Command): void {
  program
    .command('rollback')
    .description('roll a service back to the newest earlier release that converged (marks the one it leaves bad there)')
    .argument('<app/service>', 'e.g. hello/web')
    .option('-c, --channel <channel>', 'only this channel (default: every channel that has an earlier release)')
    .option('-m, --reason <text>', 'why, recorded with the request')
    .option('--to <release>', 'go back to this release (number, label or id) instead of the newest earlier one')
    .option('--pin', 'and pin the service there, so automation does not move it on')
    .option('--allow-bad', 'admins: allow going back to a release marked bad there')
    .action(async (target: string, opts: { channel?: string; reason?: string; to?: string; pin?: boolean; allowBad?: boolean }, cmd: Command) => {
      const { application, service } = parseTarget(target);
      const api = apiFor(cmd);
      const to = opts.to ? (await findRelease(api, application, service, opts.to)).id : null;
      const { rollbackService: payload } = await api.request(ROLLBACK, { a: application, s: service, c: opts.channel ?? null, r: opts.reason ?? null, to, pin: opts.pin ?? null, bad: opts.allowBad ?? null });
      failOnUserErrors(await withSuggestions(api, payload.userErrors), `cannot roll back ${application}/${service}`);
      if (formatOf(cmd) === 'json') return printJson(payload);
      console.log(`Rolling back ${application}/${service}:`);
      for (const r of payload.rollbacks as { channel: string; from: { label: string }; to: { label: string } }[]) {
        console.log(`  ${r.channel}: back to ${r.to.label}, leaving ${r.from.label} (marked bad there; a new release clears the way)${opts.pin ? `; pinned at ${r.to.label}` : ''}`);
      }
      console.log(`Follow it with: driftless status ${application}`);
    });
}
