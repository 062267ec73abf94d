import type { Command } from 'commander';
import { Api } from './api.js';
import { usageError } from './errors.js';
import { outputFormat, type OutputFormat } from './output.js';
import { resolveConnection } from './settings.js';

/** The global flags every command sees (declared once on the program in main.ts). */
export interface GlobalFlags {
  server?: string;
  token?: string;
  output?: string;
}

export function apiFor(cmd: Command): Api {
  const flags = cmd.optsWithGlobals<GlobalFlags>();
  return new Api(resolveConnection(flags));
}

export function formatOf(cmd: Command): OutputFormat {
  return outputFormat(cmd.optsWithGlobals<GlobalFlags>().output);
}

/** `app/service`, or `app service` as two words (the example config's comment uses that form). */
export function parseTarget(first: string, second?: string): { application: string; service: string } {
  if (second !== undefined) {
    if (first.includes('/')) throw usageError(`expected <app>/<service> or <app> <service>, got "${first} ${second}"`);
    return { application: first, service: second };
  }
  const parts = first.split('/');
  if (parts.length !== 2 || !parts[0] || !parts[1]) throw usageError(`expected <app>/<service>, got "${first}"`, 'e.g. driftless release hello/web --param version=v2');
  return { application: parts[0], service: parts[1] };
}

/** `app` or `app/service` (pause and resume take both). */
export function parseScope(text: string): { application: string; service?: string } {
  const parts = text.split('/');
  if (parts.length > 2 || !parts[0] || parts[1] === '') throw usageError(`expected <app> or <app>/<service>, got "${text}"`);
  return { application: parts[0], service: parts[1] };
}

/** Repeated `--param k=v` into an object; values stay strings (the server coerces to the declared type). */
export function parseParams(pairs: string[]): Record<string, string> {
  const params: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw usageError(`bad --param "${pair}": expected name=value`, 'e.g. --param version=v2');
    const name = pair.slice(0, at).trim();
    if (name in params) throw usageError(`--param ${name} given twice`);
    params[name] = pair.slice(at + 1);
  }
  return params;
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
