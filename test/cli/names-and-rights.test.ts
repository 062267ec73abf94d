import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APPLY_CONFIG } from '../helpers/config-text.js';
import { fakeConfig } from '../helpers/fake-config.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { expectCleanFailure, runCli } from './run-cli.js';

let server: TestServer;
/** Tokens that see only the application "shop". */
let shopViewer: string;
let shopDeployer: string;

const CREATE_TOKEN = `mutation($n: String!, $r: Role!, $a: [String!]) { createApiToken(input: { name: $n, role: $r, applications: $a }) { secret userErrors { message } } }`;

beforeAll(async () => {
  server = await startTestServer({ engine: { enabled: false } });
  // Two applications: "shop", and "secret" that the scoped tokens cannot see.
  const secret = `kind: Application\nname: secret\nreleaseChannels: [{ name: staging, runtime: fake }]\n---\nkind: Service\nname: api\napplication: secret\nparameters: [{ name: version, required: true }]\nspec: { replicas: 1 }\n`;
  const config = `${fakeConfig()}---\n${secret}`;
  expect((await server.data(APPLY_CONFIG, { documents: config })).applyConfig.userErrors).toEqual([]);
  const token = async (name: string, role: string) => (await server.data(CREATE_TOKEN, { n: name, r: role, a: ['shop'] })).createApiToken.secret as string;
  shopViewer = await token('shop-viewer', 'viewer');
  shopDeployer = await token('shop-deployer', 'deployer');
});

afterAll(async () => {
  await server?.close();
});

describe('an unknown application name', () => {
  it('gets a "did you mean" among the applications the token can see, from reads and writes alike', async () => {
    const [status, events, release, approve] = await Promise.all([
      runCli(['status', 'shpo'], { url: server.url }),
      runCli(['events', 'secrte'], { url: server.url }),
      runCli(['release', 'shpo/web', '--param', 'version=v1'], { url: server.url }),
      runCli(['approve', 'shpo/web', '--channel', 'production'], { url: server.url }),
    ]);
    expectCleanFailure(status, 2, /^error: unknown application "shpo"; did you mean "shop"\?\nhint: run `driftless status` to list the applications you can see\n$/);
    expectCleanFailure(events, 2, /^error: unknown application "secrte"; did you mean "secret"\?\n/);
    expectCleanFailure(release, 2, /^error: cannot release shpo\/web: unknown application "shpo"; did you mean "shop"\?\n/);
    expectCleanFailure(approve, 2, /^error: unknown application "shpo"; did you mean "shop"\?\n/);
  });

  it('an application the token may not see looks exactly like one that does not exist, and is never suggested', async () => {
    const [hidden, missing, typo, release] = await Promise.all([
      runCli(['status', 'secret'], { url: server.url, token: shopViewer }),
      runCli(['status', 'nothing'], { url: server.url, token: shopViewer }),
      runCli(['status', 'secrte'], { url: server.url, token: shopViewer }),
      runCli(['release', 'secret/api', '--param', 'version=v1'], { url: server.url, token: shopDeployer }),
    ]);
    expectCleanFailure(hidden, 2, /^error: unknown application "secret"\n/);
    expect(hidden.stderr.replace('"secret"', '"nothing"')).toBe(missing.stderr);
    expectCleanFailure(typo, 2, /^error: unknown application "secrte"\nhint: /);
    expectCleanFailure(release, 2, /^error: cannot release secret\/api: unknown application "secret"\n/);
  });
});

describe('a permission denial', () => {
  it('exits 4 with what the token may not do, apart from "cannot reach the server" (3) and bad input (2)', async () => {
    const [release, remove, pause] = await Promise.all([
      runCli(['release', 'shop/web', '--param', 'version=v1'], { url: server.url, token: shopViewer }),
      runCli(['delete', 'application', 'shop', '--yes'], { url: server.url, token: shopDeployer }),
      runCli(['pause', 'shop'], { url: server.url, token: shopViewer }),
    ]);
    expectCleanFailure(release, 4, /^error: cannot release shop\/web: role viewer cannot create releases\nhint: `driftless whoami` shows the role and applications of the token in use/);
    expectCleanFailure(remove, 4, /^error: cannot delete application shop: role deployer cannot delete applications\nhint: `driftless whoami`/);
    expectCleanFailure(pause, 4, /^error: cannot pause shop: role viewer cannot /);
  });
});
