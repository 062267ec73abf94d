import type { TestServer } from './server.js';
import { APPLY_CONFIG, CREATE_RELEASE } from './config-text.js';
import { waitFor } from './wait.js';

/** An application on the in-memory fake runtime: staging → production, gates per test. */
export function fakeConfig(opts: { productionGates?: string; stagingGates?: string; progressDeadline?: string; extraChannels?: string } = {}): string {
  return `kind: Runtime
name: fake
plugin: fake
---
kind: Application
name: shop
releaseChannels:
  - name: staging
    runtime: fake
${opts.stagingGates ? `    gates:\n${opts.stagingGates}\n` : ''}  - name: production
    runtime: fake
    dependsOn: [staging]
${opts.productionGates ? `    gates:\n${opts.productionGates}\n` : ''}${opts.extraChannels ?? ''}---
kind: Service
name: web
application: shop
parameters: [{ name: version, required: true }]
spec: { replicas: 2 }
${opts.progressDeadline ? `progressDeadline: ${opts.progressDeadline}\n` : ''}`;
}

export const INSTANCES = /* GraphQL */ `
  query Instances {
    application(name: "shop") {
      releaseChannels {
        name
        instances { id status reasons { code message } desiredRelease { id label } targetRelease { label } convergedRelease { label } }
      }
    }
  }
`;

export interface InstanceView {
  id: string;
  status: string;
  reasons: { code: string; message: string }[];
  desiredRelease: { id: string; label: string } | null;
  targetRelease: { label: string } | null;
  convergedRelease: { label: string } | null;
}

export async function instances(server: TestServer): Promise<Record<string, InstanceView>> {
  const data = await server.data(INSTANCES);
  return Object.fromEntries(data.application.releaseChannels.map((c: any) => [c.name, c.instances[0]]));
}

export async function applyAndRelease(server: TestServer, config: string, version: string): Promise<string> {
  const applied = await server.data(APPLY_CONFIG, { documents: config });
  if (applied.applyConfig.userErrors.length) throw new Error(JSON.stringify(applied.applyConfig.userErrors));
  return release(server, version);
}

export async function release(server: TestServer, version: string): Promise<string> {
  const res = await server.data(CREATE_RELEASE, { application: 'shop', service: 'web', params: { version } });
  if (res.createRelease.userErrors.length) throw new Error(JSON.stringify(res.createRelease.userErrors));
  return res.createRelease.release.id;
}

/** Waits until a channel's instance matches status (and converged label, when given). */
export async function waitForChannel(server: TestServer, channel: string, status: string, converged?: string, timeoutMs = 15_000): Promise<InstanceView> {
  return waitFor(
    async () => {
      const view = (await instances(server))[channel]!;
      return view.status === status && (converged === undefined || view.convergedRelease?.label === converged) ? view : undefined;
    },
    `${channel} to be ${status}${converged ? ` on ${converged}` : ''}`,
    timeoutMs,
  );
}
