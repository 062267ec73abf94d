/**
 * parseConfig: YAML text → validated, defaulted, reference-checked documents, or every problem
 * found (not just the first), each with document, field path and line.
 */
import { checkApplication, checkGates } from './check-application.js';
import type { KnownNames } from './check-context.js';
import { checkService } from './check-service.js';
import { formatPath, makeDiagnostic, quotedList, type PathSegment } from './diagnostics.js';
import { applicationWithDefaults, notifierWithDefaults, runtimeWithDefaults, serviceWithDefaults } from './defaults.js';
import { validateAgainstSchema } from './schema.js';
import type { ApplicationDoc, ConfigBundle, ConfigDoc, Diagnostic, DiagnosticCode, DocumentKind, NotifierDoc, Result, RuntimeDoc, ServiceDoc } from './types.js';
import { splitDocuments, type SourceDocument, type YamlSyntaxError } from './yaml-source.js';

export interface ParseContext {
  /** Runtimes that already exist (e.g. stored earlier); documents in the text win over them. */
  runtimes?: RuntimeDoc[];
  applications?: ApplicationDoc[];
}

const KINDS: readonly DocumentKind[] = ['Runtime', 'Application', 'Service', 'Notifier'];

interface Entry {
  source: SourceDocument;
  kind: DocumentKind;
  name: string;
  doc?: ConfigDoc;
}

export function parseConfig(text: string, context: ParseContext = {}): Result<ConfigBundle> {
  const diagnostics: Diagnostic[] = [];
  const { documents, errors } = splitDocuments(text);
  for (const error of errors) {
    diagnostics.push(makeDiagnostic({ code: 'YAML_SYNTAX', documentIndex: error.index, line: error.line, text: error.text }));
  }

  const reportOn = (source: SourceDocument, kind: string | undefined, name: string | undefined) =>
    (code: DiagnosticCode, path: PathSegment[], text: string) => {
      diagnostics.push(
        makeDiagnostic({ code, documentIndex: source.index, kind, name: name || undefined, fieldPath: formatPath(path), line: source.lineOf(path), text }),
      );
    };

  const entries: Entry[] = [];
  for (const source of documents) {
    if (source.value === undefined || source.value === null) continue; // empty documents are allowed
    const entry = readEntry(source, reportOn);
    if (entry) entries.push(entry);
  }

  checkDuplicates(entries, reportOn);
  const known = knownNames(entries, context, errors);
  for (const entry of entries) {
    const report = reportOn(entry.source, entry.kind, entry.name);
    if (entry.doc?.kind === 'Application') checkApplication(entry.doc, known, report);
    if (entry.doc?.kind === 'Service') checkService(entry.doc, known, report);
  }

  if (diagnostics.length > 0) return { ok: false, diagnostics: sortDiagnostics(diagnostics) };
  const docs = entries.map((e) => e.doc!);
  return {
    ok: true,
    diagnostics: [],
    value: {
      runtimes: docs.filter((d): d is RuntimeDoc => d.kind === 'Runtime'),
      applications: docs.filter((d): d is ApplicationDoc => d.kind === 'Application'),
      services: docs.filter((d): d is ServiceDoc => d.kind === 'Service'),
      notifiers: docs.filter((d): d is NotifierDoc => d.kind === 'Notifier'),
      origins: entries.map((e) => ({ documentIndex: e.source.index, kind: e.kind, name: e.name })),
    },
  };
}

type ReportOn = (source: SourceDocument, kind: string | undefined, name: string | undefined) =>
  (code: DiagnosticCode, path: PathSegment[], text: string) => void;

/** Kind check and schema validation of one document; the entry has no doc when it is invalid. */
function readEntry(source: SourceDocument, reportOn: ReportOn): Entry | undefined {
  const value = source.value;
  if (typeof value !== 'object' || Array.isArray(value) || value === null) {
    reportOn(source, undefined, undefined)('UNKNOWN_KIND', [], `a document must be a mapping with a kind (${quotedList(KINDS)}), got ${Array.isArray(value) ? 'a list' : JSON.stringify(value)}`);
    return undefined;
  }
  const raw = value as Record<string, unknown>;
  const name = typeof raw.name === 'string' ? raw.name : '';
  if (!KINDS.includes(raw.kind as DocumentKind)) {
    const got = raw.kind === undefined ? 'missing kind' : `unknown kind ${JSON.stringify(raw.kind)}`;
    reportOn(source, undefined, undefined)('UNKNOWN_KIND', raw.kind === undefined ? [] : ['kind'], `${got}; allowed kinds: ${KINDS.join(', ')}`);
    return undefined;
  }
  const kind = raw.kind as DocumentKind;
  const problems = validateAgainstSchema(kind, raw);
  const report = reportOn(source, kind, name);
  for (const problem of problems) report(problem.code, problem.path, problem.text);
  if (kind === 'Application') checkGates(raw, problems.map((p) => p.path), report);
  if (problems.length > 0) return { source, kind, name };
  const doc = kind === 'Runtime' ? runtimeWithDefaults(raw) : kind === 'Application' ? applicationWithDefaults(raw) : kind === 'Notifier' ? notifierWithDefaults(raw) : serviceWithDefaults(raw);
  return { source, kind, name, doc };
}

function checkDuplicates(entries: readonly Entry[], reportOn: ReportOn): void {
  const first = new Map<string, Entry>();
  for (const entry of entries) {
    if (entry.name === '') continue;
    // Service names are per application: `web` of two applications are two services.
    const application = entry.kind === 'Service' ? (entry.source.value as { application?: unknown }).application : undefined;
    const key = `${entry.kind}/${typeof application === 'string' ? `${application}/` : ''}${entry.name}`;
    const earlier = first.get(key);
    if (earlier) {
      reportOn(entry.source, entry.kind, entry.name)('DUPLICATE_NAME', ['name'], `duplicate ${entry.kind} "${entry.name}"${application ? ` in application "${application}"` : ''} (also document ${earlier.source.index + 1})`);
    } else {
      first.set(key, entry);
    }
  }
}

function knownNames(entries: readonly Entry[], context: ParseContext, syntaxErrors: readonly YamlSyntaxError[]): KnownNames {
  const runtimes = new Map((context.runtimes ?? []).map((r) => [r.name, r]));
  const applications = new Map((context.applications ?? []).map((a) => [a.name, a]));
  const brokenRuntimes = new Set<string>();
  const brokenApplications = new Set<string>();
  for (const entry of entries) {
    if (entry.doc?.kind === 'Runtime') runtimes.set(entry.name, entry.doc);
    else if (entry.doc?.kind === 'Application') applications.set(entry.name, entry.doc);
    else if (!entry.doc && entry.kind === 'Runtime') brokenRuntimes.add(entry.name);
    else if (!entry.doc && entry.kind === 'Application') brokenApplications.add(entry.name);
  }
  for (const error of syntaxErrors) {
    if (error.kind === 'Runtime' && error.name) brokenRuntimes.add(error.name);
    if (error.kind === 'Application' && error.name) brokenApplications.add(error.name);
  }
  return { runtimes, applications, brokenRuntimes, brokenApplications };
}

/** Document order, then line: the order in which a person reads their file. */
function sortDiagnostics(diagnostics: Diagnostic[]): Diagnostic[] {
  return diagnostics
    .map((d, i) => ({ d, i }))
    .sort((a, b) => (a.d.documentIndex ?? -1) - (b.d.documentIndex ?? -1) || (a.d.line ?? 0) - (b.d.line ?? 0) || a.i - b.i)
    .map(({ d }) => d);
}
