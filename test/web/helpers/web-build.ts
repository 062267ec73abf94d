import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BUILT = path.join(ROOT, 'dist', 'web', 'index.html');
const LOCK = path.join(ROOT, 'dist', '.web-build-lock');

function newest(p: string): number {
  const s = statSync(p);
  if (!s.isDirectory()) return s.mtimeMs;
  return Math.max(s.mtimeMs, ...readdirSync(p).map((f) => newest(path.join(p, f))));
}

function stale(): boolean {
  if (!existsSync(BUILT)) return true;
  const sources = [path.join(ROOT, 'web', 'src'), path.join(ROOT, 'web', 'index.html'), path.join(ROOT, 'web', 'graphiql.html'), path.join(ROOT, 'web', 'vite.config.ts'), path.join(ROOT, 'schema', 'schema.graphql')];
  return Math.max(...sources.map(newest)) > statSync(BUILT).mtimeMs;
}

/**
 * The browser tests run against the built dashboard, as users get it. `npm run build` (CI runs
 * it before `npm test`) makes it; running the web tests alone after editing web/ builds it here
 * first, once, even when two test files start at the same moment (a lock directory).
 */
export async function ensureWebBuilt(): Promise<void> {
  if (!stale()) return;
  mkdirSync(path.dirname(LOCK), { recursive: true });
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      // Another test file is building; a lock older than 3 minutes is left over from a killed run.
      if (existsSync(LOCK) && Date.now() - statSync(LOCK).mtimeMs > 180_000) rmSync(LOCK, { recursive: true, force: true });
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  try {
    if (!stale()) return;
    // vitest sets NODE_ENV=test, and Vite would then bundle React's development build.
    const run = spawnSync('npm', ['run', '--silent', 'build:web'], { cwd: ROOT, encoding: 'utf8', timeout: 300_000, env: { ...process.env, NODE_ENV: 'production' } });
    if (run.status !== 0) throw new Error(`npm run build:web failed (${run.status}):\n${run.stdout}\n${run.stderr}`);
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}
