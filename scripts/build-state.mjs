// The build, and the check that skips it (used by scripts/build.mjs and scripts/start.mjs).
// Stale means: dist/.build-stamp is missing, a build output is missing, or a file under the source
// folders (or a tsconfig, package.json, package-lock.json) was modified after it. The stamp takes
// the time the build *started*, so an edit made while it ran triggers the next one.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const STAMP = 'dist/.build-stamp';
const SOURCE_DIRS = ['server', 'schema', 'worker', 'plugins', 'web'];
const SOURCE_FILES = ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json'];
// What the build makes: if one is gone, the stamp is not to be trusted.
const OUTPUTS = ['dist/server/main.js', 'dist/server/cli/main.js', 'dist/worker/worker.js', 'plugins/sdk/dist/index.js', 'dist/web/index.html'];
const SKIP = new Set(['node_modules', 'dist', '.git', 'test']);
// Written by the build itself (gql.tada generate-output from schema/schema.graphql, which is a
// source): were it counted, every build would leave the tree stale.
const GENERATED = new Set(['graphql-env.d.ts']);
// Docs and fixtures do not go into dist/.
const BUILT_FROM = /\.(ts|tsx|mts|js|mjs|cjs|json|css|html|svg)$/;

/** The newest modification time (ms) under `dir`, and the file that has it. */
function newest(dir, best = { mtime: 0, file: '' }) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return best;
  }
  for (const e of entries) {
    if (SKIP.has(e.name) || GENERATED.has(e.name)) continue;
    const full = path.join(dir, e.name);
    if (e.isDirectory()) best = newest(full, best);
    else if (e.isFile() && BUILT_FROM.test(e.name)) {
      const mtime = statSync(full).mtimeMs;
      if (mtime > best.mtime) best = { mtime, file: full };
    }
  }
  return best;
}

/** Why a build is needed, or undefined when dist/ is current (`root`: the repository, or a tree shaped like it). */
export function staleReason(root = ROOT) {
  const stamp = path.join(root, STAMP);
  if (!existsSync(stamp)) return 'no build yet';
  const missing = OUTPUTS.find((o) => !existsSync(path.join(root, o)));
  if (missing) return `${missing} is missing`;
  const built = statSync(stamp).mtimeMs;
  let best = { mtime: 0, file: '' };
  for (const dir of SOURCE_DIRS) best = newest(path.join(root, dir), best);
  for (const file of SOURCE_FILES) {
    const full = path.join(root, file);
    if (existsSync(full) && statSync(full).mtimeMs > best.mtime) best = { mtime: statSync(full).mtimeMs, file: full };
  }
  return best.mtime > built ? `${path.relative(root, best.file)} changed` : undefined;
}

function run(command, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code) => resolve(code ?? 1));
  });
}

/** The build itself: the plugin SDK first (the plugins import its types), then the plugins, the server, and the dashboard (web/ into dist/web). */
export async function build() {
  const started = Date.now();
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  for (const [command, args] of [
    [npm, ['run', 'build', '--silent', '-w', '@driftless/plugin-sdk']],
    [npm, ['run', 'build', '--silent', '--workspaces', '--if-present']],
    [process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json']],
    [npm, ['run', 'build:web', '--silent']],
  ]) {
    const code = await run(command, args);
    if (code !== 0) return code;
  }
  const stamp = path.join(ROOT, STAMP);
  mkdirSync(path.dirname(stamp), { recursive: true });
  writeFileSync(stamp, 'dist/ was built from the sources as they were at this file\'s modification time (scripts/build.mjs)\n');
  utimesSync(stamp, new Date(started), new Date(started));
  return 0;
}

