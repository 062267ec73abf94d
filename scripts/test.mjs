#!/usr/bin/env node
// `npm test`: everything that must pass, from a fresh clone (after `npm ci`) on this project's
// machines, one line per step before the tests speak:
//   1. the programs the tests start for real (scripts/test-deps.sh; installs them as root on Debian),
//   2. the typecheck of every source, test and benchmark,
//   3. the build, if a source changed since the last one (tests run the built CLI and assets too),
//   4. vitest, under a subreaper (scripts/subreaper.pl) that fails the run if any process outlives it.
// Arguments go to vitest: `npm test -- test/cli` runs one folder after the same checks.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const node = process.execPath;

let current;
// Ctrl-C and a closing terminal reach every process of the group, the running step included; we
// stay to report its end. A SIGTERM sent to us alone (npm passes it on) is passed on in turn.
process.on('SIGINT', () => undefined);
process.on('SIGHUP', () => undefined);
process.on('SIGTERM', () => current?.kill('SIGTERM'));

function run(command, args) {
  return new Promise((resolve, reject) => {
    current = spawn(command, args, { cwd: root, stdio: 'inherit' });
    current.once('error', reject);
    current.once('exit', (code, signal) => resolve(code ?? 128 + ({ SIGINT: 2, SIGTERM: 15, SIGHUP: 1, SIGKILL: 9 }[signal] ?? 1)));
  });
}

async function step(name, fn) {
  const started = Date.now();
  const code = await fn();
  if (code !== 0) {
    console.error(`npm test: ${name} failed (exit ${code}); the tests did not run.`);
    process.exit(code);
  }
  return (Date.now() - started) / 1000;
}

await step('installing the test prerequisites', () => run('sh', ['scripts/test-deps.sh']));

const tsc = path.join(root, 'node_modules/typescript/bin/tsc');
const typecheckSeconds = await step('the typecheck', () => run(node, [tsc, '-p', 'tsconfig.json', '--noEmit']));
console.log(`typecheck: no errors (${typecheckSeconds.toFixed(1)} s)`);

await step('the build', () => run(node, ['scripts/build.mjs', '--if-stale']));

const vitest = [node, path.join(root, 'node_modules/vitest/vitest.mjs'), 'run', ...process.argv.slice(2)];
const orphans = [node, '--import', 'tsx', path.join(root, 'test/run/orphans.ts')];
const perl = ['/usr/bin/perl', '/bin/perl'].find((p) => existsSync(p));
if (!perl || process.platform !== 'linux') {
  console.log('leak check: only per test file here (the suite-level check needs Linux and perl)');
  process.exit(await run(vitest[0], vitest.slice(1)));
}
process.exit(await run(perl, [path.join(root, 'scripts/subreaper.pl'), ...orphans, '--', ...vitest]));
