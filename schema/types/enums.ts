import { registerEnumType } from 'type-graphql';
import { CONVERGENCE_STATUSES, REASON_CODES } from '../../server/domain/status.js';
import { EVENT_TYPES } from '../../server/domain/events.js';
import { USER_ERROR_CODES } from '../../server/domain/user-error.js';

/** type-graphql wants enum objects; the vocabulary lives in server/domain as const arrays. */
function enumObject<T extends string>(values: readonly T[]): { [K in T]: K } {
  return Object.fromEntries(values.map((v) => [v, v])) as { [K in T]: K };
}

export const ConvergenceStatusEnum = enumObject(CONVERGENCE_STATUSES);
export const ReasonCodeEnum = enumObject(REASON_CODES);
export const EventTypeEnum = enumObject(EVENT_TYPES);
export const UserErrorCodeEnum = enumObject(USER_ERROR_CODES);
export const RoleEnum = enumObject(['admin', 'deployer', 'viewer'] as const);
export const ConfigKindEnum = enumObject(['Runtime', 'Application', 'Service', 'Notifier'] as const);
export const ChangeActionEnum = enumObject(['CREATE', 'UPDATE', 'UNCHANGED'] as const);
export const GateTypeEnum = enumObject(['soak', 'manualApproval', 'allowedTimes', 'alerts', 'httpCheck'] as const);
export const BypassableGateEnum = enumObject(['dependsOn', 'soak', 'manualApproval', 'allowedTimes', 'alerts', 'httpCheck'] as const);
export const ReleaseTriggerEnum = enumObject(['VERSION', 'CONFIG'] as const);
/** GraphQL names in upper case; the config (and the compiler) say `string` and `int`. */
export const ParameterTypeEnum = { STRING: 'string', INT: 'int' } as const;
export const ParamsSourceEnum = enumObject(['INPUT', 'LATEST_RELEASE', 'PLACEHOLDER'] as const);

registerEnumType(ConvergenceStatusEnum, { name: 'ConvergenceStatus', description: 'Where a service instance stands on its way to the desired release.' });
registerEnumType(ReasonCodeEnum, { name: 'ReasonCode', description: 'Why an instance has its status.' });
registerEnumType(EventTypeEnum, { name: 'EventType' });
registerEnumType(UserErrorCodeEnum, { name: 'UserErrorCode' });
registerEnumType(RoleEnum, { name: 'Role', description: 'admin: everything; deployer: releases, approvals, pause/resume, rollbacks; viewer: read.' });
registerEnumType(ConfigKindEnum, { name: 'ConfigKind', valuesConfig: { Notifier: { description: 'Where notifications go (a webhook), with filters; its secrets are never returned.' } } });
registerEnumType(ChangeActionEnum, { name: 'ChangeAction' });
registerEnumType(GateTypeEnum, { name: 'GateType' });
registerEnumType(BypassableGateEnum, { name: 'BypassableGate', description: 'A gate an admin may bypass for one release in one channel: the channel gates, and dependsOn (its upstream channels).' });
registerEnumType(ParameterTypeEnum, {
  name: 'ParameterType',
  description: 'The type of a service parameter, as declared in its config (`type: string` or `type: int`).',
  valuesConfig: { STRING: { description: 'Any text; the default type.' }, INT: { description: 'A whole number; release values are coerced and checked.' } },
});
registerEnumType(ParamsSourceEnum, {
  name: 'ParamsSource',
  description: 'Where previewConfig took the parameter values of a service from.',
  valuesConfig: {
    INPUT: { description: 'The `params` given to previewConfig for this service.' },
    LATEST_RELEASE: { description: "The service's latest release: what a config change would carry forward." },
    PLACEHOLDER: { description: 'No release yet and none given: placeholders stand in for the values.' },
  },
});
registerEnumType(ReleaseTriggerEnum, {
  name: 'ReleaseTrigger',
  description: 'What made a release.',
  valuesConfig: {
    VERSION: { description: 'createRelease: new parameter values (e.g. a new version).' },
    CONFIG: { description: 'applyConfig changed what the service compiles to in at least one channel; the latest parameters, the new config.' },
  },
});
