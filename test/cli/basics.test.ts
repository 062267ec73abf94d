import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeConfig } from '../helpers/fake-config.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { expectCleanFailure, runCli } from './run-cli.js';

const FAST = { steadyIntervalMs: 300, gatePollMs: 100, healthPollMs: 100 };

let server: TestServer;
let dir: string;
let configFile: string;

beforeAll(async () => {
  server = await startTestServer({ engine: FAST });
  dir = mkdtempSync(path.join(os.tmpdir(), 'driftless-cli-'));
  configFile = path.join(dir, 'shop.yaml');
  writeFileSync(configFile, fakeConfig());
});

afterAll(async () => {
  await server?.close();
});

async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

describe('driftless CLI against a real server', () => {
  it('apply --dry-run shows the change per channel and writes nothing; apply writes it once', async () => {
    const dry = await runCli(['apply', '-f', configFile, '--dry-run'], { url: server.url });
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/Application\s+shop\s+\+ create/);
    expect(dry.stdout).toMatch(/shop\/web in production \(runtime fake, no release yet: placeholders\): \+ create/);
    expect(dry.stdout).toMatch(/\+ spec\.replicas: 2/);
    expect(dry.stdout).toMatch(/Dry run: nothing was applied/);
    expect((await server.data(`{ application(name: "shop") { name } }`)).application).toBeNull();

    const applied = await runCli(['apply', '-f', dir], { url: server.url });
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toMatch(/Applied: 3 created, 0 updated, 0 unchanged/);
    const again = await runCli(['apply', '-f', configFile, '--output', 'json'], { url: server.url });
    expect(again.code, again.stderr).toBe(0);
    const result = JSON.parse(again.stdout).result;
    expect(result.unchanged).toHaveLength(3);
  });

  it('apply prints each config error with its file and line and exits 2', async () => {
    const bad = path.join(dir, 'bad', 'broken.yaml');
    await import('node:fs').then((fs) => fs.mkdirSync(path.dirname(bad), { recursive: true }));
    writeFileSync(bad, fakeConfig().replace('dependsOn: [staging]', 'dependsOn: [stagin]'));
    const res = await runCli(['apply', '-f', bad], { url: server.url });
    expectCleanFailure(res, 2, /^error: the config has errors; nothing was applied: .*broken\.yaml:\d+: .*unknown channel "stagin"/);
  });

  it('status, plugins and events answer in tables and as JSON', async () => {
    const [table, json, plugins, events] = await Promise.all([
      runCli(['status', 'shop'], { url: server.url }),
      runCli(['status', 'shop', '--output', 'json'], { url: server.url }),
      runCli(['-o', 'json', 'plugins'], { url: server.url }),
      runCli(['events', 'shop', '--limit', '5', '-o', 'json'], { url: server.url }),
    ]);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/CHANNEL\s+SERVICE\s+STATUS\s+RELEASE\s+WHY/);
    expect(table.stdout).toMatch(/staging\s+web\s+PENDING/);
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout).releaseChannels.map((c: any) => c.name)).toEqual(['staging', 'production']);
    expect(plugins.code, plugins.stderr).toBe(0);
    expect(JSON.parse(plugins.stdout).find((p: any) => p.name === 'fake').status).toBe('LOADED');
    expect(events.code, events.stderr).toBe(0);
    expect(JSON.parse(events.stdout).map((e: any) => e.type)).toContain('SERVICE_CREATED');
  });

  it('bad input: unknown application, bad --param, unknown option, each one clear line with exit 2', async () => {
    // Independent processes: run side by side.
    const [status, release, param, unknown] = await Promise.all([
      runCli(['status', 'nope'], { url: server.url }),
      runCli(['release', 'nope/web', '--param', 'version=v1'], { url: server.url }),
      runCli(['release', 'shop/web', '--param', 'version'], { url: server.url }),
      runCli(['status', '--colour'], { url: server.url }),
    ]);
    expectCleanFailure(status, 2, /^error: unknown application "nope"\nhint: /);
    expectCleanFailure(release, 2, /^error: cannot release nope\/web: unknown application "nope"/);
    expectCleanFailure(param, 2, /^error: bad --param "version": expected name=value\nhint: e\.g\. --param version=v2/);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown option '--colour'/);
  });

  it('an unreachable server, a bad token and no token exit 3 with a hint', async () => {
    const port = await closedPort();
    const [unreachable, badToken, noToken] = await Promise.all([
      runCli(['status'], { url: `http://127.0.0.1:${port}` }),
      runCli(['status'], { url: server.url, token: 'dl_wrong' }),
      runCli(['status'], { url: server.url, token: null }),
    ]);
    expectCleanFailure(unreachable, 3, new RegExp(`^error: cannot reach the Driftless server at http://127\\.0\\.0\\.1:${port}: connection refused\\nhint: Is it running\\? Start it with \`driftless server\``));
    expectCleanFailure(badToken, 3, /^error: the server refused the token: invalid token\nhint: Check DRIFTLESS_TOKEN/);
    expectCleanFailure(noToken, 3, /^error: no API token given\nhint: pass --token/);
  });

  it('token create shows the secret once; list never does; a revoked token stops working', async () => {
    const created = await runCli(['token', 'create', 'ci', '--role', 'deployer', '--app', 'shop', '-o', 'json'], { url: server.url });
    expect(created.code, created.stderr).toBe(0);
    const { secret, applications } = JSON.parse(created.stdout);
    expect(secret).toMatch(/^dl_/);
    expect(applications).toEqual(['shop']);

    const [viewer, list] = await Promise.all([runCli(['whoami'], { url: server.url, token: secret }), runCli(['token', 'list'], { url: server.url })]);
    expect(viewer.stdout).toMatch(/^ci \(deployer, applications shop\)/);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/ci\s+deployer\s+shop/);
    expect(list.stdout).not.toContain(secret);

    const revoked = await runCli(['token', 'revoke', 'ci'], { url: server.url });
    expect(revoked.code, revoked.stderr).toBe(0);
    const [afterRevoke, badRole] = await Promise.all([runCli(['status'], { url: server.url, token: secret }), runCli(['token', 'create', 'x', '--role', 'boss'], { url: server.url })]);
    expectCleanFailure(afterRevoke, 3, /^error: the server refused the token: token "ci" was revoked/);
    expectCleanFailure(badRole, 2, /^error: unknown role "boss"/);
  });

  it('login checks and saves URL and token (mode 0600) for later commands, without printing the token', async () => {
    const configHome = mkdtempSync(path.join(os.tmpdir(), 'driftless-login-'));
    const login = await runCli(['login', '--server', server.url], { configHome });
    expect(login.code, login.stderr).toBe(0);
    expect(login.stdout).toMatch(/Logged in to http:\/\/127\.0\.0\.1:\d+ as admin \(admin\)/);
    expect(login.stdout + login.stderr).not.toContain('dl_test_admin');
    const file = path.join(configHome, 'driftless', 'config.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8')).url).toBe(server.url);

    const later = await runCli(['status', 'shop'], { configHome, token: null });
    expect(later.code, later.stderr).toBe(0);
  });
});
