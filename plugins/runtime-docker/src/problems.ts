import { TerminalError, type ValidationIssue } from '@driftless/plugin-sdk';

/** Every problem found in a spec, each with its JSON-pointer path ("/ports/0/hostPort"). */
export class Problems {
  readonly issues: ValidationIssue[] = [];

  add(path: string, message: string): void {
    this.issues.push({ path, message });
  }

  get empty(): boolean {
    return this.issues.length === 0;
  }

  /** Throws a SpecError when anything was found. */
  check(): void {
    if (!this.empty) throw new SpecError(this.issues);
  }
}

/** A spec that cannot be deployed: terminal (retrying cannot fix it). validate() reports its issues. */
export class SpecError extends TerminalError {
  constructor(readonly issues: ValidationIssue[]) {
    super(`invalid docker spec: ${issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ')}`);
  }
}
