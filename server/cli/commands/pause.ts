import type { Command } from 'commander';
import { failOnUserErrors } from '../api.js';
import { apiFor, formatOf, parseScope } from '../args.js';
import { printJson } from '../output.js';
import { withSuggestions } from '../suggest.js';

const MUTATION = (verb: 'pauseConvergence' | 'resumeConvergence') => `mutation Scope($a: String!, $s: String, $c: String) {
  ${verb}(input: { application: $a, service: $s, channel: $c }) {
    application { name paused releaseChannels { name paused } }
    userErrors { code message path } } }`;

export function registerPause(program: Command): void {
  for (const [name, verb, text] of [
    ['pause', 'pauseConvergence', 'Paused'],
    ['resume', 'resumeConvergence', 'Resumed'],
  ] as const) {
    program
      .command(name)
      .description(name === 'pause' ? 'stop applying changes (instances are still observed) for an application, a channel or a service' : 'undo pause at the same scope')
      .argument('<app[/service]>', 'e.g. hello or hello/web')
      .option('-c, --channel <channel>', 'only this channel')
      .action(async (scope: string, opts: { channel?: string }, cmd: Command) => {
        const { application, service } = parseScope(scope);
        const api = apiFor(cmd);
        const data = await api.request(MUTATION(verb), { a: application, s: service ?? null, c: opts.channel ?? null });
        const payload = data[verb];
        failOnUserErrors(await withSuggestions(api, payload.userErrors), `cannot ${name} ${scope}`);
        if (formatOf(cmd) === 'json') return printJson(payload.application);
        const what = [service ? `${application}/${service}` : application, opts.channel ? `in ${opts.channel}` : name === 'pause' && !service ? '(every channel)' : ''].filter(Boolean).join(' ');
        console.log(`${text} convergence of ${what}.`);
      });
  }
}
