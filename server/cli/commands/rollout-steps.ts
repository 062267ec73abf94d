import type { Command } from 'commander';
import { failOnUserErrors } from '../api.js';
import { apiFor, formatOf, parseTarget } from '../args.js';
import { printJson } from '../output.js';
import { withSuggestions } from '../suggest.js';

const PROMOTE = `mutation Promote($a: String!, $s: String!, $c: String!, $why: String) {
  promoteRollout(input: { application: $a, service: $s, channel: $c, reason: $why }) { skipped instance { status } userErrors { code message path } } }`;
const ABORT = `mutation Abort($a: String!, $s: String!, $c: String!, $why: String) {
  abortRollout(input: { application: $a, service: $s, channel: $c, reason: $why }) { rollbacks { channel from { label } to { label } } userErrors { code message path } } }`;

/** driftless promote / abort: steer a progressive rollout (rollout.steps) in one channel. */
export function registerRolloutSteps(program: Command): void {
  program
    .command('promote')
    .description('skip the rest of the current step of a rollout in steps (its pause or analysis): the next step starts')
    .argument('<app/service>', 'e.g. hello/web')
    .requiredOption('-c, --channel <channel>', 'the channel rolling out in steps')
    .option('-m, --reason <text>', 'why (recorded in the event)')
    .action(async (target: string, opts: { channel: string; reason?: string }, cmd: Command) => {
      const { application, service } = parseTarget(target);
      const api = apiFor(cmd);
      const { promoteRollout: payload } = await api.request(PROMOTE, { a: application, s: service, c: opts.channel, why: opts.reason ?? null });
      failOnUserErrors(await withSuggestions(api, payload.userErrors), `cannot promote ${application}/${service} in ${opts.channel}`);
      if (formatOf(cmd) === 'json') return printJson(payload);
      console.log(`Promoted ${application}/${service} in ${opts.channel}: skipping the rest of ${payload.skipped}; the next step starts now.`);
    });
  program
    .command('abort')
    .description('stop the rollout under way in a channel and roll back to what ran before (the release is marked bad there)')
    .argument('<app/service>', 'e.g. hello/web')
    .requiredOption('-c, --channel <channel>', 'the channel rolling out')
    .option('-m, --reason <text>', 'why (recorded in the event)')
    .action(async (target: string, opts: { channel: string; reason?: string }, cmd: Command) => {
      const { application, service } = parseTarget(target);
      const api = apiFor(cmd);
      const { abortRollout: payload } = await api.request(ABORT, { a: application, s: service, c: opts.channel, why: opts.reason ?? null });
      failOnUserErrors(await withSuggestions(api, payload.userErrors), `cannot abort the rollout of ${application}/${service} in ${opts.channel}`);
      if (formatOf(cmd) === 'json') return printJson(payload);
      for (const r of payload.rollbacks as { channel: string; from: { label: string }; to: { label: string } }[]) {
        console.log(`Aborted ${r.from.label} in ${r.channel}: rolling back to ${r.to.label}; ${r.from.label} is marked bad there.`);
      }
    });
}
