import { describe, expect, it } from 'vitest';
import { DATABASES } from '../../helpers/databases.js';
import { APPLY_CONFIG } from '../../helpers/config-text.js';
import { startTestServer } from '../../helpers/server.js';
import { appsConfig } from './fixtures.js';

// The dashboard's fields: served from lean rows (schema/lean-rows.ts), with service and releases
// preloaded by the instance list.
const LEAN_FIELDS = `id status statusSince reasons { code message since } paused convergedAt version updatedAt
  service { id name version createdAt updatedAt }
  desiredRelease { id number label trigger configGeneration params createdBy createdAt }
  targetRelease { id label } convergedRelease { id label }`;

// One field more on each object (desiredState, parameters, changeSummary) needs the full rows.
const FULL_FIELDS = `${LEAN_FIELDS} desiredState { digest } service { parameters { name } } desiredRelease { changeSummary }`;

const dashboard = (fields: string) => `query { application(name: "app1") { releaseChannels { name instances { ${fields} } } } }`;

/** The lean answer with the full path's extra fields taken out. */
function withoutExtras(full: any): any {
  for (const channel of full.application.releaseChannels) {
    for (const i of channel.instances) {
      delete i.desiredState;
      delete i.service.parameters;
      if (i.desiredRelease) delete i.desiredRelease.changeSummary;
    }
  }
  return full;
}

describe.each(DATABASES)('dashboard read path on %s', (database) => {
  it('lean rows answer exactly what full rows answer, through fragments and aliases too', async () => {
    await using server = await startTestServer({ database, engine: { enabled: false } });
    await server.data(APPLY_CONFIG, { documents: appsConfig(['app1']) });
    const created = await server.data(`mutation { createRelease(input: { application: "app1", service: "web", params: { version: "v1" } }) { userErrors { code } } }`);
    expect(created.createRelease.userErrors).toEqual([]);
    await server.data(`mutation { pauseConvergence(input: { application: "app1", channel: "staging", service: "api" }) { userErrors { code } } }`);

    const lean = await server.data(dashboard(LEAN_FIELDS));
    const full = await server.data(dashboard(FULL_FIELDS));
    expect(lean).toEqual(withoutExtras(structuredClone(full)));
    const web = lean.application.releaseChannels[0].instances.find((i: any) => i.service.name === 'web');
    expect(web.desiredRelease.label).toBe('v1');
    expect(web.reasons.length).toBeGreaterThan(0);
    expect(lean.application.releaseChannels[0].instances.find((i: any) => i.service.name === 'api').desiredRelease).toBeNull();
    expect(full.application.releaseChannels.flatMap((c: any) => c.instances).some((i: any) => i.desiredState?.digest)).toBe(true);

    const viaFragments = await server.data(`
      query { application(name: "app1") { releaseChannels { name instances { ...Cell } } } }
      fragment Cell on ServiceInstance { id ... on ServiceInstance { status } wanted: desiredRelease { label } desiredRelease { changeSummary } service { name } }
    `);
    const cells = viaFragments.application.releaseChannels.flatMap((c: any) => c.instances);
    const fullCells = full.application.releaseChannels.flatMap((c: any) => c.instances);
    expect(cells.map((c: any) => [c.id, c.status, c.wanted?.label ?? null, c.desiredRelease?.changeSummary ?? null, c.service.name])).toEqual(
      fullCells.map((c: any) => [c.id, c.status, c.desiredRelease?.label ?? null, c.desiredRelease?.changeSummary ?? null, c.service.name]),
    );
  });
});
