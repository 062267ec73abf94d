import type { Command } from 'commander';
import pc from 'picocolors';
import { apiFor, formatOf } from '../args.js';
import { printJson, table } from '../output.js';

const PLUGINS = `{ runtimePlugins { name packageName version status reason } }`;

export function registerPlugins(program: Command): void {
  program
    .command('plugins')
    .description('runtime plugins the server discovered, and whether it loaded them')
    .action(async (_opts: unknown, cmd: Command) => {
      const { runtimePlugins } = await apiFor(cmd).request(PLUGINS);
      if (formatOf(cmd) === 'json') return printJson(runtimePlugins);
      const rows = runtimePlugins.map((p: any) => [p.name, p.packageName, p.version, p.status === 'LOADED' ? pc.green(p.status) : pc.red(p.status), p.reason ?? '']);
      console.log(table(['NAME', 'PACKAGE', 'VERSION', 'STATUS', 'REASON'], rows));
    });
}
