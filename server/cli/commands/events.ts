import type { Command } from 'commander';
import pc from 'picocolors';
import { apiFor, formatOf } from '../args.js';
import { usageError } from '../errors.js';
import { printJson } from '../output.js';
import { unknownApplication } from '../suggest.js';

const FIELDS = 'id at type actor subject message';
const HISTORY = `query Events($a: String, $n: Int!, $actor: String, $since: DateTimeISO) { events(application: $a, first: $n, actor: $actor, since: $since) { nodes { ${FIELDS} actorTokenId data } } }`;
const EXISTS = `query App($a: String!) { application(name: $a) { name } }`;
const LIVE = `subscription Events($a: String!) { convergenceEvents(application: $a) { ${FIELDS} } }`;

interface Event { id: string; at: string; type: string; actor: string; subject: string; message: string; actorTokenId?: string | null; data?: unknown }

/** `--since`: an ISO time, or a duration back from now (30m, 12h, 7d). */
export function sinceOf(text: string, now = Date.now()): Date {
  const ago = /^(\d+)\s*(s|m|h|d)$/.exec(text.trim());
  if (ago) return new Date(now - Number(ago[1]) * { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[ago[2] as 's' | 'm' | 'h' | 'd']);
  const at = new Date(text);
  if (Number.isNaN(at.getTime())) throw usageError(`--since must be a time (2026-12-01T09:00:00Z) or a duration back from now (30m, 12h, 7d), got "${text}"`);
  return at;
}

export function registerEvents(program: Command): void {
  program
    .command('events')
    .description('the history: what the engine decided and what people did, oldest first')
    .argument('[app]', 'one application (default: every event; needs a token without an application scope)')
    .option('-f, --follow', 'keep printing new events as they happen (Ctrl-C stops)')
    .option('-n, --limit <count>', 'how many past events to show', '20')
    .option('--actor <who>', 'only events by this actor: engine, or a token name')
    .option('--since <when>', 'only events since a time (ISO) or a duration back from now (30m, 12h, 7d)')
    .option('--json', 'one JSON object per line (with actorTokenId and data), for export')
    .action(async (app: string | undefined, opts: { follow?: boolean; limit: string; actor?: string; since?: string; json?: boolean }, cmd: Command) => {
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 0 || limit > 500) throw usageError(`--limit must be a whole number from 0 to 500, got "${opts.limit}"`);
      if (opts.follow && !app) throw usageError('--follow needs an application', 'e.g. driftless events hello --follow');
      const api = apiFor(cmd);
      const json = formatOf(cmd) === 'json' || !!opts.json;
      const since = opts.since ? sinceOf(opts.since).toISOString() : null;
      if (app && !(await api.request(EXISTS, { a: app })).application) {
        throw await unknownApplication(api, app);
      }
      const past: Event[] = limit ? (await api.request(HISTORY, { a: app ?? null, n: limit, actor: opts.actor ?? null, since })).events.nodes.reverse() : [];
      if (opts.json && !opts.follow) {
        for (const e of past) console.log(JSON.stringify(e));
        return;
      }
      if (!opts.follow) {
        if (json) return printJson(past);
        if (!past.length) console.log('No events yet.');
        for (const e of past) console.log(line(e));
        return;
      }
      // Following prints one JSON object per line with --output json (easy to pipe into jq).
      const seen = new Set<string>();
      const print = (e: Event) => {
        if (seen.has(e.id)) return;
        seen.add(e.id);
        console.log(json ? JSON.stringify(e) : line(e));
      };
      past.forEach(print);
      await new Promise<void>((resolve, reject) => {
        const stop = api.subscribe<{ convergenceEvents: Event }>(LIVE, { a: app }, (d) => print(d.convergenceEvents), (err) => (stop(), reject(err)));
        const quit = () => (stop(), resolve());
        process.once('SIGINT', quit);
        process.once('SIGTERM', quit);
      }).finally(() => api.close());
    });
}

function line(e: Event): string {
  const at = new Date(e.at).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
  return `${pc.dim(at)}  ${e.type.padEnd(23)}  ${e.message}  ${pc.dim(`(${e.actor})`)}`;
}
