import type { Command } from 'commander';
import { failOnUserErrors } from '../api.js';
import { apiFor, formatOf, parseTarget } from '../args.js';
import { printJson } from '../output.js';
import { withSuggestions } from '../suggest.js';

const PIN = `mutation Pin($a: String!, $s: String!, $c: String!, $why: String!) {
  pinService(input: { application: $a, service: $s, channel: $c, reason: $why }) { instance { pin { release { label } by reason } } userErrors { code message path } } }`;
const UNPIN = `mutation Unpin($a: String!, $s: String!, $c: String!) {
  unpinService(input: { application: $a, service: $s, channel: $c }) { instance { status } userErrors { code message path } } }`;

export function registerPin(program: Command): void {
  program
    .command('pin')
    .description('hold a service in a channel at the release it runs: automation never moves it until it is unpinned')
    .argument('<app/service>', 'e.g. hello/web')
    .requiredOption('-c, --channel <channel>', 'the channel to hold')
    .requiredOption('-m, --reason <text>', 'why it must stay (shown with every release that waits for it)')
    .action(async (target: string, opts: { channel: string; reason: string }, cmd: Command) => {
      const { application, service } = parseTarget(target);
      const api = apiFor(cmd);
      const { pinService: payload } = await api.request(PIN, { a: application, s: service, c: opts.channel, why: opts.reason });
      failOnUserErrors(await withSuggestions(api, payload.userErrors), `cannot pin ${application}/${service} in ${opts.channel}`);
      if (formatOf(cmd) === 'json') return printJson(payload.instance);
      const pin = payload.instance.pin;
      console.log(`Pinned ${application}/${service} in ${opts.channel} at ${pin.release.label}: newer releases wait there until: driftless unpin ${application}/${service} --channel ${opts.channel}`);
    });
  program
    .command('unpin')
    .description('let automation move a pinned service again (newer releases go on by their gates)')
    .argument('<app/service>', 'e.g. hello/web')
    .requiredOption('-c, --channel <channel>', 'the pinned channel')
    .action(async (target: string, opts: { channel: string }, cmd: Command) => {
      const { application, service } = parseTarget(target);
      const api = apiFor(cmd);
      const { unpinService: payload } = await api.request(UNPIN, { a: application, s: service, c: opts.channel });
      failOnUserErrors(await withSuggestions(api, payload.userErrors), `cannot unpin ${application}/${service} in ${opts.channel}`);
      if (formatOf(cmd) === 'json') return printJson(payload.instance);
      console.log(`Unpinned ${application}/${service} in ${opts.channel}.`);
    });
}
