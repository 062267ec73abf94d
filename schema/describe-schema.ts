import { isEnumType, isInputObjectType, isInterfaceType, isObjectType, type GraphQLSchema } from 'graphql';
import { ENUM_VALUE_DESCRIPTIONS } from './enum-descriptions.js';

/**
 * Descriptions the decorators do not carry: enum values (enum-descriptions.ts), the fields every
 * connection, payload and input share, and the plain ones (names, versions, timestamps) written
 * once here instead of on every class. A description written on a decorator always wins.
 */
const TYPES: Record<string, string> = {
  Query: 'Reads. Everything is limited to the applications your token can see.',
  Mutation: 'Writes. Expected failures come back in each payload\'s `userErrors`, never as errors.',
  Subscription: 'Live updates over WebSocket (graphql-ws), with the same visibility rules as reads.',
  PageInfo: 'Where a page of a connection stands; page on with `after: endCursor`.',
  Parameter: 'A parameter a service declares: each release gives its value.',
  ConfigPreview: 'What applyConfig would do with the same documents, without writing anything.',
  PreviewApplication: 'One application of a previewConfig.',
  PreviewChannel: 'One release channel of an application in a previewConfig.',
  PreviewService: 'One service in one channel of a previewConfig: what it would compile to.',
  PreviewConfigInput: 'The documents to preview, and optional parameter values.',
  EventType: 'What an event records.',
  UserErrorCode: 'Why a mutation (or a preview) refused its input.',
  ConfigKind: 'The kind of a config document.',
  ChangeAction: 'What applyConfig does (or would do) with an object.',
  GateType: 'The kinds of gates a channel can have.',
  RolloutStepKind: 'The kinds of steps of a progressive rollout.',
  DeletePayload: 'The result of a delete mutation.',
};

