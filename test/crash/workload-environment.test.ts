// Issue 10 point 4 (the process runtime's part), end to end: a workload that reads its parent's
// environment and its own, then exits so its log tail comes back in the instance's reasons, learns
// no secret of the server.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { APPLY_CONFIG, CREATE_RELEASE } from '../helpers/config-text.js';
import { gqlAt, startChildServer, type ChildServer } from '../helpers/child-server.js';
import { ADMIN_TOKEN } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

const SECRET = `secret-${Math.random().toString(36).slice(2)}`;

const CONFIG = `kind: Runtime
name: local
plugin: process
config: {}
---
kind: Application
name: spy
releaseChannels:
  - name: only
    runtime: local
---
kind: Service
name: snoop
application: spy
parameters: [{ name: version, required: true }]
spec:
  command: sh
  args:
    - -c
    - "{ tr '\\\\0' '\\\\n' < /proc/$PPID/environ; env; } 2>&1 | grep -E 'SECRET|TOKEN|Permission' | tr '\\\\n' ' '; echo; echo \\"ran as $(id -un), parent $PPID\\"; exit 1"
  cwd: /tmp
  replicas: 1
`;

describe('issue 10 point 4: a workload reading /proc/$PPID/environ', () => {
  it('finds no secret of the server in its parent\'s environment or its own, so none reaches the reasons', { timeout: 90_000 }, async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'driftless-environ-'));
    let server: ChildServer | undefined;
    try {
      server = await startChildServer({ DRIFTLESS_DATA_DIR: dataDir, DRIFTLESS_STEADY_INTERVAL_MS: '400', DRIFTLESS_MAX_APPLY_ATTEMPTS: '1', SERVER_SIDE_SECRET: SECRET });
      const url = server.url;
      expect((await gqlAt(url, APPLY_CONFIG, { documents: CONFIG })).applyConfig.userErrors).toEqual([]);
      expect((await gqlAt(url, CREATE_RELEASE, { application: 'spy', service: 'snoop', params: { version: 'v1' } })).createRelease.userErrors).toEqual([]);
      const reasons = await waitFor(async () => {
        const data = await gqlAt(url, `{ application(name: "spy") { releaseChannels { instances { status reasons { message } } } } }`);
        const text = data.application.releaseChannels[0].instances[0].reasons.map((r: { message: string }) => r.message).join('\n');
        return /ran as/.test(text) ? text : undefined;
      }, 'the log tail in the reasons', 60_000, 200);
      expect(reasons).toContain(process.getuid!() === 0 ? 'ran as nobody' : 'ran as');
      expect(reasons).not.toContain(SECRET);
      expect(reasons).not.toContain('SERVER_SIDE_SECRET');
      expect(reasons).not.toContain(ADMIN_TOKEN);
      expect(reasons).not.toContain(`parent ${server.child.pid}`);
      const events = JSON.stringify(await gqlAt(url, `{ events(first: 100) { nodes { message } } }`));
      expect(events).toContain('ran as');
      expect(events).not.toContain(SECRET);
      expect(events).not.toContain(ADMIN_TOKEN);
      expect((await gqlAt(url, `mutation { deleteApplication(input: { name: "spy" }) { userErrors { message } } }`)).deleteApplication.userErrors).toEqual([]);
    } finally {
      await server?.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
