import type { Command } from 'commander';
import pc from 'picocolors';
import { failOnUserErrors, type Api, type UserError } from '../api.js';
import { apiFor, formatOf } from '../args.js';
import { readConfig, type ConfigBundle } from '../config-files.js';
import { actionMark, diffLines } from '../config-diff.js';
import { printJson, table } from '../output.js';

const ERRORS = 'userErrors { code message path line }';
const PREVIEW = `query Preview($d: String!) { previewConfig(input: { documents: $d }) {
  changes { kind name application action }
  applications { name channels { name runtime services { name action paramsSource desiredState { spec env } ${ERRORS} } } }
  ${ERRORS} } }`;
const CURRENT = `query Current($a: String!) { application(name: $a) { releaseChannels { name instances { service { name } desiredState { spec env } } } } }`;
const APPLY = `mutation Apply($d: String!) { applyConfig(input: { documents: $d }) {
  created { kind name application } updated { kind name application } unchanged { kind name application } ${ERRORS} } }`;

interface Change { kind: string; name: string; application?: string | null; action: string }
interface PreviewService { name: string; action: string; paramsSource: string; desiredState: { spec: object; env: object } | null; userErrors: UserError[] }
interface Preview { changes: Change[]; applications: { name: string; channels: { name: string; runtime: string; services: PreviewService[] }[] }[]; userErrors: UserError[] }

export function registerApply(program: Command): void {
  program
    .command('apply')
    .description('show what a config changes (per channel, rendered), then apply it')
    .requiredOption('-f, --file <path...>', 'YAML file(s) or directories of them')
    .option('--dry-run', 'only show what would change; write nothing')
    .addHelpText('after', '\nExample: driftless apply -f examples/hello --dry-run')
    .action(async (opts: { file: string[]; dryRun?: boolean }, cmd: Command) => {
      const config = readConfig(opts.file);
      const api = apiFor(cmd);
      const json = formatOf(cmd) === 'json';
      const { previewConfig: preview } = await api.request<{ previewConfig: Preview }>(PREVIEW, { d: config.text });
      failOnUserErrors(preview.userErrors, 'the config has errors; nothing was applied', (e) => located(e, config));
      if (!json) await printPreview(api, preview, config);
      if (opts.dryRun) {
        if (json) printJson({ dryRun: true, preview });
        else console.log(pc.dim('\nDry run: nothing was applied.'));
        return;
      }
      const { applyConfig: result } = await api.request(APPLY, { d: config.text });
      failOnUserErrors(result.userErrors, 'the server refused the config; nothing was applied', (e) => located(e, config));
      if (json) return printJson({ dryRun: false, preview, result });
      console.log(`\nApplied: ${result.created.length} created, ${result.updated.length} updated, ${result.unchanged.length} unchanged.`);
    });
}

/** `file:line: message (at path)`: the server numbers lines of the joined stream. */
function located(e: UserError, config: ConfigBundle): string {
  const where = e.line ? `${Object.values(config.locate(e.line)).join(':')}: ` : '';
  const path = e.path.length ? pc.dim(` (at ${e.path.join('/')})`) : '';
  return `${where}${e.message.replace(/ \(line \d+\)$/, '')}${path}`;
}

async function printPreview(api: Api, preview: Preview, config: ConfigBundle): Promise<void> {
  console.log(table(['KIND', 'NAME', 'CHANGE'], preview.changes.map((c) => [c.kind, c.application ? `${c.application}/${c.name}` : c.name, actionMark(c.action)])));
  for (const app of preview.applications) {
    const current = await api.request(CURRENT, { a: app.name });
    for (const channel of app.channels) {
      for (const service of channel.services) {
        const before = current.application?.releaseChannels.find((c: any) => c.name === channel.name)?.instances.find((i: any) => i.service.name === service.name)?.desiredState;
        const source = { INPUT: 'given params', LATEST_RELEASE: 'params of the latest release', PLACEHOLDER: 'no release yet: placeholders' }[service.paramsSource] ?? service.paramsSource;
        console.log(`\n${pc.bold(`${app.name}/${service.name}`)} in ${pc.bold(channel.name)} (runtime ${channel.runtime}, ${source}): ${actionMark(service.action)}`);
        for (const e of service.userErrors) console.log(`  ${pc.red('!')} ${located(e, config)}`);
        if (service.action === 'UNCHANGED' || !service.desiredState) continue;
        const after = { spec: service.desiredState.spec, env: service.desiredState.env };
        for (const line of diffLines(before ? { spec: before.spec, env: before.env } : {}, after)) console.log(`  ${line}`);
      }
    }
  }
}
