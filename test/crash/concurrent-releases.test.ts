import { describe, expect, it } from 'vitest';
import { APPLY_CONFIG, CREATE_RELEASE } from '../helpers/config-text.js';
import { DATABASES } from '../helpers/databases.js';
import { fakeConfig } from '../helpers/fake-config.js';
import { startTestServer } from '../helpers/server.js';

const N = 200;

describe.each(DATABASES)('issue 10 point 20: concurrent createRelease (%s)', (database) => {
  it(`${N} concurrent createRelease over HTTP: every answer is a release or STALE, never an internal error, and no acknowledged release is lost`, { timeout: 120_000 }, async () => {
    await using server = await startTestServer({ database });
    expect((await server.data(APPLY_CONFIG, { documents: fakeConfig() })).applyConfig.userErrors).toEqual([]);

    const answers = await Promise.all(
      Array.from({ length: N }, (_, i) => server.gql(CREATE_RELEASE, { application: 'shop', service: 'web', params: { version: `v${i}` } })),
    );
    const problems = answers.filter((a) => a.status !== 200 || a.errors?.length);
    expect(problems.map((a) => ({ status: a.status, errors: a.errors })).slice(0, 3)).toEqual([]);
    const acknowledged = answers.filter((a) => a.data.createRelease.release).map((a) => a.data.createRelease.release);
    const stale = answers.filter((a) => a.data.createRelease.userErrors.length).map((a) => a.data.createRelease.userErrors);
    for (const errors of stale) expect(errors.map((e: { code: string }) => e.code)).toEqual(['STALE']);
    // Serialized numbering: at most a few callers are told to try again.
    expect(acknowledged.length).toBeGreaterThanOrEqual(N * 0.9);

    // Every acknowledged release is stored, each with its own number.
    const numbers = acknowledged.map((r: { number: number }) => r.number);
    expect(new Set(numbers).size).toBe(numbers.length);
    const ids = new Set<string>();
    for (let after: string | null = null, more = true; more; ) {
      const page: any = await server.data(`query ($after: String) { application(name: "shop") { services { releases(first: 100, after: $after) { nodes { id } pageInfo { hasNextPage endCursor } } } } }`, { after });
      const releases = page.application.services[0].releases;
      for (const r of releases.nodes) ids.add(r.id);
      ({ hasNextPage: more, endCursor: after } = releases.pageInfo);
    }
    for (const r of acknowledged) expect(ids.has(r.id), `release ${r.label} was acknowledged but is not stored`).toBe(true);
  });
});
