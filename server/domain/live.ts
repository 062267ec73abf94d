import { createPubSub } from '@graphql-yoga/subscription';

/** What subscriptions hear about. Published after the change is committed, never before. */
export interface InstanceChange {
  applicationId: string;
  instanceId: string;
  /** Releases whose progress this change is part of (desired and target). */
  releaseIds: string[];
}

export interface LiveEvent {
  id: number | null;
  at: number;
  applicationId: string | null;
  type: string;
  actor: string;
  subject: string;
  subjectId: string | null;
  message: string;
  data: Record<string, unknown> | null;
}

/** An API token was revoked, deleted or changed: its open WebSockets are re-checked (and closed). */
export interface TokenChange {
  tokenId: string;
}

/**
 * For the engines (never for clients): intent changed in these applications, or these instances
 * should look again. Every replica's engine hears it (through the PostgreSQL bridge) and wakes
 * what it owns; `origin` is the engine that sent it, which has already acted.
 */
export interface EngineWake {
  origin: string;
  intent?: string[];
  where?: { applicationIds?: string[]; serviceIds?: string[]; channelIds?: string[]; ids?: string[] };
}

export type LiveChannels = {
  INSTANCE_CHANGED: [InstanceChange];
  EVENT: [LiveEvent];
  TOKEN_CHANGED: [TokenChange];
  ENGINE_WAKE: [EngineWake];
};

export type LivePubSub = ReturnType<typeof createLivePubSub>;

export function createLivePubSub() {
  return createPubSub<LiveChannels>();
}
