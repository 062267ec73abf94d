import pc from 'picocolors';
import { colorStatus, elapsed, table } from './output.js';
import { verdictOf, type InstanceState, type WatchedRelease } from './watch.js';

/** Why a channel is where it is, in words: the first reason, or where it converged. */
export function why(i: InstanceState): string {
  if (i.status === 'CONVERGED') return i.convergedRelease ? `running ${i.convergedRelease.label}` : 'converged';
  return i.reasons[0]?.message ?? '';
}

/** A terminal we can redraw in: a TTY that knows its size (an unsized pty would show nothing). */
export function isLiveTerminal(): boolean {
  return !!process.stdout.isTTY && (process.stdout.rows ?? 0) > 0;
}

/** One table row per channel: a wrapped reason would break the in-place redraw. */
function fit(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, Math.max(10, width - 1))}…` : text;
}

export interface ProgressView {
  update(instances: InstanceState[]): void;
  /** Leaves the last picture on screen. */
  done(): void;
}

/**
 * On a terminal: one live table (channel, status, elapsed in that status, why), redrawn in place.
 * Elsewhere (CI logs, pipes): one line per change of a channel, stamped with the time since start.
 */
export async function progressView(release: WatchedRelease, options: { tty: boolean; hint?: (channel: string) => string }): Promise<ProgressView> {
  return options.tty ? liveView(release, options.hint) : lineView(release, options.hint);
}

async function liveView(release: WatchedRelease, hint?: (channel: string) => string): Promise<ProgressView> {
  // Loaded only for a terminal that is redrawn in place, so other CLI calls start faster.
  const { createLogUpdate } = await import('log-update');
  const log = createLogUpdate(process.stdout);
  let last: InstanceState[] = [];
  const draw = () => {
    const width = (process.stdout.columns ?? 120) - 40;
    const rows = last.map((i) => [i.channel.name, colorStatus(i.status), elapsed(Date.now() - Date.parse(i.statusSince)), fit(why(i), width)]);
    const waiting = last.filter((i) => verdictOf(i, release) === 'awaiting-approval');
    const hints = hint ? waiting.map((i) => pc.dim(`  approve with: ${hint(i.channel.name)}`)) : [];
    log([`${pc.bold(release.label)} (release #${release.number})`, table(['CHANNEL', 'STATUS', 'FOR', 'WHY'], rows), ...hints].join('\n'));
  };
  // The elapsed column moves even when nothing else does.
  const ticker = setInterval(draw, 1000);
  return {
    update: (instances) => {
      last = instances;
      draw();
    },
    done: () => {
      clearInterval(ticker);
      draw();
      log.done();
    },
  };
}

function lineView(release: WatchedRelease, hint?: (channel: string) => string): ProgressView {
  const started = Date.now();
  const seen = new Map<string, string>();
  const hinted = new Set<string>();
  return {
    update: (instances) => {
      for (const i of instances) {
        const text = `${i.status} ${why(i)}`;
        if (seen.get(i.channel.name) === text) continue;
        seen.set(i.channel.name, text);
        const stamp = `[${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s]`;
        console.log(`${stamp} ${i.channel.name}: ${i.status}${why(i) ? ` - ${why(i)}` : ''}`);
        if (hint && !hinted.has(i.channel.name) && verdictOf(i, release) === 'awaiting-approval') {
          hinted.add(i.channel.name);
          console.log(`          approve with: ${hint(i.channel.name)}`);
        }
      }
    },
    done: () => undefined,
  };
}
