import { ApiTokenRow } from './api-token.js';
import { ApprovalRow } from './approval.js';
import { ApplicationRow } from './application.js';
import { EventRow } from './event.js';
import { GateBypassRow } from './gate-bypass.js';
import { NotificationDeliveryRow } from './notification-delivery.js';
import { NotifierRow } from './notifier.js';
import { PendingRemovalRow } from './pending-removal.js';
import { ReleaseChannelRow } from './release-channel.js';
import { ReleaseRow } from './release.js';
import { ReleaseGroupRow } from './release-group.js';
import { RuntimeRow } from './runtime.js';
import { ServiceInstanceRow } from './service-instance.js';
import { ServiceRow } from './service.js';

export { ApiTokenRow, ApprovalRow, ApplicationRow, EventRow, GateBypassRow, NotificationDeliveryRow, NotifierRow, PendingRemovalRow, ReleaseChannelRow, ReleaseGroupRow, ReleaseRow, RuntimeRow, ServiceInstanceRow, ServiceRow };
export type { Role } from './api-token.js';
export type { ApprovalDecision } from './approval.js';
export type { BypassableGate } from './gate-bypass.js';
export type { RemovalCause } from './pending-removal.js';
export type { DeliveryStatus } from './notification-delivery.js';
export type { ConfigSnapshot, ReleaseTrigger } from './release.js';
export type { GroupMember } from './release-group.js';
export type { InstancePin } from './service-instance.js';

export const ENTITIES = [
  RuntimeRow,
  ApplicationRow,
  ReleaseChannelRow,
  ServiceRow,
  ReleaseRow,
  ServiceInstanceRow,
  EventRow,
  ApiTokenRow,
  ApprovalRow,
  GateBypassRow,
  PendingRemovalRow,
  ReleaseGroupRow,
  NotifierRow,
  NotificationDeliveryRow,
];
