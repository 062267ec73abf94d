import type { TickResult } from '../../worker/types.js';

const RELEASE_ID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

/**
 * Plugins report versions as release ids and quote them in their messages ("replica 1 of
 * 3f2c…"); people know releases by their labels. Known ids become labels; anything else is kept.
 */
export function humanizeText(text: string, labelOf: (id: string) => string | undefined): string {
  return text.includes('-') ? text.replace(RELEASE_ID, (id) => labelOf(id) ?? id) : text;
}

export function humanizeResult(result: TickResult, labelOf: (id: string) => string | undefined): TickResult {
  if (result.reasons.length === 0 && result.applyMessage === undefined && !result.beforeApply) return result;
  return {
    ...result,
    reasons: result.reasons.map((r) => ({ ...r, message: humanizeText(r.message, labelOf) })),
    ...(result.applyMessage !== undefined ? { applyMessage: humanizeText(result.applyMessage, labelOf) } : {}),
    ...(result.beforeApply ? { beforeApply: { ...result.beforeApply, reasons: result.beforeApply.reasons.map((r) => ({ ...r, message: humanizeText(r.message, labelOf) })) } } : {}),
  };
}
