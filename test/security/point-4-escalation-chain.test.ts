/**
 * Issue 10, point 4 (all but the process runtime's own isolation): an application-scoped admin
 * applied a `process` service that printed its parent's environment; the log tail came back in
 * the instance's reasons with DRIFTLESS_ADMIN_TOKEN in it, and that token minted an unscoped one.
 * Every link closed here: the server drops the variable from its environment after reading it
 * (children never inherit it) and prefers DRIFTLESS_ADMIN_TOKEN_FILE; every secret it knows is
 * scrubbed from reasons and events; and which applications may run on a Runtime is decided on
 * the Runtime (allowedApplications), by an unscoped admin.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startChildServer, type ChildServer } from '../helpers/child-server.js';
import { APPLY_CONFIG, CREATE_RELEASE } from '../helpers/config-text.js';
import { ADMIN_TOKEN, startTestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

const temps: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'driftless-point4-'));
  temps.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function gql(url: string, query: string, variables: Record<string, unknown> = {}, token = ADMIN_TOKEN): Promise<any> {
  const res = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query, variables }) });
  const body = (await res.json()) as { data?: any; errors?: unknown };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

const RUNTIME = `kind: Runtime\nname: local\nplugin: process\nconfig: {}\n`;
const SNOOP = `
kind: Application
name: evil
releaseChannels: [{ name: staging, runtime: local }]
---
kind: Service
name: snoop
application: evil
parameters: [{ name: version, required: true }]
spec:
  command: sh
  args:
    - -c
    - |
      own=$(env | grep -c '^DRIFTLESS_ADMIN_TOKEN=')
      parent=$(tr '\\0' '\\n' < /proc/$PPID/environ | grep '^DRIFTLESS_ADMIN' | tr '\\n' ' ')
      echo "OWN-ENV count=$own"
      echo "PARENT-ENV $parent"
      echo "B64 $(printf '%s' "$parent" | base64 -w0)"
      sleep 0.3
      exit 3
`;

/** The scoped admin's view of its own instance and events: everything the chain could read. */
async function whatTheScopedAdminSees(server: ChildServer, token: string): Promise<string> {
  let last = '';
  return waitFor(async () => {
    const d = await gql(server.url, `{ application(name: "evil") { releaseChannels { instances { status reasons { code message } } } } events(application: "evil", first: 100) { nodes { message } } }`, {}, token);
    last = JSON.stringify(d);
    return last.includes('PARENT-ENV') ? last : undefined;
  }, 'the snoop output in reasons or events', 45_000, 200).catch((err) => {
    throw new Error(`${(err as Error).message}: ${last}`);
  });
}

async function runChain(env: Record<string, string>): Promise<string> {
  const dataDir = tempDir();
  const server = await startChildServer({ DRIFTLESS_DATA_DIR: dataDir, DRIFTLESS_STEADY_INTERVAL_MS: '300', DRIFTLESS_GATE_POLL_MS: '100', ...env });
  try {
    expect((await gql(server.url, APPLY_CONFIG, { documents: RUNTIME })).applyConfig.userErrors).toEqual([]);
    const minted = await gql(server.url, `mutation { createApiToken(input: { name: "evil-admin", role: admin, applications: ["evil"] }) { secret userErrors { message } } }`);
    const scoped = minted.createApiToken.secret as string;
    expect((await gql(server.url, APPLY_CONFIG, { documents: SNOOP }, scoped)).applyConfig.userErrors).toEqual([]);
    expect((await gql(server.url, CREATE_RELEASE, { application: 'evil', service: 'snoop', params: { version: 'v1' } }, scoped)).createRelease.userErrors).toEqual([]);
    const seen = await whatTheScopedAdminSees(server, scoped);
    await gql(server.url, `mutation { deleteApplication(input: { name: "evil" }) { userErrors { message } } }`, {}, scoped);
    await waitFor(async () => (await gql(server.url, `{ applications { totalCount } }`)).applications.totalCount === 0 || undefined, 'evil removed', 30_000, 200);
    return seen;
  } finally {
    await server.stop();
  }
}

