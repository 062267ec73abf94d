import type { TestServer } from './server.js';
import { APPLY_CONFIG, CREATE_RELEASE } from './config-text.js';
import { waitFor } from './wait.js';
import { fromGlobalId } from '../../schema/types/node.js';

/** An application on the in-memory fake runtime: staging → production, gates per test. */
export function fakeConfig(opts: { productionGates?: string; stagingGates?: string; progressDeadline?: string; extraChannels?: string; extraServices?: string[] } = {}): string {
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
${opts.progressDeadline ? `progressDeadline: ${opts.progressDeadline}\n` : ''}${(opts.extraServices ?? [])
    .map((name) => `---\nkind: Service\nname: ${name}\napplication: shop\nparameters: [{ name: version, required: true }]\nspec: { replicas: 1 }\n`)
    .join('')}`;
}

export const INSTANCES = /* GraphQL */ `
  query Instances {
    application(name: "shop") {
      releaseChannels {
        name
        instances { id service { name } status convergedAt reasons { code message } desiredRelease { id label } targetRelease { label } convergedRelease { label } }
      }
    }
  }
`;

export interface InstanceView {
  id: string;
  status: string;
  convergedAt: string | null;
  reasons: { code: string; message: string }[];
  desiredRelease: { id: string; label: string } | null;
  targetRelease: { label: string } | null;
  convergedRelease: { label: string } | null;
}

/** The `web` instance of each channel (or another service's with `service`). */
export async function instances(server: TestServer, service = 'web'): Promise<Record<string, InstanceView>> {
  const data = await server.data(INSTANCES);
  return Object.fromEntries(data.application.releaseChannels.map((c: any) => [c.name, c.instances.find((i: any) => i.service.name === service)]));
}

/** Internal (row) ids of the `web` instances per channel, as the fake runtime sees them. */
export async function instanceIds(server: TestServer, service = 'web'): Promise<Record<string, string>> {
  const views = await instances(server, service);
  return Object.fromEntries(Object.entries(views).map(([channel, v]) => [channel, fromGlobalId(v.id)!.id]));
}

export function rowId(globalId: string): string {
  return fromGlobalId(globalId)!.id;
}

export async function applyAndRelease(server: TestServer, config: string, version: string, service = 'web'): Promise<string> {
  const applied = await server.data(APPLY_CONFIG, { documents: config });
  if (applied.applyConfig.userErrors.length) throw new Error(JSON.stringify(applied.applyConfig.userErrors));
  return release(server, version, service);
}

/** Creates a release; returns its global id. */
export async function release(server: TestServer, version: string, service = 'web'): Promise<string> {
  const res = await server.data(CREATE_RELEASE, { application: 'shop', service, params: { version } });
  if (res.createRelease.userErrors.length) throw new Error(JSON.stringify(res.createRelease.userErrors));
  return res.createRelease.release.id;
}

/** Waits until a channel's instance matches status (and converged label, when given). */
export async function waitForChannel(server: TestServer, channel: string, status: string, converged?: string, timeoutMs = 15_000, service = 'web'): Promise<InstanceView> {
  let last: InstanceView | undefined;
  return waitFor(
    async () => {
      const view = (last = (await instances(server, service))[channel]!);
      return view.status === status && (converged === undefined || view.convergedRelease?.label === converged) ? view : undefined;
    },
    `${channel} to be ${status}${converged ? ` on ${converged}` : ''}`,
    timeoutMs,
  ).catch((err: Error) => {
    throw new Error(`${err.message}; it was ${JSON.stringify(last)}`);
  });
}

/**
 * Waits until a channel's instance has this status with `code` as its first reason. Statuses can
 * hold a moment with an older reason (a downstream channel evaluated just before its upstream
 * converged), so tests wait for the reason they mean rather than for the status alone.
 */
export async function waitForReason(server: TestServer, channel: string, status: string, code: string, converged?: string): Promise<InstanceView> {
  return waitFor(
    async () => {
      const view = (await instances(server))[channel]!;
      const ok = view.status === status && view.reasons[0]?.code === code && (converged === undefined || view.convergedRelease?.label === converged);
      return ok ? view : undefined;
    },
    `${channel} to be ${status} with ${code}`,
  );
}
