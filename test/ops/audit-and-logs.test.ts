import { describe, expect, it } from 'vitest';
import { createLogger } from '../../server/logger.js';
import { fromGlobalId } from '../../schema/types/node.js';
import { runCli } from '../cli/run-cli.js';
import { APPLY_CONFIG, CREATE_RELEASE } from '../helpers/config-text.js';
import { fakeConfig, waitForChannel } from '../helpers/fake-config.js';
import { startTestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

describe('issue 14.5 and 14.6: the audit trail and the logs', () => {
  it('events name the token (name and id) or the engine, config changes carry field-level before/after, removals are events; the CLI filters and exports; one log line per request and per decision', { timeout: 120_000 }, async () => {
    const lines: Record<string, any>[] = [];
    const logger = createLogger('info', 'json', (line) => void lines.push(JSON.parse(line)));
    await using server = await startTestServer({ engine: { steadyIntervalMs: 300, gatePollMs: 100 }, logger });
    const token = await server.data(`mutation { createApiToken(input: { name: "alice", role: deployer }) { apiToken { id } secret userErrors { message } } }`);
    const alice = token.createApiToken;
    expect(alice.userErrors).toEqual([]);
    const aliceId = alice.apiToken.id as string;

    const config = fakeConfig({ extraChannels: '  - name: qa\n    runtime: fake\n    dependsOn: [staging]\n' });
    expect((await server.data(APPLY_CONFIG, { documents: config })).applyConfig.userErrors).toEqual([]);
    const res = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${alice.secret}`, 'x-request-id': 'req-from-the-client-1' },
      body: JSON.stringify({ query: CREATE_RELEASE.replace('mutation Release', 'mutation AliceReleases'), variables: { application: 'shop', service: 'web', params: { version: 'v1' } } }),
    });
    expect(res.headers.get('x-request-id')).toBe('req-from-the-client-1');
    expect(((await res.json()) as any).data.createRelease.userErrors).toEqual([]);
    await waitForChannel(server, 'production', 'CONVERGED', 'v1');

    // A config change: field-level before/after, and the removed channel is an event of its own.
    const changed = fakeConfig({ productionGates: '      - soak: { duration: 1s }' });
    expect((await server.data(APPLY_CONFIG, { documents: changed })).applyConfig.userErrors).toEqual([]);
    const all = (await server.data(`{ events(application: "shop", first: 500) { nodes { type actor actorTokenId data message } } }`)).events.nodes as any[];
    const released = all.filter((e) => e.type === 'RELEASE_CREATED').find((e) => e.actor === 'token:alice');
    expect(released).toMatchObject({ actor: 'token:alice', actorTokenId: aliceId });
    const converged = all.find((e) => e.type === 'INSTANCE_CONVERGED');
    expect(converged).toMatchObject({ actor: 'engine', actorTokenId: null });
    const updated = all.find((e) => e.type === 'APPLICATION_UPDATED');
    expect(updated.actor).toBe('token:admin');
    expect(updated.actorTokenId).toMatch(/./);
    expect(updated.data.changes).toContainEqual({ field: 'releaseChannels[1].gates[0].soak.duration', before: null, after: '1s' });
    expect(updated.data.changes.some((c: any) => c.field.startsWith('releaseChannels[2]'))).toBe(true);
    expect(all.some((e) => e.type === 'CHANNEL_REMOVED' && /qa/.test(e.message))).toBe(true);

    // The CLI: by actor, since, as JSON lines.
    const byAlice = await runCli(['events', 'shop', '--actor', 'alice', '--json', '-n', '500'], { url: server.url });
    expect(byAlice.code, byAlice.stderr).toBe(0);
    const exported = byAlice.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(exported.length).toBeGreaterThan(0);
    expect(exported.every((e) => e.actor === 'token:alice' && e.actorTokenId === aliceId)).toBe(true);
    expect(exported.map((e) => e.type)).toContain('RELEASE_CREATED');
    const engine = await runCli(['events', 'shop', '--actor', 'engine', '--since', '1h', '--json', '-n', '500'], { url: server.url });
    expect(engine.stdout.trim().split('\n').map((l) => JSON.parse(l).actor)).toEqual(expect.arrayContaining(['engine']));
    expect(new Set(engine.stdout.trim().split('\n').map((l) => JSON.parse(l).actor))).toEqual(new Set(['engine']));
    const future = await runCli(['events', 'shop', '--since', '2999-01-01T00:00:00Z', '--json'], { url: server.url });
    expect(future.stdout.trim()).toBe('');
    const bad = await runCli(['events', 'shop', '--since', 'yesterday-ish'], { url: server.url });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--since must be a time/);

    // Logs: one line per API request, and one per engine decision worth a look.
    const request = await waitFor(async () => lines.find((l) => l.msg === 'api request' && l.operation === 'AliceReleases'), 'the request log line', 5_000, 50);
    expect(request).toMatchObject({ requestId: 'req-from-the-client-1', operationType: 'mutation', result: 'ok', actor: { tokenName: 'alice' } });
    expect(fromGlobalId(aliceId)?.id).toBe(request.actor.tokenId);
    expect(typeof request.durationMs).toBe('number');
    const generated = lines.find((l) => l.msg === 'api request' && l.requestId !== 'req-from-the-client-1');
    expect(generated?.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(lines.some((l) => l.decision === 'INSTANCE_CONVERGED' && l.application === 'shop' && l.channel === 'production' && /v1 converged in production/.test(l.msg))).toBe(true);
    // Nothing secret in the log: not alice's token.
    expect(JSON.stringify(lines)).not.toContain(alice.secret);
  });
});
