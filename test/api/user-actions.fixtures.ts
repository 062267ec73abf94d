import { expect } from 'vitest';
import { APPLY_CONFIG, CREATE_RELEASE } from '../helpers/config-text.js';
import type { TestServer } from '../helpers/server.js';

/**
 * Two applications on the in-memory fake runtime (no real processes): shop has staging, then
 * production behind two approvers; other exists to test application scopes.
 */
export const SHOP_CONFIG = `kind: Runtime
name: mem
plugin: fake
---
kind: Application
name: shop
releaseChannels:
  - name: staging
    runtime: mem
  - name: production
    runtime: mem
    dependsOn: [staging]
    gates:
      - manualApproval: { minApprovers: 2 }
---
kind: Service
name: web
application: shop
parameters: [{ name: version, required: true }]
spec: { replicas: 1 }
---
kind: Service
name: worker
application: shop
parameters: [{ name: version, required: true }]
spec: { replicas: 1 }
---
kind: Application
name: other
releaseChannels:
  - name: dev
    runtime: mem
---
kind: Service
name: api
application: other
parameters: [{ name: version, required: true }]
spec: { replicas: 1 }
`;

/** Engine timings that keep these suites quick. */
export const FAST_ENGINE = { steadyIntervalMs: 300, gatePollMs: 100, healthPollMs: 100 };

export async function applyShop(server: TestServer): Promise<void> {
  const res = await server.data(APPLY_CONFIG, { documents: SHOP_CONFIG });
  expect(res.applyConfig.userErrors).toEqual([]);
}

/** Creates a release of shop/web (or another service) and returns its global id. */
export async function releaseOf(server: TestServer, version: string, service = 'web', application = 'shop'): Promise<string> {
  const res = await server.data(CREATE_RELEASE, { application, service, params: { version } });
  expect(res.createRelease.userErrors).toEqual([]);
  return res.createRelease.release.id;
}

/** A new token's secret; its actor name in events is token:<name>. */
export async function tokenFor(server: TestServer, name: string, role: 'admin' | 'deployer' | 'viewer', applications?: string[]): Promise<string> {
  const res = await server.data(
    `mutation($n: String!, $r: Role!, $a: [String!]) { createApiToken(input: { name: $n, role: $r, applications: $a }) { secret userErrors { message } } }`,
    { n: name, r: role, a: applications ?? null },
  );
  expect(res.createApiToken.userErrors).toEqual([]);
  return res.createApiToken.secret;
}

/** The row id behind a global id (tests compare it with what the server publishes). */
export function rowId(globalId: string): string {
  const decoded = Buffer.from(globalId, 'base64url').toString('utf8');
  return decoded.slice(decoded.indexOf(':') + 1);
}

export const APPROVE = /* GraphQL */ `
  mutation Approve($release: ID!, $channel: String!, $comment: String) {
    approveRelease(input: { release: $release, channel: $channel, comment: $comment }) {
      release { id label }
      approvals { actor decision comment createdAt channel }
      userErrors { code message path }
    }
  }
`;

export const REJECT = /* GraphQL */ `
  mutation Reject($release: ID!, $channel: String!, $comment: String) {
    rejectRelease(input: { release: $release, channel: $channel, comment: $comment }) {
      release { id label }
      approvals { actor decision comment createdAt channel }
      userErrors { code message path }
    }
  }
`;

export async function eventsOf(server: TestServer, application: string, type: string): Promise<{ type: string; actor: string; subject: string; message: string; data: any }[]> {
  const res = await server.data(`query($a: String!) { events(application: $a, first: 200) { nodes { type actor subject message data } } }`, { a: application });
  return res.events.nodes.filter((e: { type: string }) => e.type === type);
}
