import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { processInfo } from './processes.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const VITEST = [path.join(ROOT, 'node_modules/vitest/vitest.mjs'), 'run', '--config', 'test/fixtures/leaks/vitest.config.ts'];

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Runs a command to its end with LEAK_PID_FILE set; returns its exit code, output and the leaked pid. */
async function run(command: string, args: string[]): Promise<{ code: number | null; output: string; leakedPid: number }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'driftless-leak-'));
  dirs.push(dir);
  const pidFile = path.join(dir, 'pid');
  const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, LEAK_PID_FILE: pidFile, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  return { code, output, leakedPid: Number(readFileSync(pidFile, 'utf8').trim()) };
}

function gone(pid: number): boolean {
  const p = processInfo(pid);
  return !p || p.state === 'Z';
}

describe('the leak checks', () => {
  it('a test file that leaves a process running and a port listening fails, naming both; the process is killed', { timeout: 60_000 }, async () => {
    const res = await run(process.execPath, [...VITEST, 'test/fixtures/leaks/process-and-port.leak.ts']);
    expect(res.code, res.output).toBe(1);
    expect(res.output).toContain('test/fixtures/leaks/process-and-port.leak.ts left 1 process and 1 listening port behind:');
    expect(res.output).toMatch(new RegExp(`pid ${res.leakedPid} \`sleep 300\``));
    expect(res.output).toMatch(/this test file's own process still listens on :\d+ \(a server that was never closed\)/);
    expect(gone(res.leakedPid)).toBe(true);
  });

  it('a process that outlives the whole run, re-parented away from its test, fails the run (npm test runs vitest this way)', { timeout: 60_000 }, async () => {
    const res = await run('perl', [path.join(ROOT, 'scripts/subreaper.pl'), process.execPath, '--import', 'tsx', path.join(ROOT, 'test/run/orphans.ts'), '--', process.execPath, ...VITEST, 'test/fixtures/leaks/orphan.leak.ts']);
    // The file itself passed: its worker never saw the process as its own.
    expect(res.output).toMatch(/Tests\s+1 passed/);
    expect(res.output).toContain('leak check FAILED: 1 process outlived the test run (now killed):');
    expect(res.output).toMatch(new RegExp(`pid ${res.leakedPid} \`sleep 300\``));
    expect(res.code).toBe(1);
    expect(gone(res.leakedPid)).toBe(true);
  });
});
