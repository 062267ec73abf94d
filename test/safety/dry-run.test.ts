import { describe, expect, it } from 'vitest';
import { DATABASES } from '../helpers/databases.js';
import { startTestServer } from '../helpers/server.js';
import { apply, convergedOn, release, removeShop, shopConfig, until } from './shop.js';
import { freePortRange } from '../helpers/ports.js';

const PREVIEW = /* GraphQL */ `
  query Preview($documents: String!) {
    previewConfig(input: { documents: $documents }) {
      userErrors { code message path }
      applications { name releases { service label basedOn changes channels { channel effect waitsFor changes } } }
    }
  }
`;

describe.each(DATABASES)('delivery safety: the dry run (%s)', (database) => {
  it('the dry run accepts what apply refuses: no more — it runs the plugin schema and validate checks too', async () => {
    await using server = await startTestServer({ database });
    const ports = { staging: 18_101, production: 18_201 };
    const typo = shopConfig({ ports }).replace('  replicas: 1\n', '  replica: 1\n');
    const preview = await server.data(PREVIEW, { documents: typo });
    const applied = await server.data(`mutation($d: String!) { applyConfig(input: { documents: $d }) { userErrors { code message path } } }`, { d: typo });
    expect(preview.previewConfig.userErrors.length).toBeGreaterThan(0);
    expect(preview.previewConfig.userErrors).toEqual(applied.applyConfig.userErrors);
    expect(preview.previewConfig.userErrors[0]).toMatchObject({ code: 'INVALID_PLUGIN_CONFIG', path: ['documents', '2', 'Service web', 'spec.replica'] });
    expect(preview.previewConfig.userErrors[0].message).toMatch(/replica/);
  });

  it('says which releases a change would create and where each would wait', { timeout: 90_000 }, async () => {
    const ports = { staging: await freePortRange(1), production: await freePortRange(1) };
    await using server = await startTestServer({ database, engine: { steadyIntervalMs: 400, gatePollMs: 150 } });
    try {
      const gates = ['manualApproval: { minApprovers: 2 }', 'soak: { duration: 10m }'];
      await apply(server, shopConfig({ ports, productionGates: gates }));
      // v1 runs in staging; production waits for its approvals.
      await release(server, { version: 'v1' });
      await until(server, 'staging', 'converged on v1', convergedOn('v1'));

      const onlyProduction = shopConfig({ ports, productionGates: gates }) + 'perChannel:\n  production: { env: { GREETING: "hi" } }\n';
      const preview = (await server.data(PREVIEW, { documents: onlyProduction })).previewConfig;
      expect(preview.userErrors).toEqual([]);
      expect(preview.applications).toEqual([
        {
          name: 'shop',
          releases: [
            {
              service: 'web',
              label: 'v1 · config 2',
              basedOn: 'v1',
              changes: ['env.GREETING: added (hi) (production)'],
              channels: [
                { channel: 'staging', effect: 'UNCHANGED', waitsFor: [], changes: [] },
                {
                  channel: 'production',
                  effect: 'ROLLOUT',
                  waitsFor: ['staging converged on it', '2 distinct approvers needed', 'upstream channels run the release for 10m first'],
                  // Nothing ran in production yet: everything is new there.
                  changes: expect.arrayContaining(['env.GREETING', 'params.version', 'spec.replicas']),
                },
              ],
            },
          ],
        },
      ]);
      // A dry run writes nothing.
      const latest = await server.data(`{ application(name: "shop") { services { latestRelease { label } } } }`);
      expect(latest.application.services[0].latestRelease.label).toBe('v1');
    } finally {
      await removeShop(server, [ports.staging, ports.production]);
    }
  });
});
