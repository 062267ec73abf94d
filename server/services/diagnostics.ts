import type { Diagnostic } from '../compiler/types.js';
import type { UserErrorData } from '../domain/user-error.js';

/** Compiler diagnostics become user errors whose path a person can follow to the YAML. */
export function diagnosticsToUserErrors(diagnostics: Diagnostic[], root = 'documents'): UserErrorData[] {
  return diagnostics.map((d) => {
    const path = [root];
    if (d.documentIndex !== undefined) path.push(String(d.documentIndex));
    if (d.kind && d.name) path.push(`${d.kind} ${d.name}`);
    if (d.fieldPath) path.push(d.fieldPath);
    return { code: d.code, message: d.message, path, ...(d.line !== undefined ? { line: d.line } : {}) };
  });
}
