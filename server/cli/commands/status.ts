import type { Command } from 'commander';
import pc from 'picocolors';
import { apiFor, formatOf } from '../args.js';
import { colorStatus, printJson, table } from '../output.js';
import { unknownApplication } from '../suggest.js';

const APP_FIELDS = `name paused releaseChannels { name paused runtime { name } gates { summary }
  instances { service { name } status statusSince reasons { code message since } desiredRelease { label } convergedRelease { label } } }`;
const ONE = `query Status($a: String!) { application(name: $a) { ${APP_FIELDS} } }`;
// Names first, then one query per application: nesting everything under the connection costs more than the server's query limit allows.
const NAMES = `query Names { applications(first: 100) { nodes { name } } }`;

interface Instance { service: { name: string }; status: string; reasons: { code: string; message: string }[]; desiredRelease: { label: string } | null; convergedRelease: { label: string } | null }
interface App { name: string; paused: boolean; releaseChannels: { name: string; paused: boolean; runtime: { name: string }; gates: { summary: string }[]; instances: Instance[] }[] }

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('where every service stands in every channel, and why (a table of channels × services)')
    .argument('[app]', 'one application (default: every application you can see)')
    .action(async (name: string | undefined, _opts: unknown, cmd: Command) => {
      const api = apiFor(cmd);
      const names: string[] = name ? [name] : (await api.request(NAMES)).applications.nodes.map((a: { name: string }) => a.name);
      const apps: App[] = (await Promise.all(names.map(async (a) => (await api.request(ONE, { a })).application))).filter(Boolean);
      if (name && !apps.length) throw await unknownApplication(api, name);
      if (formatOf(cmd) === 'json') return printJson(name ? apps[0] : apps);
      if (!apps.length) {
        console.log('No applications yet. Apply a config: driftless apply -f examples/hello');
        return;
      }
      console.log(apps.map(render).join('\n\n'));
    });
}

function render(app: App): string {
  const rows = app.releaseChannels.flatMap((channel) =>
    channel.instances.map((i) => [channel.name, i.service.name, colorStatus(i.status), release(i), i.status === 'CONVERGED' ? '' : (i.reasons[0]?.message ?? '')]),
  );
  const gates = app.releaseChannels.filter((c) => c.gates.length).map((c) => `${c.name}: ${c.gates.map((g) => g.summary).join(', ')}`);
  return [
    `${pc.bold(app.name)}${app.paused ? pc.yellow(' (paused)') : ''}`,
    rows.length ? table(['CHANNEL', 'SERVICE', 'STATUS', 'RELEASE', 'WHY'], rows) : pc.dim('  no services'),
    ...(gates.length ? [pc.dim(`gates: ${gates.join('; ')}`)] : []),
  ].join('\n');
}

/**
 * `v1`; `v1 → v2` while v2 is on its way; `→ v1` before the first converges; `v1 (v2 rolled back)`
 * or `v1 (v2 failed)` when the release asked for will not come here (it is marked bad here).
 */
function release(i: Instance): string {
  const from = i.convergedRelease?.label ?? '';
  const to = i.desiredRelease?.label;
  if (!to) return from || '-';
  if (from === to) return from;
  const stuck = i.status === 'ROLLED_BACK' ? 'rolled back' : i.status === 'ROLLING_BACK' ? 'rolling back' : i.status === 'FAILED' ? 'failed' : i.reasons[0]?.code === 'RELEASE_MARKED_BAD' ? 'marked bad upstream' : undefined;
  if (stuck) return `${from || '-'} (${to} ${stuck})`;
  return `${from ? `${from} ` : ''}→ ${to}`;
}
