import type { Command } from 'commander';
import pc from 'picocolors';
import { failOnUserErrors, type Api } from '../api.js';
import { apiFor, formatOf } from '../args.js';
import { CliError, EXIT, usageError } from '../errors.js';
import { printJson, table } from '../output.js';

const FIELDS = 'id name role allApplications applications prefix createdAt createdBy revokedAt';
const LIST = `{ apiTokens { ${FIELDS} } }`;
const CREATE = `mutation Create($n: String!, $r: Role!, $a: [String!]) { createApiToken(input: { name: $n, role: $r, applications: $a }) { apiToken { ${FIELDS} } secret userErrors { code message path } } }`;
const REVOKE = `mutation Revoke($id: ID!) { revokeApiToken(input: { id: $id }) { apiToken { ${FIELDS} } userErrors { code message path } } }`;

interface Token { id: string; name: string; role: string; allApplications: boolean; applications: string[]; prefix: string; createdAt: string; createdBy: string; revokedAt: string | null }

const ROLES = ['admin', 'deployer', 'viewer'];

export function registerToken(program: Command): void {
  const token = program.command('token').description('API tokens: create (the secret is shown once), list, revoke');

  token
    .command('create')
    .argument('<name>')
    .requiredOption('-r, --role <role>', 'admin, deployer or viewer')
    .option('-a, --app <names>', 'limit the token to these applications (comma-separated)')
    .description('create a token; its secret is printed this once')
    .action(async (name: string, opts: { role: string; app?: string }, cmd: Command) => {
      if (!ROLES.includes(opts.role)) throw usageError(`unknown role "${opts.role}"`, `use one of ${ROLES.join(', ')}`);
      const applications = opts.app?.split(',').map((a) => a.trim()).filter(Boolean);
      const { createApiToken: payload } = await apiFor(cmd).request(CREATE, { n: name, r: opts.role, a: applications?.length ? applications : null });
      failOnUserErrors(payload.userErrors, `cannot create token ${name}`);
      if (formatOf(cmd) === 'json') return printJson({ ...payload.apiToken, secret: payload.secret });
      console.log(`Created token ${pc.bold(name)} (${opts.role}${applications?.length ? `, applications ${applications.join(', ')}` : ''}). Its secret, shown this once:`);
      console.log(`\n  ${payload.secret}\n`);
      console.log(pc.dim('Store it now; the server keeps only a hash. Use it as DRIFTLESS_TOKEN or with driftless login.'));
    });

  token
    .command('list')
    .description('every token (never their secrets), newest last')
    .action(async (_opts: unknown, cmd: Command) => {
      const tokens = await list(apiFor(cmd));
      if (formatOf(cmd) === 'json') return printJson(tokens);
      const rows = tokens.map((t) => [t.name, t.role, t.allApplications ? 'all' : t.applications.join(','), `${t.prefix}…`, t.createdAt.slice(0, 19).replace('T', ' '), t.revokedAt ? pc.red(`revoked ${t.revokedAt.slice(0, 10)}`) : pc.green('active')]);
      console.log(table(['NAME', 'ROLE', 'APPLICATIONS', 'PREFIX', 'CREATED', 'STATE'], rows));
    });

  token
    .command('revoke')
    .argument('<id|name>')
    .description('revoke a token by id or name: it stops working at once')
    .action(async (which: string, _opts: unknown, cmd: Command) => {
      const api = apiFor(cmd);
      const active = (await list(api)).filter((t) => !t.revokedAt);
      const hits = active.filter((t) => t.id === which || t.name === which);
      if (!hits.length) throw new CliError(`no active token "${which}"`, EXIT.USAGE, 'driftless token list shows the tokens');
      if (hits.length > 1) throw new CliError(`${hits.length} active tokens are named "${which}"`, EXIT.USAGE, 'revoke one by its id (driftless token list --output json)');
      const { revokeApiToken: payload } = await api.request(REVOKE, { id: hits[0]!.id });
      failOnUserErrors(payload.userErrors, `cannot revoke ${which}`);
      if (formatOf(cmd) === 'json') return printJson(payload.apiToken);
      console.log(`Revoked token ${pc.bold(hits[0]!.name)}.`);
    });
}

async function list(api: Api): Promise<Token[]> {
  return (await api.request<{ apiTokens: Token[] }>(LIST)).apiTokens;
}
