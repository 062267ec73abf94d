import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { startTestServer } from '../helpers/server.js';

const read = (file: string) => readFileSync(new URL(`../../examples/regions/${file}`, import.meta.url), 'utf8');

const PREVIEW = `query($d: String!) { previewConfig(input: { documents: $d, params: { web: { version: "v1" }, posts: { version: "v1" } } }) {
  userErrors { message } applications { name channels { name runtime services { name desiredState { spec env } } } } } }`;

describe('examples/regions', () => {
  it('the channel groups and the same setup written out by hand compile to the same desired state in every channel', async () => {
    await using server = await startTestServer({ engine: { enabled: false } });
    const groups = (await server.data(PREVIEW, { d: read('driftless.yaml') })).previewConfig;
    const byHand = (await server.data(PREVIEW, { d: read('by-hand/driftless.yaml') })).previewConfig;
    expect(groups.userErrors).toEqual([]);
    expect(byHand.userErrors).toEqual([]);
    const channels = (p: any) => p.applications.map((a: any) => ({ name: a.name, channels: [...a.channels].sort((x: any, y: any) => x.name.localeCompare(y.name)) }));
    expect(channels(groups)).toEqual(channels(byHand));
    expect(groups.applications[0].channels.map((c: any) => c.name).sort()).toEqual(['prod-ap-south', 'prod-eu-west', 'prod-us-east', 'staging']);
    const eu = groups.applications.find((a: any) => a.name === 'shop').channels.find((c: any) => c.name === 'prod-eu-west').services[0].desiredState;
    expect(eu.env.DB_HOST ?? eu.spec.env.DB_HOST).toBe('db.eu-west.internal');
    expect(eu.spec.basePort).toBe(8300);
  });
});
