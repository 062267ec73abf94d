import type { Command } from 'commander';
import pc from 'picocolors';
import { failOnUserErrors } from '../api.js';
import { apiFor, collect, formatOf, parseParams, parseTarget } from '../args.js';
import { CliError, EXIT, usageError } from '../errors.js';
import { elapsed, parseDuration, printJson } from '../output.js';
import { isLiveTerminal, progressView, why } from '../progress-view.js';
import { withSuggestions } from '../suggest.js';
import { verdictOf, watchRelease, type InstanceState, type WatchedRelease } from '../watch.js';

const CREATE = `mutation Release($a: String!, $s: String!, $p: JSONObject!) {
  createRelease(input: { application: $a, service: $s, params: $p }) {
    release { id number label params createdAt }
    userErrors { code message path }
  } }`;

const CREATE_GROUP = `mutation Release($a: String!, $s: [ServiceReleaseInput!]!) {
  createRelease(input: { application: $a, services: $s }) {
    group { label releases { label service { name } } }
    userErrors { code message path } } }`;

/** `web.version=v2 api.version=v7` → one entry per service, in the order given. */
function paramsPerService(params: Record<string, string>): { service: string; params: Record<string, string> }[] {
  const out = new Map<string, Record<string, string>>();
  for (const [key, value] of Object.entries(params)) {
    const dot = key.indexOf('.');
    if (dot <= 0) throw usageError(`--param ${key}: releasing several services takes <service>.<name>=value for every parameter`, 'e.g. --param web.version=v2 --param api.version=v7');
    const service = key.slice(0, dot);
    out.set(service, { ...(out.get(service) ?? {}), [key.slice(dot + 1)]: value });
  }
  return [...out].map(([service, p]) => ({ service, params: p }));
}

export function registerRelease(program: Command): void {
  program
    .command('release')
    .description('create a release of a service (or of several as one): deliver these parameters everywhere, by the rules')
    .argument('<app/service>', 'e.g. hello/web (or two words: hello web); just <app> with --param <service>.<name>=value releases several services as one')
    .argument('[service]')
    .option('-p, --param <name=value>', 'a parameter value (repeatable), e.g. --param version=v2', collect, [])
    .option('-w, --wait', 'follow the release until every channel converges on it (exit 0) or one fails or rolls back (exit 1)')
    .option('--timeout <duration>', 'with --wait: give up after this long (exit 1)', '10m')
    .addHelpText('after', '\nExamples:\n  driftless release hello/web --param version=v2 --wait --timeout 5m\n  driftless release shop --param web.version=v2 --param api.version=v7   (one release of both, in service order)')
    .action(async (target: string, second: string | undefined, opts: { param: string[]; wait?: boolean; timeout: string }, cmd: Command) => {
      if (!target.includes('/') && second === undefined) return releaseSeveral(cmd, target, opts);
      const { application, service } = parseTarget(target, second);
      const params = parseParams(opts.param);
      const timeoutMs = parseDuration(opts.timeout);
      const json = formatOf(cmd) === 'json';
      const api = apiFor(cmd);
      try {
        const { createRelease } = await api.request(CREATE, { a: application, s: service, p: params });
        failOnUserErrors(await withSuggestions(api, createRelease.userErrors), `cannot release ${application}/${service}`);
        const release = createRelease.release as WatchedRelease & { params: object };
        if (!opts.wait) {
          if (json) return printJson(release);
          console.log(`Created release ${pc.bold(release.label)} (#${release.number}) of ${application}/${service}.`);
          console.log(pc.dim(`Follow it with: driftless status ${application}`));
          return;
        }
        if (!json) console.log(`Created release ${pc.bold(release.label)} (#${release.number}) of ${application}/${service}; following it (up to ${opts.timeout}).`);
        const approveHint = (channel: string) => `driftless approve ${application}/${service} --channel ${channel} --release ${release.number}`;
        const view = json ? undefined : await progressView(release, { tty: isLiveTerminal(), hint: approveHint });
        const started = Date.now();
        const { outcome, instances } = await watchRelease({ api, application, service, release, timeoutMs, onUpdate: (i) => view?.update(i) }).finally(() => view?.done());
        if (json) printJson({ release, outcome, instances });
        if (outcome === 'converged') {
          if (!json) console.log(pc.green(`${release.label} converged in every channel (${instances.map((i) => i.channel.name).join(', ')}) after ${elapsed(Date.now() - started)}.`));
          return;
        }
        if (outcome === 'failed') {
          // Name the root cause: the channel where it failed, not a downstream one that refuses it.
          const rank = (status: string) => ['ROLLED_BACK', 'FAILED', 'ROLLING_BACK'].indexOf(status) + 1 || 9;
          const rollingBack = (i: InstanceState) => i.status === 'ROLLING_BACK' && Date.parse(i.statusSince) >= Date.parse(release.createdAt);
          const bad = instances.filter((i) => ['failed', 'superseded'].includes(verdictOf(i, release)) || rollingBack(i)).sort((a, b) => rank(a.status) - rank(b.status))[0]!;
          const superseded = verdictOf(bad, release) === 'superseded';
          throw new CliError(
            superseded ? `${release.label} was superseded in ${bad.channel.name} by ${bad.desiredRelease?.label}` : `${release.label} failed in ${bad.channel.name}: ${bad.status}${why(bad) ? ` - ${why(bad)}` : ''}`,
            EXIT.FAILURE,
            superseded ? undefined : `see the history with: driftless events ${application}`,
          );
        }
        const open = instances.filter((i) => verdictOf(i, release) !== 'converged');
        const waiting = open.find((i) => verdictOf(i, release) === 'awaiting-approval');
        throw new CliError(
          `timed out after ${opts.timeout}: ${open.map((i) => `${i.channel.name} is ${i.status}${why(i) ? ` (${why(i)})` : ''}`).join('; ') || 'no channel reported yet'}`,
          EXIT.FAILURE,
          waiting ? `approve with: ${approveHint(waiting.channel.name)}` : `the release goes on without you; check with: driftless status ${application}`,
        );
      } finally {
        await api.close();
      }
    });
}

/** `driftless release <app> --param web.version=v2 --param api.version=v7`: one release of several services. */
async function releaseSeveral(cmd: Command, application: string, opts: { param: string[]; wait?: boolean }): Promise<void> {
  if (opts.wait) throw usageError('--wait follows the release of one service; follow a release of several with driftless status ' + application);
  const services = paramsPerService(parseParams(opts.param));
  if (services.length < 2) throw usageError('name at least two services, or give <app>/<service> for one', 'e.g. driftless release shop --param web.version=v2 --param api.version=v7');
  const api = apiFor(cmd);
  try {
    const { createRelease } = await api.request(CREATE_GROUP, { a: application, s: services });
    failOnUserErrors(await withSuggestions(api, createRelease.userErrors), `cannot release ${services.map((s) => s.service).join(', ')} of ${application}`);
    if (formatOf(cmd) === 'json') return printJson(createRelease.group);
    console.log(`Created release ${pc.bold(createRelease.group.label)} of ${application}: these services go through every channel together, in this order.`);
    console.log(pc.dim(`Follow it with: driftless status ${application}`));
  } finally {
    await api.close();
  }
}
