// vitest globalSetup: gives the run a directory for its shared test Docker daemon, which the first
// test file that needs Docker starts (test/helpers/dockerd.ts), and stops that daemon at the end
// of the run. Runs that need no Docker start nothing.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { stopDockerdIn } from './dockerd-daemon.js';

export default function setup(project: TestProject): () => Promise<void> {
  // Short path: the daemon's sockets live below it, and unix socket paths are limited to 108 bytes.
  const runDir = mkdtempSync(path.join(os.tmpdir(), 'dl-docker-'));
  project.provide('dockerRunDir', runDir);
  return async () => {
    await stopDockerdIn(path.join(runDir, 'd'));
    rmSync(runDir, { recursive: true, force: true });
  };
}
