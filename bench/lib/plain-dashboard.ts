/**
 * Figure 4's floor: the dashboard query through plain graphql-js (a schema from a small SDL,
 * default resolvers only) over the same data, loaded once into plain JS objects. What is left
 * when nothing is read, decoded, mapped or checked per request: graphql-js walking the answer.
 */
import { buildSchema, execute, GraphQLScalarType, parse, type GraphQLSchema } from 'graphql';
import type { EntityManager } from '@mikro-orm/core';
import { CONVERGENCE_STATUSES, REASON_CODES } from '../../server/domain/status.js';
import { ApplicationRow, ReleaseChannelRow, ReleaseRow, ServiceInstanceRow, ServiceRow } from '../../server/store/entities/index.js';
import { toGlobalId } from '../../schema/types/node.js';

const SDL = /* GraphQL */ `
  scalar DateTime
  enum ConvergenceStatus { ${CONVERGENCE_STATUSES.join(' ')} }
  enum ReasonCode { ${REASON_CODES.join(' ')} }
  type Query { application(name: String!): Application }
  type Application { name: String! releaseChannels: [ReleaseChannel!]! }
  type ReleaseChannel { name: String! instances: [ServiceInstance!]! }
  type Service { name: String! }
  type Release { id: ID! label: String! }
  type StatusReason { code: ReasonCode! message: String! since: DateTime! }
  type ServiceInstance { id: ID! service: Service! status: ConvergenceStatus! statusSince: DateTime! reasons: [StatusReason!]! desiredRelease: Release }
`;

interface PlainApplication {
  name: string;
  releaseChannels: { name: string; instances: unknown[] }[];
}

function plainSchema(): GraphQLSchema {
  const schema = buildSchema(SDL);
  // The same serialisation Driftless's DateTime scalar does: a Date out as an ISO string.
  const dateTime = schema.getType('DateTime') as GraphQLScalarType;
  dateTime.serialize = (value: unknown) => (value as Date).toISOString();
  return schema;
}

/** Reads one application's dashboard data once, into plain objects shared the way the data is. */
export async function loadPlainApplication(em: EntityManager, name: string): Promise<PlainApplication> {
  const app = await em.findOneOrFail(ApplicationRow, { name });
  const [channels, services, instances] = await Promise.all([
    em.find(ReleaseChannelRow, { applicationId: app.id }, { orderBy: { position: 'asc' } }),
    em.find(ServiceRow, { applicationId: app.id }),
    em.find(ServiceInstanceRow, { applicationId: app.id }),
  ]);
  const releaseIds = [...new Set(instances.map((i) => i.desiredReleaseId).filter((id): id is string => !!id))];
  const releases = await em.find(ReleaseRow, { id: { $in: releaseIds } });
  const serviceById = new Map(services.map((s) => [s.id, { name: s.name }]));
  const releaseById = new Map(releases.map((r) => [r.id, { id: toGlobalId('Release', r.id), label: r.label }]));
  const byChannel = new Map<string, unknown[]>(channels.map((c) => [c.id, []]));
  for (const i of instances) {
    byChannel.get(i.channelId)?.push({
      id: toGlobalId('ServiceInstance', i.id),
      service: serviceById.get(i.serviceId),
      status: i.status,
      statusSince: i.statusSince,
      reasons: i.reasons.map((r) => ({ code: r.code, message: r.message, since: new Date(r.since) })),
      desiredRelease: i.desiredReleaseId ? releaseById.get(i.desiredReleaseId) : null,
    });
  }
  return { name: app.name, releaseChannels: channels.map((c) => ({ name: c.name, instances: byChannel.get(c.id)! })) };
}

/** `execute` + `JSON.stringify` of `query` over the loaded data, in a loop for `windowMs`. */
export async function plainLoop(em: EntityManager, query: string, variables: Record<string, unknown>, windowMs: number): Promise<{ perSec: number; latencies: number[]; bytes: number; answer: string }> {
  const app = await loadPlainApplication(em, String(variables.application));
  const schema = plainSchema();
  const document = parse(query);
  const rootValue = { application: ({ name }: { name: string }) => (name === app.name ? app : null) };
  const once = async () => {
    const result = await execute({ schema, document, rootValue, variableValues: variables });
    if (result.errors?.length) throw new Error(JSON.stringify(result.errors));
    return JSON.stringify(result);
  };
  const answer = await once();
  const bytes = answer.length;
  const latencies: number[] = [];
  const t0 = performance.now();
  const end = t0 + windowMs;
  let done = 0;
  while (performance.now() < end) {
    const s = performance.now();
    await once();
    latencies.push(performance.now() - s);
    done++;
    // Let IPC and timers run between queries, as the server's loop would.
    if (done % 20 === 0) await new Promise((r) => setImmediate(r));
  }
  return { perSec: done / ((performance.now() - t0) / 1000), latencies, bytes, answer };
}