describe('issue 10 point 4: a scoped admin cannot obtain the admin token', () => {
  it('DRIFTLESS_ADMIN_TOKEN: the workload does not inherit it, and its parent is not the server', { timeout: 120_000 }, async () => {
    const seen = await runChain({ DRIFTLESS_ADMIN_TOKEN: ADMIN_TOKEN });
    // Its own environment has no such variable: the server removed it before starting anything.
    expect(seen).toContain('OWN-ENV count=0');
    // Its parent is not the server: the process runtime starts workloads in a session of their own,
    // re-parented away from the server and as an unprivileged user (plugins/runtime-process README,
    // "Who runs the workload"), so /proc/$PPID/environ is not the server's environment. Were it
    // readable, scrubbing would still catch the token (point 6, test/security/point-6-*).
    expect(seen).toContain('PARENT-ENV');
    expect(seen).not.toContain(ADMIN_TOKEN);
    const b64 = /B64 (\S*)/.exec(seen)?.[1] ?? '';
    expect(Buffer.from(b64.replace(/<redacted>.*$/, ''), 'base64').toString()).not.toContain(ADMIN_TOKEN.slice(0, 12));
  });

  it('DRIFTLESS_ADMIN_TOKEN_FILE: the token is never in any environment at all', { timeout: 120_000 }, async () => {
    const file = path.join(tempDir(), 'admin-token');
    writeFileSync(file, `${ADMIN_TOKEN}\n`, { mode: 0o600 });
    const seen = await runChain({ DRIFTLESS_ADMIN_TOKEN: '', DRIFTLESS_ADMIN_TOKEN_FILE: file });
    expect(seen).toContain('OWN-ENV count=0');
    expect(seen).not.toMatch(/DRIFTLESS_ADMIN_TOKEN=\S/); // not in the parent's environment at all
    expect(seen).not.toContain(ADMIN_TOKEN);
  });

  it('which applications run on a Runtime is decided on the Runtime by an unscoped admin', { timeout: 60_000 }, async () => {
    await using server = await startTestServer({ engine: { enabled: false } });
    const locked = `kind: Runtime\nname: local\nplugin: process\nconfig: {}\nlabels: { tier: shared }\nallowedApplications: [trusted]\n`;
    const sandbox = `kind: Runtime\nname: sandbox\nplugin: fake\nlabels: { tier: shared }\n`;
    expect((await server.data(APPLY_CONFIG, { documents: `${locked}---\n${sandbox}` })).applyConfig.userErrors).toEqual([]);
    const minted = await server.data(`mutation { createApiToken(input: { name: "evil-admin", role: admin, applications: ["evil"] }) { secret } }`);
    const scoped = minted.createApiToken.secret as string;

    // The application names the runtime: refused, saying why and who decides.
    const refused = (await server.data(APPLY_CONFIG, { documents: SNOOP }, scoped)).applyConfig.userErrors;
    expect(refused).toEqual([
      expect.objectContaining({ code: 'FORBIDDEN', message: expect.stringMatching(/runtime local does not allow application evil .*unscoped admin.*allowedApplications/) }),
    ]);
    expect(JSON.stringify(refused)).not.toContain('trusted'); // the list itself is not told
    // A channel group matching its labels skips it.
    const grouped = `kind: Application\nname: evil\nreleaseChannels: [{ name: staging, runtime: sandbox }]\nreleaseChannelGroups: [{ name: "on-{{ runtime.name }}", runtimes: { tier: shared } }]\n`;
    const groupedErrors = (await server.data(APPLY_CONFIG, { documents: grouped }, scoped)).applyConfig.userErrors;
    expect(groupedErrors, JSON.stringify(groupedErrors)).toEqual([]);
    const channels = await server.data(`{ application(name: "evil") { releaseChannels { name } } }`, {}, scoped);
    expect(channels.application.releaseChannels.map((c: any) => c.name)).toEqual(['staging', 'on-sandbox']);
    // The scoped admin cannot widen the list: runtimes are shared.
    const widen = (await server.data(APPLY_CONFIG, { documents: locked.replace('[trusted]', '[trusted, evil]') }, scoped)).applyConfig.userErrors;
    expect(widen.map((e: any) => e.code)).toEqual(['FORBIDDEN']);
    // An unscoped admin can, and then the application is accepted.
    expect((await server.data(APPLY_CONFIG, { documents: locked.replace('[trusted]', '[trusted, evil]') })).applyConfig.userErrors).toEqual([]);
    expect((await server.data(APPLY_CONFIG, { documents: SNOOP }, scoped)).applyConfig.userErrors).toEqual([]);
    // Taking it away again while evil runs there is refused (move the channel first).
    const narrowed = (await server.data(APPLY_CONFIG, { documents: locked })).applyConfig.userErrors;
    expect(narrowed).toEqual([expect.objectContaining({ code: 'IN_USE', message: expect.stringContaining('application evil') })]);
  });
});
