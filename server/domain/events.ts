import type { EntityManager } from '@mikro-orm/core';
import { EventRow } from '../store/entities/index.js';
import { requestScope } from './request-scope.js';

/** Every kind of event the store records. Part of the API (EventType enum). */
export const EVENT_TYPES = [
  'RUNTIME_CREATED',
  'RUNTIME_UPDATED',
  'RUNTIME_DELETED',
  'APPLICATION_CREATED',
  'APPLICATION_UPDATED',
  'APPLICATION_DELETED',
  'SERVICE_CREATED',
  'SERVICE_UPDATED',
  'RELEASE_CREATED',
  'INSTANCE_DESIRED_CHANGED',
  'INSTANCE_STATUS_CHANGED',
  'ROLLOUT_STARTED',
  'INSTANCE_APPLIED',
  'INSTANCE_SELF_HEALED',
  'INSTANCE_CONVERGED',
  'VERIFICATION_PASSED',
  'RELEASE_FAILED',
  'ROLLBACK_STARTED',
  'INSTANCE_ROLLED_BACK',
  'ROLLBACK_REQUESTED',
  'RELEASE_APPROVED',
  'RELEASE_REJECTED',
  'CONVERGENCE_PAUSED',
  'CONVERGENCE_RESUMED',
  'INSTANCES_REMOVED',
  'CHANNEL_REMOVED',
  'SERVICE_DELETED',
  'INSTANCE_REMOVAL_REQUESTED',
  'INSTANCE_REMOVED',
  'INSTANCE_REMOVAL_FAILED',
  'GATE_BYPASSED',
  'CRASH_LOOP_DETECTED',
  'HEALTH_DEGRADED',
  'HEALTH_RECOVERED',
  'RELEASE_SUPERSEDED',
  'SERVICE_PINNED',
  'SERVICE_UNPINNED',
  'ROLLOUT_STEP_REACHED',
  'ROLLOUT_STEP_STARTED',
  'ROLLOUT_PROMOTE_REQUESTED',
  'TOKEN_CREATED',
  'TOKEN_REVOKED',
  'NOTIFIER_CREATED',
  'NOTIFIER_UPDATED',
  'NOTIFIER_DELETED',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export interface NewEvent {
  type: EventType;
  actor: string;
  applicationId?: string | null;
  subject: string;
  subjectId?: string | null;
  message: string;
  data?: Record<string, unknown>;
}

/** Appends an event in the caller's unit of work; it is written with the change it describes. */
export function recordEvent(em: EntityManager, event: NewEvent): EventRow {
  // Audit: a token's events also name the token's id (names are not unique; revoked tokens keep theirs).
  const viewer = requestScope.getStore()?.viewer;
  const actorTokenId = viewer && event.actor === `token:${viewer.tokenName}` ? viewer.tokenId : null;
  return em.create(EventRow, { ...event, actorTokenId, applicationId: event.applicationId ?? null, subjectId: event.subjectId ?? null, data: event.data ?? null });
}
