import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

export type LogFormat = 'pretty' | 'json';

/**
 * Logs go to stderr, so they never interleave with what a command prints for people on stdout
 * (the server's URLs and first-start token, the demo's story). On a terminal they are one short
 * line each; anywhere else (a file, a pipe, a log collector) one JSON object per line.
 * DRIFTLESS_LOG_FORMAT=json|pretty overrides the guess.
 */
export function logFormat(env: NodeJS.ProcessEnv = process.env, stderrIsTTY = !!process.stderr.isTTY): LogFormat {
  if (env.DRIFTLESS_LOG_FORMAT === 'json' || env.DRIFTLESS_LOG_FORMAT === 'pretty') return env.DRIFTLESS_LOG_FORMAT;
  return stderrIsTTY ? 'pretty' : 'json';
}

/** Structured logs. Token and config values never reach them: redact anything that might hold one. */
export function createLogger(level: string, format: LogFormat = logFormat(), write: (line: string) => void = (line) => process.stderr.write(line)): Logger {
  const destination: DestinationStream = { write: format === 'pretty' ? (line) => write(prettyLine(line)) : write };
  return pino(
    {
      level,
      base: { service: 'driftless' },
      // `*.x` only reaches one level down: the top-level names are listed too.
      redact: { paths: ['req.headers.authorization', 'authorization', 'token', 'secret', 'config', '*.authorization', '*.token', '*.secret', '*.config', 'connectionParams'], censor: '<redacted>' },
    },
    destination,
  );
}

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const HIDDEN = new Set(['level', 'time', 'msg', 'service', 'pid', 'hostname']);

/** `12:04:05 WARN runtime plugin refused plugin=acme reason="speaks apiVersion 2"` from one pino JSON line. */
export function prettyLine(json: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const time = new Date(typeof entry.time === 'number' ? entry.time : Date.now()).toTimeString().slice(0, 8);
  const level = LEVELS[entry.level as number] ?? String(entry.level);
  const fields = Object.entries(entry)
    .filter(([key]) => !HIDDEN.has(key))
    .map(([key, value]) => `${key}=${field(value)}`);
  return `${time} ${level.padEnd(5)} ${String(entry.msg ?? '')}${fields.length ? ` ${fields.join(' ')}` : ''}\n`;
}

function field(value: unknown): string {
  if (value && typeof value === 'object' && 'message' in value && 'stack' in value) return JSON.stringify((value as { message: unknown }).message);
  if (typeof value === 'string') return /^[\w./:@-]+$/.test(value) ? value : JSON.stringify(value);
  return JSON.stringify(value);
}
