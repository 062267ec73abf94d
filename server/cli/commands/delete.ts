import type { Command } from 'commander';
import { failOnUserErrors } from '../api.js';
import { apiFor, formatOf } from '../args.js';
import { CliError, EXIT } from '../errors.js';
import { printJson } from '../output.js';
import { withSuggestions } from '../suggest.js';

const MUTATIONS = {
  application: `mutation Del($n: String!) { deleteApplication(input: { name: $n }) { deletedId userErrors { code message path } } }`,
  runtime: `mutation Del($n: String!) { deleteRuntime(input: { name: $n }) { deletedId userErrors { code message path } } }`,
};

export function registerDelete(program: Command): void {
  program
    .command('delete')
    .description('delete an application (with its channels, services, releases; its instances are removed from their runtimes) or an unused runtime')
    .argument('<kind>', 'application or runtime')
    .argument('<name>')
    .option('-y, --yes', 'required: deleting cannot be undone')
    .action(async (kind: string, name: string, opts: { yes?: boolean }, cmd: Command) => {
      if (kind !== 'application' && kind !== 'runtime') throw new CliError(`cannot delete a "${kind}"`, EXIT.USAGE, 'driftless delete application <name> --yes, or delete runtime <name> --yes');
      if (!opts.yes) throw new CliError(`deleting ${kind} ${name} cannot be undone`, EXIT.USAGE, `add --yes: driftless delete ${kind} ${name} --yes`);
      const api = apiFor(cmd);
      const data = await api.request(MUTATIONS[kind], { n: name });
      const payload = kind === 'application' ? data.deleteApplication : data.deleteRuntime;
      failOnUserErrors(kind === 'application' ? await withSuggestions(api, payload.userErrors) : payload.userErrors, `cannot delete ${kind} ${name}`);
      if (formatOf(cmd) === 'json') return printJson({ deleted: kind, name, id: payload.deletedId });
      console.log(`Deleted ${kind} ${name}.`);
    });
}
