import { describe, expect, it } from 'vitest';
import { DATABASES } from '../helpers/databases.js';
import { APPLY_CONFIG, CREATE_RELEASE, HELLO_CONFIG } from '../helpers/config-text.js';
import { startTestServer } from '../helpers/server.js';

const DASHBOARD = /* GraphQL */ `
  query Dashboard($name: String!) {
    application(name: $name) {
      id name version
      releaseChannels {
        name position dependsOn constants
        gates { type summary settings }
        runtime { name plugin }
        instances { status reasons { code message since } service { name } desiredRelease { label } desiredState { spec env digest } }
      }
      services { name parameters { name type required } }
    }
  }
`;

describe.each(DATABASES)('applyConfig on %s', (database) => {
  it('applies the hello example and reads it back', async () => {
    await using server = await startTestServer({ database });
    const applied = await server.data(APPLY_CONFIG, { documents: HELLO_CONFIG });
    expect(applied.applyConfig.userErrors).toEqual([]);
    expect(applied.applyConfig.created.map((o: any) => `${o.kind} ${o.name}`)).toEqual(['Runtime local', 'Application hello', 'Service web']);

    const { application } = await server.data(DASHBOARD, { name: 'hello' });
    expect(application.releaseChannels.map((c: any) => c.name)).toEqual(['staging', 'production']);
    const [staging, production] = application.releaseChannels;
    expect(production.dependsOn).toEqual(['staging']);
    expect(production.gates).toEqual([{ type: 'manualApproval', summary: '1 distinct approver needed', settings: { minApprovers: 1 } }]);
    expect(staging.runtime).toEqual({ name: 'local', plugin: 'process' });
    // Instances exist before any release, and say why nothing runs.
    expect(staging.instances).toHaveLength(1);
    expect(staging.instances[0].status).toBe('PENDING');
    expect(staging.instances[0].reasons[0].code).toBe('NO_RELEASE');
    expect(application.services).toEqual([{ name: 'web', parameters: [{ name: 'version', type: 'STRING', required: true }] }]);
  });

  it('re-applying the same text changes nothing and writes nothing', async () => {
    await using server = await startTestServer({ database });
    await server.data(APPLY_CONFIG, { documents: HELLO_CONFIG });
    const before = await server.data(`{ events(first: 100) { totalCount } application(name: "hello") { version } }`);
    const again = await server.data(APPLY_CONFIG, { documents: HELLO_CONFIG });
    expect(again.applyConfig.created).toEqual([]);
    expect(again.applyConfig.updated).toEqual([]);
    expect(again.applyConfig.unchanged.map((o: any) => o.name)).toEqual(['local', 'hello', 'web']);
    const after = await server.data(`{ events(first: 100) { totalCount } application(name: "hello") { version } }`);
    expect(after).toEqual(before);
  });

  it('an edit updates only what changed and re-renders desired states', async () => {
    // No engine: a release here must not start the hello app on this machine's port 8100.
    await using server = await startTestServer({ database, engine: { enabled: false } });
    await server.data(APPLY_CONFIG, { documents: HELLO_CONFIG });
    await server.data(CREATE_RELEASE, { application: 'hello', service: 'web', params: { version: 'v1' } });
    const edited = HELLO_CONFIG.replace('spec: { replicas: 2 }', 'spec: { replicas: 3 }');
    const res = await server.data(APPLY_CONFIG, { documents: edited });
    expect(res.applyConfig.updated.map((o: any) => `${o.kind} ${o.name}`)).toEqual(['Service web']);
    const { application } = await server.data(DASHBOARD, { name: 'hello' });
    expect(application.releaseChannels[1].instances[0].desiredState.spec.replicas).toBe(3);
    expect(application.releaseChannels[0].instances[0].desiredState.spec.replicas).toBe(1);
  });

  it('createRelease compiles one desired state per channel, each instance stays PENDING', async () => {
    // No engine: a release here must not start the hello app on this machine's port 8100.
    await using server = await startTestServer({ database, engine: { enabled: false } });
    await server.data(APPLY_CONFIG, { documents: HELLO_CONFIG });
    const res = await server.data(CREATE_RELEASE, { application: 'hello', service: 'web', params: { version: 'v1' } });
    expect(res.createRelease.userErrors).toEqual([]);
    const release = res.createRelease.release;
    expect(release).toMatchObject({ number: 1, label: 'v1', params: { version: 'v1' } });
    const byChannel = Object.fromEntries(release.instances.map((i: any) => [i.channel.name, i]));
    expect(byChannel.staging.desiredState.spec).toMatchObject({ basePort: 8100, replicas: 1, env: { VERSION: 'v1', CHANNEL: 'staging' } });
    expect(byChannel.production.desiredState.spec).toMatchObject({ basePort: 8200, replicas: 2, env: { VERSION: 'v1', CHANNEL: 'production' } });
    expect(release.instances.every((i: any) => i.status === 'PENDING')).toBe(true);

    const second = await server.data(CREATE_RELEASE, { application: 'hello', service: 'web', params: { version: 'v2' } });
    expect(second.createRelease.release.number).toBe(2);
    const { application } = await server.data(DASHBOARD, { name: 'hello' });
    expect(application.releaseChannels.map((c: any) => c.instances[0].desiredRelease.label)).toEqual(['v2', 'v2']);
  });

  it('previewConfig shows the rendered spec per channel and writes nothing', async () => {
    await using server = await startTestServer({ database });
    const res = await server.data(
      `query P($d: String!, $p: JSONObject) { previewConfig(input: { documents: $d, params: $p }) {
        changes { kind name action }
        applications { name channels { name runtime services { name paramsSource action desiredState { spec } userErrors { message } } } }
        userErrors { message } } }`,
      { d: HELLO_CONFIG, p: { web: { version: 'v9' } } },
    );
    const preview = res.previewConfig;
    expect(preview.userErrors).toEqual([]);
    expect(preview.changes.map((c: any) => c.action)).toEqual(['CREATE', 'CREATE', 'CREATE']);
    const [staging, production] = preview.applications[0].channels;
    expect(staging.services[0].desiredState.spec.basePort).toBe(8100);
    expect(production.services[0].desiredState.spec.basePort).toBe(8200);
    expect(production.services[0].desiredState.spec.env.VERSION).toBe('v9');
    const after = await server.data(`{ applications { totalCount } runtimes { name } }`);
    expect(after).toEqual({ applications: { totalCount: 0 }, runtimes: [] });

    // Without params and without a release, required parameters show as placeholders.
    const placeholder = await server.data(`query P($d: String!) { previewConfig(input: { documents: $d }) { applications { channels { services { paramsSource desiredState { spec } } } } } }`, { d: HELLO_CONFIG });
    const svc = placeholder.previewConfig.applications[0].channels[0].services[0];
    expect(svc.paramsSource).toBe('PLACEHOLDER');
    expect(svc.desiredState.spec.env.VERSION).toBe('<params.version>');
  });
});
