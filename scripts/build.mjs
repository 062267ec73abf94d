#!/usr/bin/env node
// `npm run build` (`npm ci` runs it once, through `prepare`). With `--if-stale` it builds only when
// a source changed since the last build (scripts/build-state.mjs), so `npm start`, `npm run demo`
// and `npm test` start from dist/ at once on a built tree. `--quiet` says nothing when up to date.
import { build, staleReason } from './build-state.mjs';

const ifStale = process.argv.includes('--if-stale');
const quiet = process.argv.includes('--quiet');
const reason = staleReason();
if (ifStale && !reason) {
  if (!quiet) console.log('build: dist/ is up to date');
  process.exit(0);
}
const started = Date.now();
console.log(`build: ${reason ?? 'requested'}; building (npm run build) ...`);
const code = await build();
if (code === 0) console.log(`build: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
process.exit(code);
