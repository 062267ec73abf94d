import { afterEach, describe, expect, it } from 'vitest';
import { control } from '@driftless/runtime-fake';
import { DATABASES } from '../helpers/databases.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';
import { applyShop, eventsOf, FAST_ENGINE, releaseOf, tokenFor } from './user-actions.fixtures.js';

afterEach(async () => {
  await control.reset();
});

const PAUSE = /* GraphQL */ `
  mutation Pause($application: String!, $channel: String, $service: String) {
    pauseConvergence(input: { application: $application, channel: $channel, service: $service }) {
      application { name paused }
      userErrors { code message path }
    }
  }
`;

const RESUME = PAUSE.replace('mutation Pause', 'mutation Resume').replace('pauseConvergence', 'resumeConvergence');

const STAGING_WEB = `{ application(name: "shop") { releaseChannels { instances { service { name } status convergedRelease { label } } } } }`;
const ROLLBACK = /* GraphQL */ `
  mutation Rollback($application: String!, $service: String!, $channel: String, $reason: String) {
    rollbackService(input: { application: $application, service: $service, channel: $channel, reason: $reason }) {
      service { name }
      userErrors { code message path }
    }
  }
`;

/** Every paused flag of shop: application, channels, and instances as channel/service. */
async function pausedFlags(server: TestServer): Promise<{ application: boolean; channels: Record<string, boolean>; instances: Record<string, boolean> }> {
  const res = await server.data(`{ application(name: "shop") { paused releaseChannels { name paused instances { paused service { name } } } } }`);
  const app = res.application;
  return {
    application: app.paused,
    channels: Object.fromEntries(app.releaseChannels.map((c: any) => [c.name, c.paused])),
    instances: Object.fromEntries(app.releaseChannels.flatMap((c: any) => c.instances.map((i: any) => [`${c.name}/${i.service.name}`, i.paused]))),
  };
}

const NONE_PAUSED = { 'staging/web': false, 'staging/worker': false, 'production/web': false, 'production/worker': false };

