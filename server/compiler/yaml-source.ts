/**
 * Splitting submitted text into YAML documents and mapping field paths back to lines.
 * Line numbers are what make a diagnostic actionable, so every document keeps its AST.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, visit, type Document, type Node } from 'yaml';
import type { FieldPath } from './diagnostics.js';

export interface SourceDocument {
  /** Position in the stream, counting empty documents, so it matches what the user sees. */
  index: number;
  /** Plain JS value of the document; undefined for an empty document. */
  value: unknown;
  /** 1-based line of the node at `path`, or of its nearest existing ancestor. */
  lineOf(path: FieldPath): number | undefined;
}

export interface YamlSyntaxError {
  index: number;
  line?: number;
  text: string;
  /**
   * The parser's best guess at the broken document's kind and name, so references to it are not
   * also reported as unknown: the syntax error is the one problem to fix.
   */
  kind?: string;
  name?: string;
}

export interface SplitResult {
  documents: SourceDocument[];
  errors: YamlSyntaxError[];
}

/**
 * Most YAML nodes (scalars, maps, lists, aliases) one text may hold: the text is bounded by the
 * request body, but a megabyte of `[a,a,a,...]` is half a million nodes to check and store.
 */
export const MAX_YAML_NODES = 100_000;
/** Aliases a document may expand, weighted by what they point to (yaml's own measure). */
const MAX_ALIAS_COUNT = 1000;

function firstAliasOffset(doc: Document.Parsed): number | undefined {
  let offset: number | undefined;
  visit(doc, {
    Alias(_key, node) {
      offset = node.range?.[0];
      return visit.BREAK;
    },
  });
  return offset;
}

function countNodes(doc: Document.Parsed, budget: number): number {
  let count = 0;
  visit(doc, {
    Node() {
      count += 1;
      return count > budget ? visit.BREAK : undefined;
    },
  });
  return count;
}

/**
 * An upper bound of the nodes a text can hold, without parsing: every node but the first follows
 * a separator (`,` in flow, `:` after a key, a new line in block style). Refusing on it keeps a
 * hostile megabyte from being parsed into a large tree first.
 */
function separatorCount(text: string, stopAfter: number): number {
  let count = 0;
  for (let i = 0; i < text.length && count <= stopAfter; i++) {
    const c = text.charCodeAt(i);
    if (c === 44 /* , */ || c === 58 /* : */ || c === 10 /* \n */) count++;
  }
  return count;
}

export function splitDocuments(text: string, opts: { maxNodes?: number } = {}): SplitResult {
  const maxNodes = opts.maxNodes ?? MAX_YAML_NODES;
  // Block YAML has about two separators per node (`key: value` and its line end): twice the limit is still far.
  if (separatorCount(text, 2 * maxNodes) > 2 * maxNodes) {
    return { documents: [], errors: [{ index: 0, line: 1, text: `the config is too large: more than ${maxNodes} YAML nodes; split it into several applies` }] };
  }
  const lineCounter = new LineCounter();
  // merge: YAML merge keys (<<: *defaults) are a common way to share settings between channels.
  const parsed = parseAllDocuments(text, { lineCounter, prettyErrors: false, merge: true });
  const documents: SourceDocument[] = [];
  const errors: YamlSyntaxError[] = [];
  // An empty stream is not an array of documents; nothing to do.
  if (!Array.isArray(parsed)) return { documents, errors };

  const lineAt = (offset: number | undefined): number | undefined =>
    offset === undefined ? undefined : lineCounter.linePos(offset).line;

  let nodeBudget = maxNodes;
  for (const [index, doc] of parsed.entries()) {
    nodeBudget -= countNodes(doc, nodeBudget);
    if (nodeBudget < 0) {
      errors.push({ index, line: lineAt(doc.range?.[0]), text: `the config is too large: more than ${maxNodes} YAML nodes; split it into several applies` });
      return { documents: [], errors };
    }
  }

  parsed.forEach((doc, index) => {
    if (doc.errors.length > 0) {
      const guess = bestEffortIdentity(doc);
      for (const error of doc.errors) {
        // The parser's own message repeats position info in prose; keep its first line only.
        const message = error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
        errors.push({ index, line: lineAt(lastContentAt(text, error.pos[0])), text: `invalid YAML: ${message}`, ...guess });
      }
      return;
    }
    let value: unknown;
    try {
      value = doc.contents === null ? undefined : doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (err) {
      // An alias bomb ("Excessive alias count") or an alias of an anchor that does not exist.
      const message = err instanceof Error ? err.message.split('\n')[0]! : String(err);
      errors.push({ index, line: lineAt(firstAliasOffset(doc)), text: `invalid YAML: ${message}`, ...bestEffortIdentity(doc) });
      return;
    }
    const root = doc.contents as Node | null;
    documents.push({
      index,
      value,
      lineOf: (path) => lineAt(offsetOf(root, path) ?? (root?.range?.[0] ?? undefined)),
    });
  });
  return { documents, errors };
}

/**
 * Start offset of the deepest node along `path`. For a mapping key we point at the key itself:
 * for a block value the key's line is where the user wrote the field.
 */
function offsetOf(root: Node | null, path: FieldPath): number | undefined {
  let node: unknown = root;
  let offset = root?.range?.[0];
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment));
      if (!pair) break;
      const key = pair.key as Node;
      offset = key.range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment] as Node | undefined;
      if (!item) break;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else {
      break;
    }
  }
  return offset;
}

/**
 * Errors found at the end of input (an unclosed quote or bracket) point past the last line;
 * the line a person must fix is the last one with something on it.
 */
function lastContentAt(text: string, offset: number): number {
  let at = Math.min(offset, text.length);
  if (text.slice(at).trim() !== '') return at;
  while (at > 0 && /\s/.test(text[at - 1]!)) at--;
  return Math.max(0, at - 1);
}

function bestEffortIdentity(doc: { toJS(): unknown }): { kind?: string; name?: string } {
  try {
    const value = doc.toJS() as { kind?: unknown; name?: unknown } | null;
    if (typeof value?.kind === 'string' && typeof value.name === 'string') return { kind: value.kind, name: value.name };
  } catch {
    // A document too broken to read has no identity to guess.
  }
  return {};
}
