/**
 * Compiling a plugin's JSON Schemas and turning validation errors into Issues with readable paths
 * ("healthCheck.path", "args[0]"). Draft-07 by default; draft 2020-12 when the schema says so.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

export interface Issue {
  /** Dotted path inside the validated value, e.g. "healthCheck.path"; "" for the value itself. */
  path: string;
  message: string;
}

// ajv-formats is CommonJS: depending on the loader its default import is the plugin or its module.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv | Ajv2020) => void;

function makeAjv<T extends Ajv | Ajv2020>(ajv: T): T {
  ajv.addKeyword({ keyword: 'x-secret', schemaType: 'boolean' });
  addFormats(ajv);
  return ajv;
}

// strict: false tolerates plugin-specific annotations; the meta-schema check still refuses
// schemas that are wrong (e.g. `type: "banana"`).
const options = { allErrors: true, strict: false, useDefaults: false } as const;
const draft7 = makeAjv(new Ajv(options));
const draft2020 = makeAjv(new Ajv2020(options));

export function compileSchema(schema: Record<string, unknown>): ValidateFunction {
  const uses2020 = typeof schema.$schema === 'string' && schema.$schema.includes('2020-12');
  const ajv = uses2020 ? draft2020 : draft7;
  // Compile without caching by $id: two plugins may reuse the same $id.
  const { $id: _ignored, ...rest } = schema;
  return ajv.compile(rest);
}

/** "/healthCheck/path" or "/args/0" → "healthCheck.path" / "args[0]". */
export function pointerToPath(pointer: string): string {
  if (pointer === '' || pointer === '/') return '';
  const parts = pointer.replace(/^\//, '').split('/').map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  let out = '';
  for (const part of parts) {
    if (/^\d+$/.test(part)) out += `[${part}]`;
    else out += out === '' ? part : `.${part}`;
  }
  return out;
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

export function issuesFrom(errors: ErrorObject[] | null | undefined): Issue[] {
  const issues: Issue[] = [];
  for (const e of errors ?? []) {
    const path = pointerToPath(e.instancePath);
    if (e.keyword === 'required') {
      const missing = (e.params as { missingProperty: string }).missingProperty;
      issues.push({ path: join(path, missing), message: 'is required' });
    } else if (e.keyword === 'additionalProperties') {
      const extra = (e.params as { additionalProperty: string }).additionalProperty;
      issues.push({ path: join(path, extra), message: 'is not a known property' });
    } else if (e.keyword === 'enum') {
      const allowed = (e.params as { allowedValues: unknown[] }).allowedValues;
      issues.push({ path, message: `must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}` });
    } else {
      issues.push({ path, message: e.message ?? `fails ${e.keyword}` });
    }
  }
  return issues;
}