describe.each(DATABASES)('pauseConvergence, resumeConvergence and rollbackService on %s', (database) => {
  it('pauses and resumes an application, a channel, one instance, or a service everywhere', async () => {
    await using server = await startTestServer({ database, engine: FAST_ENGINE });
    await applyShop(server);
    const deployer = await tokenFor(server, 'dora', 'deployer');

    const app = await server.data(PAUSE, { application: 'shop' }, deployer);
    expect(app.pauseConvergence).toEqual({ application: { name: 'shop', paused: true }, userErrors: [] });
    expect(await pausedFlags(server)).toEqual({ application: true, channels: { staging: false, production: false }, instances: NONE_PAUSED });
    await server.data(RESUME, { application: 'shop' }, deployer);

    await server.data(PAUSE, { application: 'shop', channel: 'production' }, deployer);
    expect(await pausedFlags(server)).toEqual({ application: false, channels: { staging: false, production: true }, instances: NONE_PAUSED });
    await server.data(RESUME, { application: 'shop', channel: 'production' }, deployer);

    await server.data(PAUSE, { application: 'shop', channel: 'staging', service: 'web' }, deployer);
    expect((await pausedFlags(server)).instances).toEqual({ ...NONE_PAUSED, 'staging/web': true });
    await server.data(RESUME, { application: 'shop', channel: 'staging', service: 'web' }, deployer);

    await server.data(PAUSE, { application: 'shop', service: 'worker' }, deployer);
    expect(await pausedFlags(server)).toEqual({ application: false, channels: { staging: false, production: false }, instances: { ...NONE_PAUSED, 'staging/worker': true, 'production/worker': true } });
    const resumed = await server.data(RESUME, { application: 'shop', service: 'worker' }, deployer);
    expect(resumed.resumeConvergence.userErrors).toEqual([]);
    expect(await pausedFlags(server)).toEqual({ application: false, channels: { staging: false, production: false }, instances: NONE_PAUSED });

    const paused = await eventsOf(server, 'shop', 'CONVERGENCE_PAUSED');
    expect(paused.map((e) => e.subject).sort()).toEqual(['Application shop', 'ReleaseChannel shop/production', 'Service shop/worker', 'ServiceInstance shop/staging/web']);
    expect(paused.every((e) => e.actor === 'token:dora')).toBe(true);
    expect(await eventsOf(server, 'shop', 'CONVERGENCE_RESUMED')).toHaveLength(4);
  });

  it('pausing what is already paused changes nothing and records nothing', async () => {
    await using server = await startTestServer({ database, engine: FAST_ENGINE });
    await applyShop(server);
    await server.data(PAUSE, { application: 'shop', channel: 'staging', service: 'web' });
    const again = await server.data(PAUSE, { application: 'shop', channel: 'staging', service: 'web' });
    expect(again.pauseConvergence.userErrors).toEqual([]);
    expect(await eventsOf(server, 'shop', 'CONVERGENCE_PAUSED')).toHaveLength(1);
    const resumeUnpaused = await server.data(RESUME, { application: 'shop' });
    expect(resumeUnpaused.resumeConvergence.userErrors).toEqual([]);
    expect(await eventsOf(server, 'shop', 'CONVERGENCE_RESUMED')).toEqual([]);
  });

  it('a paused application fetches but does not apply: its instances say PAUSED', async () => {
    await using server = await startTestServer({ database, engine: FAST_ENGINE });
    await applyShop(server);
    await server.data(PAUSE, { application: 'shop' });
    await releaseOf(server, 'v1');
    const staging = await waitFor(async () => {
      const res = await server.data(`{ application(name: "shop") { releaseChannels { name instances { service { name } status reasons { code } } } } }`);
      const web = res.application.releaseChannels[0].instances.find((i: any) => i.service.name === 'web');
      return web.status === 'PAUSED' ? web : undefined;
    }, 'staging/web to be PAUSED');
    expect(staging.reasons.map((r: { code: string }) => r.code)).toContain('PAUSED_BY_USER');
    expect(control.applyCalls()).toEqual([]);
  });

  it('refuses unknown names with their path, viewers, and out-of-scope applications', async () => {
    await using server = await startTestServer({ database, engine: FAST_ENGINE });
    await applyShop(server);
    const viewer = await tokenFor(server, 'vic', 'viewer');
    const otherDeployer = await tokenFor(server, 'olga', 'deployer', ['other']);

    const cases: [Record<string, string>, string | null, { code: string; message: string; path: string[] }][] = [
      [{ application: 'nope' }, null, { code: 'NOT_FOUND', message: 'unknown application "nope"', path: ['application'] }],
      [{ application: 'shop', channel: 'prod' }, null, { code: 'NOT_FOUND', message: 'application shop has no channel "prod"; its channels are staging, production', path: ['channel'] }],
      [{ application: 'shop', service: 'api' }, null, { code: 'NOT_FOUND', message: 'application shop has no service "api"', path: ['service'] }],
      [{ application: 'shop' }, viewer, { code: 'FORBIDDEN', message: 'role viewer cannot pause convergence', path: ['application'] }],
      [{ application: 'shop' }, otherDeployer, { code: 'NOT_FOUND', message: 'unknown application "shop"', path: ['application'] }],
    ];
    for (const [input, token, error] of cases) {
      const res = await server.data(PAUSE, input, token ?? undefined);
      expect(res.pauseConvergence).toEqual({ application: null, userErrors: [error] });
    }
    expect((await server.data(RESUME, { application: 'shop' }, viewer)).resumeConvergence.userErrors[0].message).toBe('role viewer cannot resume convergence');
    expect(await pausedFlags(server)).toEqual({ application: false, channels: { staging: false, production: false }, instances: NONE_PAUSED });
  });

  it('rollbackService refuses what cannot be rolled back, and requests a rollback where something was deployed', async () => {
    await using server = await startTestServer({ database, engine: FAST_ENGINE });
    await applyShop(server);
    const viewer = await tokenFor(server, 'vic', 'viewer');
    const otherDeployer = await tokenFor(server, 'olga', 'deployer', ['other']);

    const cases: [Record<string, string>, string | null, { code: string; message: string; path: string[] }][] = [
      [{ application: 'nope', service: 'web' }, null, { code: 'NOT_FOUND', message: 'unknown application "nope"', path: ['application'] }],
      [{ application: 'shop', service: 'api' }, null, { code: 'NOT_FOUND', message: 'application shop has no service "api"', path: ['service'] }],
      [{ application: 'shop', service: 'web', channel: 'prod' }, null, { code: 'NOT_FOUND', message: 'application shop has no channel "prod"; its channels are staging, production', path: ['channel'] }],
      [{ application: 'shop', service: 'web' }, viewer, { code: 'FORBIDDEN', message: 'role viewer cannot roll back services', path: ['service'] }],
      [{ application: 'shop', service: 'web' }, otherDeployer, { code: 'NOT_FOUND', message: 'unknown application "shop"', path: ['application'] }],
      [{ application: 'shop', service: 'web' }, null, { code: 'NOTHING_TO_ROLL_BACK_TO', message: 'nothing to roll web back to in any channel: no earlier release converged there (or every earlier one is marked bad); nothing was changed', path: ['service'] }],
      [{ application: 'shop', service: 'web', channel: 'production' }, null, { code: 'NOTHING_TO_ROLL_BACK_TO', message: 'nothing to roll web back to in production: no earlier release converged there (or every earlier one is marked bad); nothing was changed', path: ['channel'] }],
    ];
    for (const [input, token, error] of cases) {
      const res = await server.data(ROLLBACK, input, token ?? undefined);
      expect(res.rollbackService).toEqual({ service: null, userErrors: [error] });
    }

    // v1 converges in staging; production waits for approvers. With only v1 ever deployed there is
    // still nothing to go back to: refused, and the healthy v1 stays as it is (not marked FAILED).
    await releaseOf(server, 'v1');
    const onV1 = async () => (await server.data(STAGING_WEB)).application.releaseChannels[0].instances.find((i: any) => i.service.name === 'web');
    await waitFor(async () => (await onV1()).status === 'CONVERGED', 'staging/web to converge on v1');
    const nothing = await server.data(ROLLBACK, { application: 'shop', service: 'web' });
    expect(nothing.rollbackService.userErrors[0].code).toBe('NOTHING_TO_ROLL_BACK_TO');
    await new Promise((r) => setTimeout(r, 500));
    expect(await onV1()).toMatchObject({ status: 'CONVERGED', convergedRelease: { label: 'v1' } });
    expect(await eventsOf(server, 'shop', 'ROLLBACK_REQUESTED')).toHaveLength(0);

    await releaseOf(server, 'v2');
    await waitFor(async () => (await onV1()).convergedRelease?.label === 'v2', 'staging/web to converge on v2');
    const ok = await server.data(ROLLBACK, { application: 'shop', service: 'web', reason: 'checkout errors' });
    expect(ok.rollbackService).toEqual({ service: { name: 'web' }, userErrors: [] });
    const requested = await eventsOf(server, 'shop', 'ROLLBACK_REQUESTED');
    expect(requested).toHaveLength(1);
    expect(requested[0]).toMatchObject({ actor: 'token:admin', subject: 'Service shop/web', message: 'token:admin asked to roll back web in staging from v2 to v1: checkout errors' });
    expect(requested[0]!.data.channels).toEqual(['staging']);
  });
});

describe.each(DATABASES)('runtimePlugins on %s', (database) => {
  it('lists the built-in plugins as LOADED to any role, without paths on disk', async () => {
    await using server = await startTestServer({ database, engine: FAST_ENGINE });
    const viewer = await tokenFor(server, 'vic', 'viewer', ['other']);
    const res = await server.data(`{ runtimePlugins { name version packageName status reason } }`, {}, viewer);
    const byName = Object.fromEntries(res.runtimePlugins.map((p: { name: string }) => [p.name, p]));
    expect(byName.process).toEqual({ name: 'process', version: expect.any(String), packageName: '@driftless/runtime-process', status: 'LOADED', reason: null });
    expect(byName.fake).toEqual({ name: 'fake', version: expect.any(String), packageName: '@driftless/runtime-fake', status: 'LOADED', reason: null });
    const fields = await server.data(`{ __type(name: "RuntimePlugin") { fields { name } } }`);
    expect(fields.__type.fields.map((f: { name: string }) => f.name).sort()).toEqual(['name', 'packageName', 'reason', 'status', 'version']);
  });
});
