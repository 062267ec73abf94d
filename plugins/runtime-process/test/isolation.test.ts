// Issue 10 point 4 (process runtime): a workload cannot read the server's environment, runs as an
// unprivileged account when the server is root, and outside the server's process tree.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TargetState } from '@driftless/plugin-sdk';
import plugin, { stopAll } from '../src/index.js';
import { instanceDir, logPath } from '../src/records.js';
import { ctx, instance, records } from './helpers.js';

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
const SECRET = `s3cr3t-${Math.random().toString(36).slice(2)}`;

let stateDir: string;
beforeEach(() => {
  stateDir = mkdtempSync(path.join(os.tmpdir(), 'driftless-process-'));
});
afterEach(async () => {
  await stopAll(stateDir);
  rmSync(stateDir, { recursive: true, force: true });
});

/** A workload that prints its parent's environment, its own, who it is and its parent, then stays up. */
function snoop(version: string): TargetState {
  const script = [
    `echo "ppid=$PPID"`,
    `echo "--- parent environ"`,
    `tr '\\0' '\\n' < /proc/$PPID/environ 2>&1`,
    `echo "--- own env"`,
    `env`,
    `echo "--- ids uid=$(id -u) gid=$(id -g) groups=$(id -G)"`,
    `exec sleep 300`,
  ].join('; ');
  return {
    releaseId: `rel-${version}`,
    version,
    params: { version },
    env: { CHANNEL: 'staging' },
    digest: `digest-${version}`,
    spec: { command: 'sh', args: ['-c', script], cwd: '/tmp', env: { GIVEN: 'by-the-spec' }, replicas: 1 },
  };
}

/** The "server": a separate process with the secret in its environment, which starts the workload and exits. */
async function startFromSecretServer(target: TargetState, config?: object): Promise<{ serverPid: number; log: string; record: Awaited<ReturnType<typeof records>>[number] }> {
  const child = run(process.execPath, ['--import', 'tsx', path.join(here, 'fixtures/secret-server.ts'), stateDir, JSON.stringify(target), ...(config ? [JSON.stringify(config)] : [])], {
    timeout: 30_000,
    env: { ...process.env, SECRET_OF_THE_SERVER: SECRET },
  });
  const serverPid = child.child.pid!;
  await child;
  const [record] = await records(stateDir);
  const file = logPath(instanceDir(stateDir, instance), record!.id);
  let log = '';
  for (let i = 0; i < 100 && !log.includes('--- ids'); i++) {
    log = readFileSync(file, 'utf8');
    await new Promise((r) => setTimeout(r, 50));
  }
  return { serverPid, log, record: record! };
}

describe('issue 10 point 4: process runtime isolation', () => {
  it('a workload reading /proc/$PPID/environ and its own env does not see a secret of the server; as root, it runs as nobody outside the server tree', { timeout: 60_000 }, async () => {
    const { serverPid, log, record } = await startFromSecretServer(snoop('v1'));
    expect(log).toContain('--- own env');
    expect(log).toContain('GIVEN=by-the-spec');
    expect(log).not.toContain(SECRET);
    expect(log).not.toContain('SECRET_OF_THE_SERVER');
    const ppid = Number(/ppid=(\d+)/.exec(log)![1]);
    expect(ppid).not.toBe(serverPid);
    if (process.getuid!() === 0) {
      expect(log).toMatch(/--- ids uid=65534 gid=65534 groups=65534$/m);
      expect(log).toContain('HOME=/nonexistent');
      expect(record.user).toBe('nobody');
      // Its parent is init (root: nobody may not read it) or, for a moment, the launching shell (the replica's own environment).
      expect(log).toMatch(/--- parent environ\n(.*Permission denied|[^]*DRIFTLESS_REPLICA=)/);
    } else {
      expect(log).toContain(`--- ids uid=${process.getuid!()} `);
    }
    // Its own session and process group.
    const stat = readFileSync(`/proc/${record.pid}/stat`, 'utf8');
    const [, , pgrp, session] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    expect([Number(pgrp), Number(session)]).toEqual([record.pid, record.pid]);
  });

  it('the Runtime config chooses the account (user and group by name or id); an unknown one is a precise TerminalError', { timeout: 60_000 }, async () => {
    if (process.getuid!() !== 0) {
      // Only root can switch accounts: a non-root server says so rather than failing at spawn.
      await expect(plugin.apply({ ...ctx(stateDir, snoop('v1')), config: { stateDir, user: 'daemon' } })).rejects.toMatchObject({ name: 'TerminalError', message: expect.stringMatching(/^cannot run replicas as user "daemon"/) });
      return;
    }
    const { log } = await startFromSecretServer(snoop('v1'), { user: 'daemon', group: 65534 });
    expect(log).toMatch(/--- ids uid=1 gid=65534 groups=65534$/m);
    await expect(plugin.apply({ ...ctx(stateDir, snoop('v2')), config: { stateDir, user: 'no-such-account' } })).rejects.toMatchObject({
      name: 'TerminalError',
      message: 'runtime config user "no-such-account" is not an account on this machine (not in /etc/passwd)',
    });
  });
});
