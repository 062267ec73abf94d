import { ApiTokenRow } from './api-token.js';
import { ApprovalRow } from './approval.js';
import { ApplicationRow } from './application.js';
import { EventRow } from './event.js';
import { ReleaseChannelRow } from './release-channel.js';
import { ReleaseRow } from './release.js';
import { RuntimeRow } from './runtime.js';
import { ServiceInstanceRow } from './service-instance.js';
import { ServiceRow } from './service.js';

export { ApiTokenRow, ApprovalRow, ApplicationRow, EventRow, ReleaseChannelRow, ReleaseRow, RuntimeRow, ServiceInstanceRow, ServiceRow };
export type { Role } from './api-token.js';
export type { ApprovalDecision } from './approval.js';

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
];
