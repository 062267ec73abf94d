// The deployment record: one JSON file per service instance. Everything the plugin knows lives in
// these files, so a restarted server (or a second one) sees exactly what is deployed.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { TerminalError } from '@driftless/plugin-sdk';

const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** `<root>/<application>/<channel>/<service>.json`; a relative root is below the server's data dir. */
export function recordPath(ctx) {
  const root = path.resolve(ctx.dataDir ?? process.cwd(), ctx.config.root ?? 'files');
  const { application, channel, service } = ctx.instance;
  for (const name of [application, channel, service]) {
    // Names become path segments: refuse anything that could climb out of the root.
    if (!SAFE_NAME.test(name)) throw new TerminalError(`"${name}" cannot be used as a file name`);
  }
  return path.join(root, application, channel, `${service}.json`);
}

/** The hash covers every field but itself: a hand edit anywhere shows up as drift. */
function hashOf({ version, digest, params, env, content }) {
  const canonical = JSON.stringify({ version, digest, params, env, content });
  return createHash('sha256').update(canonical).digest('hex');
}

/** The exact text apply writes for a target: same target, same bytes (so apply can be idempotent). */
export function render(target) {
  const body = { version: target.version, digest: target.digest, params: target.params, env: target.env, content: target.spec.content };
  return `${JSON.stringify({ ...body, sha256: hashOf(body) }, null, 2)}\n`;
}

/** The record in a file's text, with `edited` when its hash no longer matches; undefined when unreadable. */
export function parse(text) {
  let record;
  try {
    record = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof record !== 'object' || record === null || typeof record.version !== 'string' || record.version === '') return undefined;
  return { ...record, edited: record.sha256 !== hashOf(record) };
}

/** The file's text, or undefined when there is no file. */
export async function readText(file, signal) {
  try {
    return await readFile(file, { encoding: 'utf8', signal });
  } catch (error) {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Write to a temporary file next to the target, then rename: readers see the old or the new file, never half of one. */
export async function writeAtomically(file, text, signal) {
  await mkdir(path.dirname(file), { recursive: true });
  const temporary = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(temporary, text, { signal });
    signal.throwIfAborted();
    await rename(temporary, file);
  } finally {
    await rm(temporary, { force: true });
  }
}