/** `Type.field` or `Type.field(argument)`. */
const FIELDS: Record<string, string> = {
  'Runtime.name': 'Unique name, as written in the config.',
  'Runtime.labels': 'Labels from the config (channel groups select runtimes by them).',
  'Application.name': 'Unique name, as written in the config.',
  'ReleaseChannel.name': 'Name, unique within its application.',
  'ReleaseChannel.constants': 'Per-channel values templates read as {{ constants.<name> }}.',
  'ReleaseChannel.env': 'Environment every service gets in this channel.',
  'ReleaseChannel.gates': 'The gates of the current config (a release keeps the gates it was compiled with: DesiredState.gates).',
  'ReleaseChannel.paused': 'Convergence paused for this channel.',
  'ReleaseChannel.application': 'The application it belongs to.',
  'ReleaseChannel.runtime': 'The runtime its services run on.',
  'Gate.type': 'What kind of gate.',
  'Service.name': 'Name, unique within its application.',
  'Service.parameters': 'The parameters each release gives values for.',
  'Service.progressDeadline': 'How long a release may take to become healthy in a channel before it fails there, e.g. "10m".',
  'Service.application': 'The application it belongs to.',
  'Parameter.name': 'Name; templates read it as {{ params.<name> }}.',
  'Parameter.type': 'Type of its values.',
  'Parameter.required': 'Whether every release must give a value (a default counts).',
  'Parameter.default': 'Value used when a release gives none.',
  'Parameter.description': 'What the parameter is for, from the config.',
  'Release.params': 'Parameter values after defaults and coercion.',
  'Release.approvals(channel)': 'Only decisions in this channel.',
  'Release.service': 'The service it releases.',
  'Release.plan(channel)': 'Only this channel.',
  'Approval.decision': 'Approve or reject.',
  'Approval.comment': 'What the person wrote with it.',
  'ReleaseChannelState.channel': 'The channel.',
  'ReleaseChannelState.desiredState': 'What the release compiles to in that channel.',
  'DesiredState.runtime': 'The runtime it runs on.',
  'DesiredState.plugin': 'The runtime plugin that runs it.',
  'DesiredState.params': "The release's parameter values.",
  'FieldChange.before': 'The value before (null when added).',
  'FieldChange.after': 'The value after (null when removed).',
  'ReleasePlan.channel': 'The channel.',
  'GateBypass.channel': 'Where the gate was bypassed.',
  'GateBypass.gate': 'Which gate.',
  'GateBypass.actor': 'Who bypassed it.',
  'GateBypass.reason': 'Why, as they wrote it.',
  'ReleaseInChannel.channel': 'The channel.',
  'ReleaseInChannel.status': 'Where the release stands there.',
  'ServiceInstance.status': 'Where it stands (reasons say why).',
  'ServiceInstance.paused': 'Convergence paused for this instance.',
  'ServiceInstance.convergedAt': 'When it last converged; null if never.',
  'ServiceInstance.service': 'The service.',
  'ServiceInstance.channel': 'The release channel.',
  'StatusReason.code': 'The reason, for programs.',
  'StatusReason.message': 'The reason, for people.',
  'StatusReason.since': 'Since when the reason has held.',
  'RolloutStepStatus.kind': 'What the step does.',
  'Pin.release': 'The release the service is pinned to.',
  'Pin.reason': 'Why, as the person wrote it.',
  'Pin.at': 'When it was pinned.',
  'GateStatus.state': 'Open, holding or bypassed.',
  'ApiToken.name': 'Name, for people.',
  'ApiToken.role': 'What the token may do.',
  'ApiToken.revokedAt': 'When it was revoked; null while it works.',
  'Event.at': 'When it happened.',
  'Event.type': 'What happened, for programs.',
  'Event.actor': 'Who did it: `token:<name>`, or `engine`.',
  'Event.subject': 'What it is about, e.g. "ServiceInstance shop/staging/web".',
  'Event.message': 'What happened, for people.',
  'Event.data': 'Details, by event type (e.g. from/to statuses).',
  'Query.events(application)': "Only this application's events.",
  'Query.previewConfig(input)': 'The documents to preview.',
  'Query.node(id)': 'A global id from any `id` field.',
  'Query.application': 'One application by name; null when it does not exist or is not visible to you.',
  'Query.application(name)': 'Its name.',
  'RuntimePlugin.version': 'Version of the plugin package.',
  'RuntimePlugin.packageName': 'npm package it was loaded from.',
  'RuntimePlugin.status': 'Whether the server loaded it.',
  'ConfigPreview.changes': 'Every object of the documents and what applying would do with it.',
  'ConfigPreview.userErrors': 'Problems of the documents as a whole (each service\'s own are on PreviewService).',
  'ConfigPreview.applications': 'Per application, channel and service: the compiled desired states.',
  'ConfigObjectChange.kind': 'The kind of the document.',
  'ConfigObjectChange.name': 'Its name.',
  'ConfigObjectChange.action': 'What happens to it.',
  'PreviewApplication.name': 'The application.',
  'PreviewApplication.channels': 'Its channels, in order.',
  'PreviewChannel.name': 'The channel.',
  'PreviewChannel.runtime': 'The runtime it uses.',
  'PreviewChannel.services': 'Every service of the application in this channel.',
  'PreviewService.name': 'The service.',
  'PreviewService.paramsSource': 'Where the parameter values came from.',
  'PreviewService.desiredState': 'What it compiles to here; null when it does not compile (see userErrors).',
  'PreviewService.userErrors': 'Why it does not compile here.',
  'UserError.code': 'The problem, for programs.',
  'PreviewRelease.service': 'The service.',
  'PreviewRelease.label': 'The label the release would get.',
  'PreviewRelease.changes': 'What it changes, one line per change.',
  'PreviewRelease.channels': 'Per channel: how it would get there.',
  'PreviewReleaseChannel.channel': 'The channel.',
  'PreviewConfigInput.documents': 'YAML documents (Runtime, Application, Service), separated by ---.',
  'ApplyConfigInput.documents': 'YAML documents (Runtime, Application, Service), separated by ---.',
  'Viewer.tokenId': 'Global id of your token.',
  'Viewer.name': 'Name of your token.',
  'Viewer.role': 'What your token may do.',
  'ApplyConfigPayload.created': 'Objects the documents created.',
  'ApplyConfigPayload.updated': 'Objects the documents changed.',
  'ApplyConfigPayload.unchanged': 'Objects the documents left as they were.',
  'CreateApiTokenInput.name': 'Name, for people (unique among active tokens).',
  'CreateApiTokenInput.role': 'What the token may do.',
  'BypassGateInput.gate': 'Which gate to bypass.',
  'BypassGatePayload.bypass': 'The bypass as recorded.',
  'RollbackPlan.channel': 'The channel.',
  'Subscription.serviceInstanceChanged(application)': 'The application to watch.',
  'Subscription.convergenceEvents(application)': 'The application to watch.',
  'Mutation.createApiToken': 'Create an API token (unscoped admins only). Its secret is in the payload, this once.',
  'Mutation.revokeApiToken': 'Revoke an API token: it stops working at once.',
};

