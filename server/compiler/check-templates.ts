/**
 * Parse-time template checks: every `{{ ... }}` must be answerable in every channel it will be
 * rendered for, so a bad reference fails at applyConfig, not at the first release.
 */
import { quotedList, suggestion, type PathSegment } from './diagnostics.js';
import { forEachString, refText, scanTemplate, type TemplateRef } from './templates.js';
import type { ChannelDoc, RuntimeDoc } from './types.js';

export interface TemplateScope {
  /** Declared parameter names, or undefined where params are not allowed (channel env). */
  params: readonly string[] | undefined;
  /** The channels the value is rendered for. */
  channels: readonly ChannelDoc[];
  /** Known runtimes by name; a channel with an unknown runtime is skipped (reported elsewhere). */
  runtimes: ReadonlyMap<string, RuntimeDoc>;
  applicationName: string;
}

/** What is wrong with one reference in this scope, or undefined when it resolves everywhere. */
export function checkRef(ref: TemplateRef, scope: TemplateScope): string | undefined {
  switch (ref.scope) {
    case 'params': {
      if (scope.params === undefined) {
        return `"{{ ${refText(ref)} }}": a channel's env cannot use params (every service of the application shares it); set it in the service's env`;
      }
      if (scope.params.includes(ref.key)) return undefined;
      const declared = scope.params.length > 0 ? ` (declared: ${scope.params.join(', ')})` : ' (the service declares no parameters)';
      return `unknown parameter "${ref.key}" in "{{ ${refText(ref)} }}"${suggestion(ref.key, scope.params)}${declared}`;
    }
    case 'constants': {
      const lacking = scope.channels.filter((c) => !Object.hasOwn(c.constants, ref.key)).map((c) => c.name);
      if (lacking.length === 0) return undefined;
      if (lacking.length === scope.channels.length) {
        const known = new Set(scope.channels.flatMap((c) => Object.keys(c.constants)));
        const where = scope.channels.length === 1 ? `channel "${scope.channels[0]!.name}"` : `any channel of application "${scope.applicationName}"`;
        return `unknown constant "${ref.key}" in "{{ ${refText(ref)} }}": not defined in ${where}${suggestion(ref.key, known)}`;
      }
      return `constant "${ref.key}" in "{{ ${refText(ref)} }}" is not defined in channel${lacking.length > 1 ? 's' : ''} ${quotedList(lacking)}`;
    }
    case 'runtime.labels': {
      // Grouped by runtime: several channels usually share one.
      const lacking = new Map<string, string[]>();
      for (const channel of scope.channels) {
        const runtime = scope.runtimes.get(channel.runtime);
        if (runtime && !Object.hasOwn(runtime.labels, ref.key)) lacking.set(runtime.name, [...(lacking.get(runtime.name) ?? []), channel.name]);
      }
      if (lacking.size === 0) return undefined;
      const where = [...lacking].map(([runtime, channels]) => `runtime "${runtime}" (channel${channels.length > 1 ? 's' : ''} ${quotedList(channels)})`);
      return `label "${ref.key}" in "{{ ${refText(ref)} }}" is not set on ${where.join(', ')}`;
    }
    case 'runtime.constants': {
      const lacking = new Map<string, string[]>();
      for (const channel of scope.channels) {
        const runtime = scope.runtimes.get(channel.runtime);
        if (runtime && !Object.hasOwn(runtime.constants ?? {}, ref.key)) lacking.set(runtime.name, [...(lacking.get(runtime.name) ?? []), channel.name]);
      }
      if (lacking.size === 0) return undefined;
      const where = [...lacking].map(([runtime, channels]) => `runtime "${runtime}" (channel${channels.length > 1 ? 's' : ''} ${quotedList(channels)})`);
      return `runtime constant "${ref.key}" in "{{ ${refText(ref)} }}" is not set on ${where.join(', ')}`;
    }
    default:
      return undefined;
  }
}

/** Checks every string inside `value` (found at `path`); calls `report` per problem. */
export function checkTemplates(
  value: unknown,
  path: PathSegment[],
  scope: TemplateScope,
  report: (path: PathSegment[], text: string) => void,
): void {
  forEachString(value, path, (text, at) => {
    const scanned = scanTemplate(text);
    for (const error of scanned.errors) report(at, error);
    for (const ref of scanned.refs) {
      const problem = checkRef(ref, scope);
      if (problem) report(at, problem);
    }
  });
}
