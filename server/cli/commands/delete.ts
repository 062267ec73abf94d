import type { Command } from 'commander';
import { failOnUserErrors } from '../api.js';
import { apiFor, formatOf, parseTarget } from '../args.js';
import { CliError, EXIT } from '../errors.js';
import { printJson } from '../output.js';
import { withSuggestions } from '../suggest.js';

const KINDS = ['application', 'service', 'runtime'] as const;
type Kind = (typeof KINDS)[number];

const MUTATIONS: Record<Kind, string> = {
  application: `mutation Del($n: String!) { result: deleteApplication(input: { name: $n }) { deletedId userErrors { code message path } } }`,
  service: `mutation Del($a: String!, $n: String!) { result: deleteService(input: { application: $a, name: $n }) { deletedId userErrors { code message path } } }`,
  runtime: `mutation Del($n: String!) { result: deleteRuntime(input: { name: $n }) { deletedId userErrors { code message path } } }`,
};

export function registerDelete(program: Command): void {
  program
    .command('delete')
    .description('delete an application or a service (what ran is removed from the runtimes) or an unused runtime')
    .argument('<kind>', KINDS.join(', '))
    .argument('<name>', 'for a service: app/service')
    .option('-y, --yes', 'required: deleting cannot be undone')
    .action(async (kind: string, name: string, opts: { yes?: boolean }, cmd: Command) => {
      if (!(KINDS as readonly string[]).includes(kind)) throw new CliError(`cannot delete a "${kind}"`, EXIT.USAGE, 'driftless delete application <name> --yes, delete service <app/service> --yes, or delete runtime <name> --yes');
      if (!opts.yes) throw new CliError(`deleting ${kind} ${name} cannot be undone`, EXIT.USAGE, `add --yes: driftless delete ${kind} ${name} --yes`);
      const api = apiFor(cmd);
      const variables = kind === 'service' ? (({ application, service }) => ({ a: application, n: service }))(parseTarget(name)) : { n: name };
      const { result: payload } = await api.request(MUTATIONS[kind as Kind], variables);
      failOnUserErrors(kind === 'runtime' ? payload.userErrors : await withSuggestions(api, payload.userErrors), `cannot delete ${kind} ${name}`);
      if (formatOf(cmd) === 'json') return printJson({ deleted: kind, name, id: payload.deletedId });
      console.log(`Deleted ${kind} ${name}.${kind === 'runtime' ? '' : ' What ran is being removed from its runtimes (driftless events shows when it is done).'}`);
    });
}
