/**
 * Validation against the published JSON Schema (schema/config.schema.json), the one source of
 * truth for the document shapes: editors use the same file, so what they flag and what the
 * server rejects never drift apart. Ajv's errors are rewritten into sentences with field paths.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { formatPath, quotedList, suggestion, type PathSegment } from './diagnostics.js';
import type { DiagnosticCode, DocumentKind } from './types.js';

export const CONFIG_SCHEMA_ID = 'https://driftless.dev/schema/config.schema.json';

/**
 * Sources live in server/compiler/, the build in dist/server/compiler/: the schema is two levels
 * up from one and three from the other (unless the build copied it next to itself).
 */
function schemaFile(): string {
  const candidates = ['../../schema/config.schema.json', '../../../schema/config.schema.json'];
  for (const candidate of candidates) {
    const path = fileURLToPath(new URL(candidate, import.meta.url));
    if (existsSync(path)) return path;
  }
  throw new Error(`config.schema.json not found (looked at ${candidates.join(', ')} relative to ${import.meta.url})`);
}

let cachedSchema: Record<string, unknown> | undefined;

/** The published schema as a plain object (also served to editors by the API). */
export function loadConfigSchema(): Record<string, unknown> {
  cachedSchema ??= JSON.parse(readFileSync(schemaFile(), 'utf8')) as Record<string, unknown>;
  return cachedSchema;
}

let validators: Record<DocumentKind, ValidateFunction> | undefined;

function getValidators(): Record<DocumentKind, ValidateFunction> {
  if (validators) return validators;
  // allErrors: users fix a whole file at once; verbose: messages need the failing schema.
  const ajv = new Ajv({ allErrors: true, verbose: true, strict: false });
  addFormatsModule.default(ajv);
  ajv.addSchema(loadConfigSchema());
  const forKind = (kind: DocumentKind) => ajv.compile({ $ref: `${CONFIG_SCHEMA_ID}#/definitions/${kind}` });
  validators = { Runtime: forKind('Runtime'), Application: forKind('Application'), Service: forKind('Service'), Notifier: forKind('Notifier') };
  return validators;
}

export interface SchemaProblem {
  code: DiagnosticCode;
  path: PathSegment[];
  text: string;
  /** The ajv keyword that failed, e.g. 'type' or 'pattern'. */
  keyword: string;
}