/** Fields and arguments shared by many types, by name. */
function byName(type: string, field: string, argument?: string): string | undefined {
  if (argument === 'first') return 'Page size: 0 to 500 (default as shown); null is refused.';
  if (argument === 'after') return 'Cursor after which the page starts: an endCursor or edge cursor of this same connection.';
  if (argument === 'input') return 'The mutation\'s input.';
  if (type.endsWith('Connection')) {
    if (field === 'edges') return 'The page, with a cursor per item.';
    if (field === 'nodes') return 'The page, items only.';
    if (field === 'pageInfo') return 'Where the page stands, for paging on.';
    if (field === 'totalCount') return 'Items in the whole connection (counted only when selected).';
  }
  if (type.endsWith('Edge')) {
    if (field === 'cursor') return 'Opaque position of this item; pass it as `after` to page on from here.';
    if (field === 'node') return 'The item.';
  }
  if (type === 'PageInfo') {
    return { hasNextPage: 'Whether more items follow this page.', hasPreviousPage: 'Whether this page started after a cursor.', startCursor: 'Cursor of the first item; null on an empty page.', endCursor: 'Cursor of the last item: pass it as `after` for the next page.' }[field];
  }
  if (type.endsWith('Payload')) {
    if (field === 'userErrors') return 'Why the input was refused; empty on success (nothing was written otherwise).';
    if (['release', 'application', 'service', 'apiToken', 'instance'].includes(field)) return `The ${field === 'apiToken' ? 'token' : field} after the change; null when refused.`;
  }
  if (type.endsWith('Input')) {
    if (field === 'application') return 'Name of the application.';
    if (field === 'service') return 'Name of the service.';
    if (field === 'channel') return 'Name of the release channel.';
    if (field === 'name') return 'Name of the object.';
    if (field === 'comment') return 'Why, recorded with the decision.';
    if (field === 'expectedVersion') return 'Refuse with STALE unless the object is at this version.';
  }
  if (field === 'version') return 'Optimistic-lock version: goes up with every change; pass it as expectedVersion.';
  if (field === 'createdAt') return 'When it was created.';
  if (field === 'updatedAt') return 'When it last changed.';
  if (field === 'createdBy') return 'Who created it: `token:<name>`.';
  return undefined;
}

function typeDescription(name: string): string | undefined {
  if (TYPES[name]) return TYPES[name];
  if (name.endsWith('Connection')) return `A page of ${name.slice(0, -'Connection'.length)} items (Relay connection).`;
  if (name.endsWith('Edge')) return `One ${name.slice(0, -'Edge'.length)} of a page, with its cursor.`;
  if (name.endsWith('Payload')) return `The result of ${name[0]!.toLowerCase()}${name.slice(1, -'Payload'.length)}: what changed, or userErrors.`;
  if (name.endsWith('Input')) return `Input of ${name[0]!.toLowerCase()}${name.slice(1, -'Input'.length)}.`;
  return undefined;
}

/** Fills in every description a decorator left out; mutates the schema once, after it is built. */
export function describeSchema(schema: GraphQLSchema): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__')) continue;
    type.description ??= typeDescription(type.name);
    if (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) {
        field.description ??= FIELDS[`${type.name}.${field.name}`] ?? byName(type.name, field.name);
        for (const arg of 'args' in field ? field.args : []) {
          (arg as { description?: string | null }).description ??= FIELDS[`${type.name}.${field.name}(${arg.name})`] ?? byName(type.name, field.name, arg.name);
        }
      }
    }
    if (isEnumType(type)) {
      for (const value of type.getValues()) value.description ??= ENUM_VALUE_DESCRIPTIONS[type.name]?.[value.name];
    }
  }
  return schema;
}
