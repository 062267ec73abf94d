/** What the cross-document checks share: how to report, and which names exist. */
import type { PathSegment } from './diagnostics.js';
import type { ApplicationDoc, DiagnosticCode, RuntimeDoc } from './types.js';

/** Reports a problem in the document being checked, at a path inside it. */
export type Reporter = (code: DiagnosticCode, path: PathSegment[], text: string) => void;

export interface KnownNames {
  /** Runtimes from the text (winning) and from the context. */
  runtimes: ReadonlyMap<string, RuntimeDoc>;
  applications: ReadonlyMap<string, ApplicationDoc>;
  /**
   * Names of documents in the text that failed validation: references to them are not reported
   * as unknown, since the real problem is already reported on that document.
   */
  brokenRuntimes: ReadonlySet<string>;
  brokenApplications: ReadonlySet<string>;
}