export function validateAgainstSchema(kind: DocumentKind, value: unknown): SchemaProblem[] {
  const validate = getValidators()[kind];
  if (validate(value)) return [];
  const problems: SchemaProblem[] = [];
  const seen = new Set<string>();
  for (const error of validate.errors ?? []) {
    const problem = describe(error, value);
    if (!problem) continue;
    const key = `${problem.code}\u0000${formatPath(problem.path)}\u0000${problem.text}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push(problem);
  }
  return dropShadowed(problems);
}

/** JSON pointer → segments, turning indexes into numbers where the data holds an array. */
function pointerToPath(pointer: string, root: unknown): PathSegment[] {
  if (pointer === '') return [];
  const path: PathSegment[] = [];
  let node: unknown = root;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) {
      path.push(Number(key));
      node = node[Number(key)];
    } else {
      path.push(key);
      node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined;
    }
  }
  return path;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a number';
  return `a ${typeof value}`;
}

const TYPE_WORDS: Record<string, string> = {
  object: 'a mapping',
  array: 'a list',
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'a boolean (true or false)',
  null: 'null',
};

const GATE_KINDS = ['soak', 'manualApproval', 'allowedTimes', 'alerts', 'httpCheck'];

function show(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

/**
 * Which named definition an error came from. ajv's schemaPath is not reliable for this (inlined
 * refs report paths relative to the definition), but with `verbose` the parent schema is the very
 * object from the loaded file.
 */
function definitionOf(error: ErrorObject): string | undefined {
  const definitions = (loadConfigSchema().definitions ?? {}) as Record<string, unknown>;
  return Object.keys(definitions).find((name) => definitions[name] === error.parentSchema);
}

function describe(error: ErrorObject, root: unknown): SchemaProblem | undefined {
  const path = pointerToPath(error.instancePath, root);
  const definition = definitionOf(error);
  const params = error.params as Record<string, unknown>;
  const problem = (text: string, code: DiagnosticCode = 'SCHEMA_VIOLATION', at = path): SchemaProblem => ({
    code,
    path: at,
    text,
    keyword: error.keyword,
  });

  if (definition === 'Name') {
    return problem(
      `invalid name ${show(error.data)}: use lowercase letters, digits and "-", start with a letter, end with a letter or digit, at most 63 characters`,
      'INVALID_NAME',
    );
  }
  switch (error.keyword) {
    case 'required':
      return problem(`missing required property "${String(params.missingProperty)}"`);
    case 'additionalProperties': {
      const unknown = String(params.additionalProperty);
      const known = Object.keys((error.parentSchema?.properties as object | undefined) ?? {});
      const hint = known.length > 0 ? suggestion(unknown, known) : '';
      const allowed = known.length > 0 && !hint ? ` (allowed: ${known.join(', ')})` : '';
      return problem(`unknown property "${unknown}"${hint}${allowed}`, 'SCHEMA_VIOLATION', [...path, unknown]);
    }
    case 'type': {
      const wanted = String(params.type).split(',').map((t) => TYPE_WORDS[t] ?? t);
      return problem(`must be ${wanted.join(' or ')}, got ${typeName(error.data)}`);
    }
    case 'enum':
      return problem(`must be one of ${quotedList((params.allowedValues as unknown[]).map(String))}, got ${show(error.data)}`);
    case 'const':
      return problem(`must be ${show(params.allowedValue)}, got ${show(error.data)}`);
    case 'pattern':
      if (definition === 'Duration') {
        return problem(`invalid duration ${show(error.data)}: use whole numbers with units ms, s, m or h, e.g. 500ms, 30s, 10m, 1h30m`);
      }
      if (definition === 'DaySpec') {
        return problem(`invalid days ${show(error.data)}: use sun, mon, tue, wed, thu, fri, sat, ranges like mon-fri and lists like sat,sun`);
      }
      if (path.at(-1) === 'hours') {
        return problem(`invalid hours ${show(error.data)}: use start-end in whole hours, e.g. "9-17"`);
      }
      return problem(`must match "${String(params.pattern)}", got ${show(error.data)}`);
    case 'format':
      return problem(params.format === 'uri' ? `must be an absolute URL, got ${show(error.data)}` : `must be a valid ${String(params.format)}, got ${show(error.data)}`);
    case 'minProperties':
    case 'maxProperties': {
      const keys = Object.keys((error.data as object | null) ?? {});
      if (definition === 'Gate') {
        const found = keys.length > 0 ? ` (found ${keys.join(', ')})` : '';
        return problem(`a gate must have exactly one of ${GATE_KINDS.join(', ')}${found}`);
      }
      return problem(error.message ?? 'invalid number of properties');
    }
    case 'minItems':
      return problem(`must have at least ${String(params.limit)} item${params.limit === 1 ? '' : 's'}`);
    case 'uniqueItems':
      return problem(`must not list ${show((error.data as unknown[])[params.i as number])} twice`, 'DUPLICATE_NAME');
    case 'minimum':
    case 'maximum':
      return problem(`must be ${error.keyword === 'minimum' ? '>=' : '<='} ${String(params.limit)}, got ${show(error.data)}`);
    case 'minLength':
      return problem('must not be empty');
    case 'anyOf':
      // The branches already reported why; the summary would only repeat them.
      return undefined;
    default:
      return problem(error.message ?? `failed ${error.keyword}`);
  }
}

/**
 * `days` is a string or a list (anyOf), so ajv reports a type error for the branch the user did
 * not take next to the real complaint. A type error can only sit next to another complaint on the
 * same field or below it through such a union, so it is then noise.
 */
function dropShadowed(problems: SchemaProblem[]): SchemaProblem[] {
  const isTypeError = (p: SchemaProblem) => p.keyword === 'type';
  return problems.filter((p) => {
    if (!isTypeError(p)) return true;
    const at = formatPath(p.path);
    return !problems.some((other) => {
      if (other === p || isTypeError(other)) return false;
      const there = formatPath(other.path);
      return there === at || there.startsWith(`${at}[`) || there.startsWith(`${at}.`);
    });
  });
}
