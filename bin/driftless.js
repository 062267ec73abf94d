#!/usr/bin/env node
// The `driftless` command. Runs the built CLI (dist/, after `npm run build`) when it exists, else
// the TypeScript sources through tsx, so `npx driftless` works in a fresh clone without a build.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const built = path.join(root, 'dist/server/cli/main.js');

if (existsSync(built)) {
  await import(pathToFileURL(built).href);
} else {
  // From source, workspace packages (plugins, sdk) must resolve to their TypeScript through the
  // `source` export condition, which only a Node flag can set: so run a child Node with it.
  // tsx is resolved from here, not from the caller's directory (npx may run us from anywhere).
  const tsx = import.meta.resolve('tsx');
  const child = spawn(process.execPath, ['--import', tsx, '--conditions=source', path.join(root, 'server/cli/main.ts'), ...process.argv.slice(2)], {
    stdio: 'inherit',
    // The repository's tsconfig (decorators), wherever the caller's directory is.
    env: { ...process.env, DRIFTLESS_PLUGIN_SOURCE: '1', TSX_TSCONFIG_PATH: path.join(root, 'tsconfig.json') },
  });
  // Ctrl-C reaches the child through the terminal's process group; a plain kill must be passed on.
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => {
    if (signal) process.kill(process.pid, signal);
    else process.exit(code ?? 1);
  });
}
