// A Docker Engine for the tests. `dockerForTests()` gives every test file of one vitest run the
// same daemon: DRIFTLESS_TEST_DOCKER_HOST when set, else a daemon already answering on
// /var/run/docker.sock, else one started here on first use (as root, with vfs storage, no
// iptables and no bridge, which is what this kind of machine allows) in the run's directory and
// stopped by the global teardown (test/helpers/dockerd-global.ts). Tests that need a daemon of
// their own (TLS) use startDockerd() from dockerd-daemon.ts.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Docker from 'dockerode';
import { inject } from 'vitest';
import { ensureTestImages } from './docker-images.js';
import { answers, startDockerd, until, type Dockerd } from './dockerd-daemon.js';

export type { Dockerd, TlsFiles } from './dockerd-daemon.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A directory for this vitest run's shared test daemon (see dockerd-global.ts). */
    dockerRunDir: string;
  }
}

let shared: Promise<Dockerd> | undefined;

/**
 * The run's Docker Engine, with the test images built (see docker-images.ts). The first test file
 * that asks starts it under a lock in the run directory; the others wait for its `ready` file.
 */
export function dockerForTests(): Promise<Dockerd> {
  return (shared ??= locate());
}

async function locate(): Promise<Dockerd> {
  const keep = async () => {};
  const explicit = process.env.DRIFTLESS_TEST_DOCKER_HOST;
  if (explicit) {
    if (!explicit.startsWith('unix://')) throw new Error('DRIFTLESS_TEST_DOCKER_HOST must be unix:///path/docker.sock');
    const socket = explicit.slice('unix://'.length);
    const docker = new Docker({ socketPath: socket });
    if (!(await answers(docker))) throw new Error(`DRIFTLESS_TEST_DOCKER_HOST=${explicit} does not answer`);
    await buildImagesOnce(docker);
    return { endpoint: explicit, socket, docker, stop: keep };
  }
  const system = new Docker({ socketPath: '/var/run/docker.sock' });
  if (existsSync('/var/run/docker.sock') && (await answers(system))) {
    await buildImagesOnce(system);
    return { endpoint: 'unix:///var/run/docker.sock', socket: '/var/run/docker.sock', docker: system, stop: keep };
  }
  const runDir = inject('dockerRunDir');
  const dir = path.join(runDir, 'd');
  const socket = path.join(dir, 'docker.sock');
  const ready = path.join(runDir, 'ready');
  try {
    mkdirSync(path.join(runDir, 'lock')); // atomic: exactly one test process starts the daemon
  } catch {
    await until(() => {
      if (existsSync(path.join(runDir, 'failed'))) throw new Error(`the shared test dockerd failed to start: ${readFileSync(path.join(runDir, 'failed'), 'utf8')}`);
      return existsSync(ready);
    }, 'the shared test dockerd', 120_000);
    return { endpoint: `unix://${socket}`, socket, docker: new Docker({ socketPath: socket }), stop: keep };
  }
  try {
    const daemon = await startDockerd(dir, undefined, { outliveCaller: true });
    await ensureTestImages(daemon.docker);
    writeFileSync(ready, daemon.endpoint);
    // The global teardown stops it: other test files of this run use it too.
    return { ...daemon, stop: keep };
  } catch (err) {
    writeFileSync(path.join(runDir, 'failed'), (err as Error).message);
    throw err;
  }
}

/** On a daemon this run did not start, images are built once per run (under the same lock). */
async function buildImagesOnce(docker: Docker): Promise<void> {
  const runDir = inject('dockerRunDir');
  const ready = path.join(runDir, 'images-ready');
  try {
    mkdirSync(path.join(runDir, 'images-lock'));
  } catch {
    await until(() => existsSync(ready), 'the test images', 120_000);
    return;
  }
  await ensureTestImages(docker, { rebuild: true });
  writeFileSync(ready, 'ok');
}
