import type { Command } from 'commander';
import { failOnUserErrors } from '../api.js';
import { apiFor, formatOf, parseTarget } from '../args.js';
import { printJson } from '../output.js';
import { withSuggestions } from '../suggest.js';

const ROLLBACK = `mutation Rollback($a: String!, $s: String!, $c: String) {
  rollbackService(input: { application: $a, service: $s, channel: $c }) {
    service { name instances { channel { name } status targetRelease { label } convergedRelease { label } } }
    userErrors { code message path } } }`;

export function registerRollback(program: Command): void {
  program
    .command('rollback')
    .description('roll a service back to the last release that converged (marks the current one bad there)')
    .argument('<app/service>', 'e.g. hello/web')
    .option('-c, --channel <channel>', 'only this channel (default: every channel where a release was deployed)')
    .action(async (target: string, opts: { channel?: string }, cmd: Command) => {
      const { application, service } = parseTarget(target);
      const api = apiFor(cmd);
      const { rollbackService: payload } = await api.request(ROLLBACK, { a: application, s: service, c: opts.channel ?? null });
      failOnUserErrors(await withSuggestions(api, payload.userErrors), `cannot roll back ${application}/${service}`);
      if (formatOf(cmd) === 'json') return printJson(payload.service);
      const where = opts.channel ? `in ${opts.channel}` : 'in every channel';
      console.log(`Rolling back ${application}/${service} ${where}.`);
      for (const i of payload.service.instances) {
        if (opts.channel && i.channel.name !== opts.channel) continue;
        console.log(`  ${i.channel.name}: ${i.status}${i.targetRelease ? `, heading to ${i.targetRelease.label}` : ''}`);
      }
      console.log(`Follow it with: driftless status ${application}`);
    });
}
