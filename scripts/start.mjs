#!/usr/bin/env node
// `npm start` and `npm run demo`: build first if a source changed (scripts/build-state.mjs), then
// run the built entry in this same process, so signals reach it directly (npm runs this script
// through `exec`, so there is no shell in between either).
//   node scripts/start.mjs server        → dist/server/main.js
//   node scripts/start.mjs demo [args]   → the built CLI: driftless demo [args]
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, staleReason } from './build-state.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const [what, ...args] = process.argv.slice(2);
const entries = { server: 'dist/server/main.js', demo: 'dist/server/cli/main.js' };
if (!(what in entries)) {
  console.error(`usage: node scripts/start.mjs server|demo [args]`);
  process.exit(2);
}

const reason = staleReason();
if (reason) {
  const started = Date.now();
  console.log(`build: ${reason}; building first (npm run build) ...`);
  const code = await build();
  if (code !== 0) process.exit(code);
  console.log(`build: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
// The CLI reads its command from argv, as if run as `driftless demo ...`.
if (what === 'demo') process.argv = [process.argv[0], path.join(root, 'bin/driftless.js'), 'demo', ...args];
await import(pathToFileURL(path.join(root, entries[what])).href);
