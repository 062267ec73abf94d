import type { Command } from 'commander';
import { failOnUserErrors } from '../api.js';
import { apiFor, formatOf, parseTarget } from '../args.js';
import { usageError } from '../errors.js';
import { printJson } from '../output.js';
import { desiredIn, findRelease } from '../releases.js';

const BYPASS = `mutation Bypass($r: ID!, $c: String!, $g: BypassableGate!, $why: String!) {
  bypassGate(input: { release: $r, channel: $c, gate: $g, reason: $why }) { bypass { channel gate actor reason } userErrors { code message path } } }`;

const GATES = ['dependsOn', 'soak', 'manualApproval', 'allowedTimes', 'alerts', 'httpCheck'];

export function registerBypass(program: Command): void {
  program
    .command('bypass')
    .description('admins: let one release past one gate in one channel, with a reason (recorded as an event)')
    .argument('<app/service>', 'e.g. hello/web')
    .requiredOption('-c, --channel <channel>', 'the channel where the gate holds the release')
    .requiredOption('-g, --gate <gate>', `the gate to bypass: ${GATES.join(', ')}`)
    .requiredOption('-m, --reason <text>', 'why this release may skip the gate (required)')
    .option('-r, --release <release>', 'number, label or id (default: the release the channel is waiting for)')
    .action(async (target: string, opts: { channel: string; gate: string; reason: string; release?: string }, cmd: Command) => {
      if (!GATES.includes(opts.gate)) throw usageError(`unknown gate "${opts.gate}"`, `one of: ${GATES.join(', ')}`);
      const { application, service } = parseTarget(target);
      const api = apiFor(cmd);
      const release = opts.release ? await findRelease(api, application, service, opts.release) : await desiredIn(api, application, service, opts.channel);
      const { bypassGate: payload } = await api.request(BYPASS, { r: release.id, c: opts.channel, g: opts.gate, why: opts.reason });
      failOnUserErrors(payload.userErrors, `cannot bypass ${opts.gate} for ${release.label} in ${opts.channel}`);
      if (formatOf(cmd) === 'json') return printJson({ release, bypass: payload.bypass });
      console.log(`${opts.gate} no longer holds ${release.label} of ${application}/${service} in ${opts.channel} (bypassed by ${payload.bypass.actor}: ${payload.bypass.reason}). Every other gate still does.`);
    });
}
