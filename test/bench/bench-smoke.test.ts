import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const outDir = mkdtempSync(path.join(os.tmpdir(), 'driftless-bench-smoke-'));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

/** The benchmarks are not part of the test suite; this only checks the script runs end to end. */
describe('npm run bench -- --smoke', () => {
  it('runs one tiny iteration of every figure and writes its results', async () => {
    const out = path.join(outDir, 'smoke.json');
    const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=source', 'bench/run.ts', '--smoke', `--out=${out}`], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code, output).toBe(0);
    const result = JSON.parse(readFileSync(out, 'utf8'));
    expect(result.mode).toBe('smoke');
    const figures = new Set(result.figures.map((f: { figure: string }) => f.figure.split('.')[0]));
    expect([...figures].sort((a, b) => Number(a) - Number(b))).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10']);
    for (const f of result.figures) expect(Number.isFinite(f.value), JSON.stringify(f)).toBe(true);
    expect(readFileSync(path.join(outDir, 'smoke.md'), 'utf8')).toContain('| Figure |');
  }, 120_000);
});
