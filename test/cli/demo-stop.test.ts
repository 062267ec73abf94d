import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePortRange } from '../helpers/ports.js';
import { waitFor } from '../helpers/wait.js';
import { runCli, startCli, type CliRun } from './run-cli.js';

const READY = /The apps keep running until Ctrl-C/;

async function answer(port: number): Promise<string | undefined> {
  try {
    return (await (await fetch(`http://127.0.0.1:${port}/`)).text()).trim();
  } catch {
    return undefined;
  }
}

interface Demo {
  run: CliRun;
  dataDir: string;
  ports: number[];
}

const dirs: string[] = [];
afterEach(async ({ task }) => {
  for (const dir of dirs.splice(0)) {
    // What a failed test left running: the command under test is also the cleanup.
    if (task.result?.state !== 'pass') await runCli(['demo', '--stop', '--data-dir', dir], { token: null });
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);

/** `driftless demo` (no --exit), run until it has delivered v2 and waits for Ctrl-C. */
async function startDemo(dataDir = mkdtempSync(path.join(os.tmpdir(), 'driftless-demo-'))): Promise<Demo> {
  dirs.push(dataDir);
  const staging = await freePortRange(1);
  const production = await freePortRange(2);
  const run = startCli(['demo', '--data-dir', dataDir, '--ports', `${staging},${production}`], { token: null });
  await run.waitForOutput(READY, 60_000);
  expect(await answer(staging)).toBe('hello from v2 in staging');
  return { run, dataDir, ports: [staging, production, production + 1] };
}

async function expectAppsStopped(demo: Demo): Promise<void> {
  await waitFor(async () => (await Promise.all(demo.ports.map(answer))).every((a) => a === undefined), 'every hello app to stop', 20_000, 200);
}

describe('the demo stops its apps and its server, whichever way it is told to', () => {
  it.each(['SIGINT', 'SIGTERM', 'SIGHUP'] as const)('%s', { timeout: 90_000 }, async (signal) => {
    const demo = await startDemo();
    demo.run.kill(signal);
    const res = await demo.run.done;
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/Stopping the hello apps and the server\n {2}stopped\n$/);
    await expectAppsStopped(demo);
  });

  it('Ctrl-C with its output piped into a reader that Ctrl-C ends first (npm run demo | tee log)', { timeout: 90_000 }, async () => {
    const demo = await startDemo();
    // The terminal's Ctrl-C ends tee at once: the demo's next line hits a closed pipe (EPIPE).
    demo.run.closeStdout();
    demo.run.kill('SIGINT');
    const res = await demo.run.done;
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    await expectAppsStopped(demo);
  });
});

describe('driftless demo --stop', () => {
  it('stops a demo that runs elsewhere; a second demo on the same data dir is refused meanwhile', { timeout: 90_000 }, async () => {
    const demo = await startDemo();
    const second = await runCli(['demo', '--exit', '--data-dir', demo.dataDir, '--ports', '1,3'], { token: null });
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`error: a demo is already running on ${demo.dataDir} (pid ${demo.run.pid})\nhint: stop it with: driftless demo --stop`);

    const stop = await runCli(['demo', '--stop', '--data-dir', demo.dataDir], { token: null });
    expect(stop.code, stop.stderr).toBe(0);
    expect(stop.stdout).toContain(`Stopped the demo that was running as pid ${demo.run.pid} (its apps and its server).`);
    expect((await demo.run.done).code).toBe(0);
    await expectAppsStopped(demo);
  });

  it('stops the apps of a demo that was killed before it could clean up', { timeout: 90_000 }, async () => {
    const demo = await startDemo();
    demo.run.kill('SIGKILL');
    await demo.run.done;
    // Its apps outlive it: processes of the process runtime are detached on purpose.
    expect(await answer(demo.ports[0]!)).toBe('hello from v2 in staging');

    const stop = await runCli(['demo', '--stop', '--data-dir', demo.dataDir], { token: null });
    expect(stop.code, stop.stderr).toBe(0);
    expect(stop.stdout).toBe('Stopped the hello apps an earlier demo left running.\n');
    await expectAppsStopped(demo);

    const again = await runCli(['demo', '--stop', '--data-dir', demo.dataDir], { token: null });
    expect(again.stdout).toBe(`Nothing to stop: no demo runs on ${demo.dataDir} and none left apps behind.\n`);
  });
});
