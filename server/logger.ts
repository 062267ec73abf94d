import { pino, type Logger } from 'pino';

export type { Logger };

/** Structured logs. Token and config values never reach them: redact anything that might hold one. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'driftless' },
    redact: { paths: ['req.headers.authorization', '*.authorization', '*.token', '*.secret', '*.config', 'connectionParams'], censor: '<redacted>' },
  });
}
