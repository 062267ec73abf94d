/** Looks up template references for one service in one channel, strictly. */
import { suggestion } from './diagnostics.js';
import { previewPlaceholder } from './params.js';
import { refText, type Lookup, type Resolver } from './templates.js';
import type { ChannelDoc, RuntimeDoc } from './types.js';

export interface ResolverScope {
  applicationName: string;
  channel: ChannelDoc;
  runtime: RuntimeDoc;
  /** Resolved parameter values; undefined where params may not be used (a channel's env). */
  params: Record<string, string | number> | undefined;
  declaredParams: readonly string[];
  /** Declared params without a value render as `<params.x>` (dry-run previews). */
  previewMissing: boolean;
  /** Params already reported as missing or invalid: not reported again at every use. */
  alreadyReported: ReadonlySet<string>;
}

export function makeResolver(scope: ResolverScope): Resolver {
  const found = (value: string | number | boolean): Lookup => ({ ok: true, value });
  const missing = (error: string): Lookup => ({ ok: false, error });
  return (ref) => {
    const source = `"{{ ${refText(ref)} }}"`;
    switch (ref.scope) {
      case 'params': {
        if (scope.params === undefined) return missing(`${source}: a channel's env cannot use params`);
        if (Object.hasOwn(scope.params, ref.key)) return found(scope.params[ref.key]!);
        if (!scope.declaredParams.includes(ref.key)) {
          return missing(`unknown parameter "${ref.key}" in ${source}${suggestion(ref.key, scope.declaredParams)}`);
        }
        if (scope.previewMissing || scope.alreadyReported.has(ref.key)) return found(previewPlaceholder(ref.key));
        return missing(`parameter "${ref.key}" in ${source} has no value: the release does not set it and it has no default`);
      }
      case 'constants': {
        const constants = scope.channel.constants;
        if (Object.hasOwn(constants, ref.key)) return found(constants[ref.key]!);
        return missing(`unknown constant "${ref.key}" in ${source}: not defined in channel "${scope.channel.name}"${suggestion(ref.key, Object.keys(constants))}`);
      }
      case 'runtime.labels': {
        const labels = scope.runtime.labels;
        if (Object.hasOwn(labels, ref.key)) return found(labels[ref.key]!);
        return missing(`label "${ref.key}" in ${source} is not set on runtime "${scope.runtime.name}"${suggestion(ref.key, Object.keys(labels))}`);
      }
      case 'runtime.constants': {
        const constants = scope.runtime.constants ?? {};
        if (Object.hasOwn(constants, ref.key)) return found(constants[ref.key]!);
        return missing(`runtime constant "${ref.key}" in ${source} is not set on runtime "${scope.runtime.name}"${suggestion(ref.key, Object.keys(constants))}`);
      }
      case 'channel.name':
        return found(scope.channel.name);
      case 'application.name':
        return found(scope.applicationName);
      case 'runtime.name':
        return found(scope.runtime.name);
    }
  };
}
