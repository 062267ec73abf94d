import type { Command } from 'commander';
import pc from 'picocolors';
import { apiFor, formatOf } from '../args.js';
import { CliError, EXIT } from '../errors.js';
import { printJson } from '../output.js';
import { settingsFile, writeSettings } from '../settings.js';

const VIEWER = `{ viewer { name role allApplications applications } }`;

interface ViewerData {
  viewer: { name: string; role: string; allApplications: boolean; applications: string[] };
}

export function registerLogin(program: Command): void {
  program
    .command('login')
    .description('check a server URL and token, then save them for later commands (file mode 0600)')
    .addHelpText('after', '\nExample: driftless login --server http://127.0.0.1:4000 --token dl_...')
    .action(async (_opts: unknown, cmd: Command) => {
      const api = apiFor(cmd);
      if (api.connection.tokenSource !== 'flag' && api.connection.tokenSource !== 'env') {
        throw new CliError('login needs a token', EXIT.USAGE, 'driftless login --server URL --token T (or set DRIFTLESS_TOKEN)');
      }
      // Refuse to save what does not work: a wrong URL or token fails here with its usual message.
      const { viewer } = await api.request<ViewerData>(VIEWER);
      const file = settingsFile();
      writeSettings({ url: api.url, token: api.connection.token }, file);
      console.log(`Logged in to ${api.url} as ${pc.bold(viewer.name)} (${viewer.role}${viewer.allApplications ? '' : `, applications ${viewer.applications.join(', ')}`}).`);
      console.log(pc.dim(`Saved to ${file}`));
    });

  program
    .command('whoami')
    .description('show the server and the token in use (never the token itself)')
    .action(async (_opts: unknown, cmd: Command) => {
      const api = apiFor(cmd);
      const { viewer } = await api.request<ViewerData>(VIEWER);
      if (formatOf(cmd) === 'json') return printJson({ server: api.url, ...viewer });
      console.log(`${viewer.name} (${viewer.role}${viewer.allApplications ? '' : `, applications ${viewer.applications.join(', ')}`}) at ${api.url}`);
    });
}
