/**
 * Building diagnostics: field paths, the one message format, and "did you mean" suggestions.
 * Every diagnostic the compiler returns goes through `formatDiagnostic`, so clients and tests
 * can rely on one shape: `document <n> (<Kind> <name>): <fieldPath>: <text> (line <n>)`.
 */
import type { Diagnostic, DiagnosticCode } from './types.js';

/** A field path as segments: object keys and array indexes. */
export type PathSegment = string | number;
export type FieldPath = readonly PathSegment[];

const PLAIN_KEY = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/** `['releaseChannels', 1, 'dependsOn', 0]` → `releaseChannels[1].dependsOn[0]`; odd keys are quoted. */
export function formatPath(path: FieldPath): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (PLAIN_KEY.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/** Everything a diagnostic says except the final message, which `formatDiagnostic` derives. */
export type DiagnosticParts = Omit<Diagnostic, 'message'> & { text: string };

/**
 * The single message format. Without a document index (compile-time errors on stored documents)
 * the prefix is just `<Kind> <name>`.
 */
export function formatDiagnostic(parts: DiagnosticParts): string {
  const subject = [parts.kind, parts.name].filter((s) => s !== undefined && s !== '').join(' ');
  let prefix: string;
  if (parts.documentIndex !== undefined) {
    prefix = `document ${parts.documentIndex + 1}${subject ? ` (${subject})` : ''}`;
  } else {
    prefix = subject;
  }
  const where = [prefix, parts.fieldPath].filter((s) => s !== undefined && s !== '').join(': ');
  const line = parts.line !== undefined ? ` (line ${parts.line})` : '';
  return `${where ? `${where}: ` : ''}${parts.text}${line}`;
}

export function makeDiagnostic(parts: DiagnosticParts): Diagnostic {
  const { code, documentIndex, kind, name, fieldPath, line } = parts;
  const diagnostic: Diagnostic = { code, message: formatDiagnostic(parts) };
  // Only the fields that are known, so diagnostics compare and serialize without `undefined`s.
  if (documentIndex !== undefined) diagnostic.documentIndex = documentIndex;
  if (kind !== undefined) diagnostic.kind = kind;
  if (name !== undefined) diagnostic.name = name;
  if (fieldPath !== undefined) diagnostic.fieldPath = fieldPath;
  if (line !== undefined) diagnostic.line = line;
  return diagnostic;
}

/** Convenience for code paths that have no document: `Service web: params.version: ...`. */
export function diagnostic(code: DiagnosticCode, text: string, where: Omit<DiagnosticParts, 'code' | 'text'> = {}): Diagnostic {
  return makeDiagnostic({ ...where, code, text });
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(above + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

/** The closest candidate when it is close enough to be a likely typo, else undefined. */
export function closestName(wanted: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = candidate.toLowerCase() === wanted.toLowerCase() ? 0.5 : editDistance(wanted, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  // Short names get less slack, or "qa" would "suggest" every two-letter name.
  const allowed = wanted.length <= 3 ? 1 : wanted.length <= 7 ? 2 : 3;
  return best !== undefined && bestDistance <= allowed ? best : undefined;
}

/** `; did you mean "staging"?` or '' when nothing is close. */
export function suggestion(wanted: string, candidates: Iterable<string>): string {
  const close = closestName(wanted, candidates);
  return close === undefined ? '' : `; did you mean "${close}"?`;
}

/** `"a", "b" and "c"` for messages. */
export function quotedList(items: readonly string[]): string {
  const quoted = items.map((i) => `"${i}"`);
  return quoted.length <= 1 ? quoted.join('') : `${quoted.slice(0, -1).join(', ')} and ${quoted.at(-1)}`;
}
