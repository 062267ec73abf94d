/** Expected failures of a mutation, returned in its payload's `userErrors` (never as a 500). */
export const USER_ERROR_CODES = [
  'INVALID_CONFIG',
  'YAML_SYNTAX',
  'UNKNOWN_KIND',
  'SCHEMA_VIOLATION',
  'INVALID_NAME',
  'DUPLICATE_NAME',
  'UNKNOWN_REFERENCE',
  'DEPENDENCY_CYCLE',
  'TEMPLATE_ERROR',
  'UNKNOWN_PARAMETER',
  'MISSING_PARAMETER',
  'INVALID_PARAMETER',
  'INVALID_PLUGIN_CONFIG',
  'NOT_FOUND',
  'IN_USE',
  'STALE',
  'FORBIDDEN',
  'INVALID_INPUT',
  /** rollbackService where no earlier release converged (or all are marked bad). */
  'NOTHING_TO_ROLL_BACK_TO',
  /** An approval by the release's own creator on a gate with preventSelfApproval. */
  'SELF_APPROVAL',
  /** promoteRollout or abortRollout where nothing rolls out in steps (or at all) there. */
  'NOT_ROLLING_OUT',
] as const;
export type UserErrorCode = (typeof USER_ERROR_CODES)[number];

export interface UserErrorData {
  code: UserErrorCode;
  message: string;
  /** Where the problem is: input field names, or document and field path for config. */
  path: string[];
  line?: number;
}

/** Thrown inside a transaction to roll it back and return these errors to the client. */
export class UserErrors extends Error {
  constructor(readonly errors: UserErrorData[]) {
    super(errors.map((e) => e.message).join('; '));
  }
}

export function userError(code: UserErrorCode, message: string, path: string[] = []): UserErrorData {
  return { code, message, path };
}
