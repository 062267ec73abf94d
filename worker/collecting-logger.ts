/**
 * The logger handed to plugins inside a worker thread. It only collects lines: the main thread
 * owns the real logger and logs them with the tick. Capped, so a chatty plugin cannot bloat results.
 */
import type { PluginLogger } from '@driftless/plugin-sdk';

const MAX_LINES = 20;
const MAX_BYTES = 2048;

export interface CollectingLogger extends PluginLogger {
  /** The collected lines, plus a note of how many were dropped; undefined when nothing was logged. */
  lines(): string[] | undefined;
}

export function createCollectingLogger(): CollectingLogger {
  const lines: string[] = [];
  let bytes = 0;
  let dropped = 0;
  const log = (level: string) => (msg: string, data?: Record<string, unknown>) => {
    let line = `${level} ${String(msg)}`;
    if (data !== undefined) {
      try {
        line += ` ${JSON.stringify(data)}`;
      } catch {
        line += ' [unserializable data]';
      }
    }
    if (lines.length >= MAX_LINES || bytes + line.length > MAX_BYTES) {
      dropped++;
      return;
    }
    lines.push(line);
    bytes += line.length;
  };
  return {
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    lines: () => {
      if (lines.length === 0 && dropped === 0) return undefined;
      return dropped > 0 ? [...lines, `... ${dropped} more line(s) dropped`] : [...lines];
    },
  };
}
