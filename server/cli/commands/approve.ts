import type { Command } from 'commander';
import pc from 'picocolors';
import { failOnUserErrors } from '../api.js';
import { apiFor, formatOf, parseTarget } from '../args.js';
import { printJson } from '../output.js';
import { describePlan, desiredIn, findRelease } from '../releases.js';

const DECIDE = (verb: 'approveRelease' | 'rejectRelease') => `mutation Decide($r: ID!, $c: String!, $m: String) {
  ${verb}(input: { release: $r, channel: $c, comment: $m }) { approvals { actor decision channel comment createdAt } userErrors { code message path } } }`;

export function registerApprove(program: Command): void {
  for (const [name, verb, done] of [
    ['approve', 'approveRelease', 'approved'],
    ['reject', 'rejectRelease', 'rejected'],
  ] as const) {
    program
      .command(name)
      .description(`${name} a release in a channel with a manualApproval gate`)
      .argument('<app/service>', 'e.g. hello/web')
      .requiredOption('-c, --channel <channel>', 'the channel whose gate this decides')
      .option('-r, --release <release>', 'number, label or id (default: the release the channel is waiting for)')
      .option('-m, --comment <text>', 'why, recorded with the decision')
      .action(async (target: string, opts: { channel: string; release?: string; comment?: string }, cmd: Command) => {
        const { application, service } = parseTarget(target);
        const api = apiFor(cmd);
        const release = opts.release ? await findRelease(api, application, service, opts.release) : await desiredIn(api, application, service, opts.channel);
        // Say what is being decided before deciding it: the plan, against what runs there now.
        const plan = formatOf(cmd) === 'json' ? [] : await describePlan(api, release, opts.channel);
        if (plan.length) console.log(plan.join('\n'));
        const data = await api.request(DECIDE(verb), { r: release.id, c: opts.channel, m: opts.comment ?? null });
        const payload = data[verb];
        failOnUserErrors(payload.userErrors, `cannot ${name} ${release.label} in ${opts.channel}`);
        if (formatOf(cmd) === 'json') return printJson({ release, approvals: payload.approvals });
        const approvals = payload.approvals.filter((a: { decision: string }) => a.decision === 'APPROVE').length;
        console.log(`${pc.bold(release.label)} (#${release.number}) of ${application}/${service} ${done} for ${opts.channel} (${approvals} approval${approvals === 1 ? '' : 's'} so far).`);
      });
  }
}
