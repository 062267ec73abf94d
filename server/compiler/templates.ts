/**
 * The template language: `{{ params.x }}`, `{{ constants.x }}`, `{{ channel.name }}`,
 * `{{ application.name }}`, `{{ runtime.name }}`, `{{ runtime.labels.x }}`, `{{ runtime.constants.x }}`. Nothing else, on
 * purpose: a deployment spec must be predictable. An unknown name is an error, never '' — an
 * empty version or port would deploy something nobody asked for.
 */
import type { PathSegment } from './diagnostics.js';
import type { JsonValue } from './types.js';

export type TemplateRef =
  | { scope: 'params'; key: string }
  | { scope: 'constants'; key: string }
  | { scope: 'runtime.labels'; key: string }
  | { scope: 'runtime.constants'; key: string }
  | { scope: 'channel.name' | 'application.name' | 'runtime.name' };

const EXPRESSION = /\{\{(.*?)\}\}/g;
const SINGLE = /^\{\{(.*?)\}\}$/;
const KEY = '[A-Za-z0-9_-]+';
const FORMS: [RegExp, (m: RegExpExecArray) => TemplateRef][] = [
  [new RegExp(`^params\\.(${KEY})$`), (m) => ({ scope: 'params', key: m[1]! })],
  [new RegExp(`^constants\\.(${KEY})$`), (m) => ({ scope: 'constants', key: m[1]! })],
  [new RegExp(`^runtime\\.labels\\.(${KEY})$`), (m) => ({ scope: 'runtime.labels', key: m[1]! })],
  [new RegExp(`^runtime\\.constants\\.(${KEY})$`), (m) => ({ scope: 'runtime.constants', key: m[1]! })],
  [/^(channel|application|runtime)\.name$/, (m) => ({ scope: `${m[1]}.name` as 'channel.name' })],
];
const ALLOWED_FORMS =
  'params.<name>, constants.<name>, channel.name, application.name, runtime.name, runtime.labels.<name>, runtime.constants.<name>';

/** The source form of a reference, for messages: `params.version`. */
export function refText(ref: TemplateRef): string {
  return 'key' in ref ? `${ref.scope}.${ref.key}` : ref.scope;
}

function parseExpression(inner: string): TemplateRef | string {
  const expression = inner.trim();
  if (expression === '') return 'empty template "{{ }}"';
  for (const [pattern, build] of FORMS) {
    const match = pattern.exec(expression);
    if (match) return build(match);
  }
  return `unknown template expression "{{ ${expression} }}": use ${ALLOWED_FORMS}`;
}

export interface ScannedTemplate {
  refs: TemplateRef[];
  /** Syntax problems: unclosed braces, unknown expression forms. */
  errors: string[];
}

/** Every reference in one string, and what is wrong with its syntax. */
export function scanTemplate(text: string): ScannedTemplate {
  const refs: TemplateRef[] = [];
  const errors: string[] = [];
  for (const match of text.matchAll(EXPRESSION)) {
    const ref = parseExpression(match[1]!);
    if (typeof ref === 'string') errors.push(ref);
    else refs.push(ref);
  }
  const rest = text.replace(EXPRESSION, '');
  if (rest.includes('{{') || rest.includes('}}')) errors.push(`unbalanced "{{" or "}}" in ${JSON.stringify(text)}`);
  return { refs, errors };
}

/** Calls `visit` for every string value (not keys) in a JSON value, with its path. */
export function forEachString(value: unknown, path: PathSegment[], visit: (text: string, path: PathSegment[]) => void): void {
  if (typeof value === 'string') visit(value, path);
  else if (Array.isArray(value)) value.forEach((item, i) => forEachString(item, [...path, i], visit));
  else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) forEachString(item, [...path, key], visit);
  }
}

/** A looked-up value, or why it could not be. */
export type Lookup = { ok: true; value: string | number | boolean } | { ok: false; error: string };
export type Resolver = (ref: TemplateRef) => Lookup;

export interface RenderProblem {
  path: PathSegment[];
  text: string;
}

function renderString(text: string, resolve: Resolver, path: PathSegment[], problems: RenderProblem[]): JsonValue {
  const scanned = scanTemplate(text);
  for (const error of scanned.errors) problems.push({ path, text: error });
  if (scanned.errors.length > 0) return text;
  // Exactly one expression keeps the type of what it names: basePort: "{{ constants.port }}" → 8100.
  const single = SINGLE.exec(text);
  if (single && scanned.refs.length === 1) {
    const found = resolve(scanned.refs[0]!);
    if (!found.ok) problems.push({ path, text: found.error });
    return found.ok ? found.value : text;
  }
  return text.replace(EXPRESSION, (whole, inner: string) => {
    const ref = parseExpression(inner) as TemplateRef;
    const found = resolve(ref);
    if (!found.ok) {
      problems.push({ path, text: found.error });
      return whole;
    }
    return String(found.value);
  });
}

/** Renders every string inside `value`; keys are never templated. Problems carry paths. */
export function renderValue(value: JsonValue, resolve: Resolver, path: PathSegment[], problems: RenderProblem[]): JsonValue {
  if (typeof value === 'string') return renderString(value, resolve, path, problems);
  if (Array.isArray(value)) return value.map((item, i) => renderValue(item, resolve, [...path, i], problems));
  if (value !== null && typeof value === 'object') {
    const out: { [key: string]: JsonValue } = {};
    for (const [key, item] of Object.entries(value)) out[key] = renderValue(item, resolve, [...path, key], problems);
    return out;
  }
  return value;
}
