import { Field, ID, Int, ObjectType } from 'type-graphql';
import type { CompiledChannelState } from '../../server/compiler/types.js';
import type { ConvergenceStatus, ReasonCode } from '../../server/domain/status.js';
import type { EventType } from '../../server/domain/events.js';
import type {
  ApiTokenRow,
  ApplicationRow,
  EventRow,
  ReleaseChannelRow,
  ReleaseRow,
  RuntimeRow,
  Role,
  ServiceInstanceRow,
  ServiceRow,
} from '../../server/store/entities/index.js';
import { Connection } from './connection.js';
import { ConvergenceStatusEnum, EventTypeEnum, GateTypeEnum, ParameterTypeEnum, ReasonCodeEnum, ReleaseTriggerEnum, RoleEnum } from './enums.js';
import { Node, toGlobalId } from './node.js';
import { DateTimeScalar, JSONObjectScalar, JSONScalar } from './scalars.js';

// API types are designed for readers; each keeps its row (not a field) for the field resolvers.
// `simpleResolvers`: their plain fields use graphql-js's default resolver instead of a type-graphql
// wrapper per field (there are no global middlewares or auth checkers to run); a list of 500
// instances has thousands of such fields. Field resolvers (@FieldResolver) are unaffected.

@ObjectType('Runtime', { simpleResolvers: true, implements: Node, description: 'A named backend where services run, driven by a runtime plugin.' })
export class Runtime extends Node {
  readonly __typename = 'Runtime';
  row!: RuntimeRow;
  @Field(() => String) name!: string;
  @Field(() => String, { description: 'Name of the runtime plugin that drives it.' }) plugin!: string;
  @Field(() => JSONObjectScalar, { description: 'Plugin config; values the plugin marks secret read as "<redacted>".' }) config!: Record<string, unknown>;
  @Field(() => JSONObjectScalar) labels!: Record<string, string>;
  @Field(() => Int) version!: number;
  @Field(() => DateTimeScalar) createdAt!: Date;
  @Field(() => DateTimeScalar) updatedAt!: Date;
}

@ObjectType('Application', { simpleResolvers: true, implements: Node, description: 'A set of related services released under the same rules.' })
export class Application extends Node {
  readonly __typename = 'Application';
  row!: ApplicationRow;
  @Field(() => String) name!: string;
  @Field(() => Int) version!: number;
  @Field(() => Boolean, { description: 'Convergence paused for the whole application.' }) paused!: boolean;
  @Field(() => DateTimeScalar) createdAt!: Date;
  @Field(() => DateTimeScalar) updatedAt!: Date;
}

@ObjectType('Gate', { simpleResolvers: true, description: 'A rule a channel enforces before (or after) converging a release.' })
export class Gate {
  @Field(() => GateTypeEnum) type!: string;
  @Field(() => String, { description: 'The rule in words, e.g. "soak for 10m".' }) summary!: string;
  @Field(() => JSONObjectScalar, { description: 'Compiled settings (durations in milliseconds).' }) settings!: Record<string, unknown>;
}

@ObjectType('ReleaseChannel', { simpleResolvers: true, implements: Node, description: 'An ordered slice of an application on one runtime.' })
export class ReleaseChannel extends Node {
  readonly __typename = 'ReleaseChannel';
  row!: ReleaseChannelRow;
  @Field(() => String) name!: string;
  @Field(() => Int, { description: 'Declaration order in the application.' }) position!: number;
  @Field(() => [String], { description: 'Channels that must converge on a release first.' }) dependsOn!: string[];
  @Field(() => JSONObjectScalar) constants!: Record<string, unknown>;
  @Field(() => JSONObjectScalar) env!: Record<string, string>;
  @Field(() => [Gate]) gates!: Gate[];
  @Field(() => Boolean) paused!: boolean;
  @Field(() => Int) version!: number;
}

@ObjectType('Parameter', { simpleResolvers: true })
export class Parameter {
  @Field(() => String) name!: string;
  @Field(() => ParameterTypeEnum) type!: string;
  @Field(() => Boolean) required!: boolean;
  @Field(() => JSONScalar, { nullable: true }) default?: unknown;
  @Field(() => String, { nullable: true }) description?: string;
}

@ObjectType('Service', { simpleResolvers: true, implements: Node, description: 'The unit of deployment: a spec template and its parameters.' })
export class Service extends Node {
  readonly __typename = 'Service';
  row!: ServiceRow;
  @Field(() => String) name!: string;
  @Field(() => [Parameter]) parameters!: Parameter[];
  @Field(() => JSONObjectScalar, { description: 'The spec template as written (before rendering).' }) spec!: Record<string, unknown>;
  @Field(() => String) progressDeadline!: string;
  @Field(() => Int) version!: number;
  @Field(() => DateTimeScalar) createdAt!: Date;
  @Field(() => DateTimeScalar) updatedAt!: Date;
}

@ObjectType('Release', { simpleResolvers: true,
  implements: Node,
  description: 'An immutable, fully compiled release of a service: parameter values against one generation of the config, with one desired state per channel. The only thing that moves through channels.',
})
export class Release extends Node {
  readonly __typename = 'Release';
  row!: ReleaseRow;
  @Field(() => Int, { description: 'Per-service sequence number: 1, 2, 3...' }) number!: number;
  @Field(() => String, { description: 'Short, unique label for people: `v2` for a new version, `v2 · config 5` for a config change released on top of v2.' }) label!: string;
  @Field(() => ReleaseTriggerEnum, { description: 'A new version (createRelease) or a config change (applyConfig).' }) trigger!: 'VERSION' | 'CONFIG';
  @Field(() => Int, { description: "The application's config generation it was compiled from." }) configGeneration!: number;
  @Field(() => [String], { description: 'What it changes against the release before it, one line per change with its channels, e.g. "env.LOG_LEVEL: info → debug (staging, production)".' }) changeSummary!: string[];
  @Field(() => JSONObjectScalar) params!: Record<string, unknown>;
  @Field(() => String, { description: 'Who created it: the createRelease caller, or whoever applied the config change.' }) createdBy!: string;
  @Field(() => DateTimeScalar) createdAt!: Date;
}

@ObjectType('StatusReason', { simpleResolvers: true, description: 'Why an instance is where it is, in words.' })
export class StatusReason {
  @Field(() => ReasonCodeEnum) code!: ReasonCode;
  @Field(() => String) message!: string;
  @Field(() => DateTimeScalar) since!: Date;
}

@ObjectType('DesiredState', { simpleResolvers: true, description: 'A release compiled for one channel: what the runtime plugin will be asked to run.' })
export class DesiredState {
  @Field(() => String) runtime!: string;
  @Field(() => String) plugin!: string;
  @Field(() => JSONObjectScalar, { description: 'Rendered runtime spec.' }) spec!: Record<string, unknown>;
  @Field(() => JSONObjectScalar, { description: 'Merged environment.' }) env!: Record<string, string>;
  @Field(() => JSONObjectScalar) params!: Record<string, unknown>;
  @Field(() => String, { description: 'Content digest (sha256) of what the plugin sees.' }) digest!: string;
  @Field(() => [String], { description: 'Channels that must converge on the release first (compiled into the release).' }) dependsOn!: string[];
  @Field(() => [Gate], { description: 'The gates compiled into the release for this channel: these, not the current config, hold it.' }) gates!: Gate[];
  @Field(() => Int, { nullable: true, description: "Stabilization window in milliseconds; null: the server's default." }) stabilizationMs?: number | null;
}

@ObjectType('ServiceInstance', { simpleResolvers: true, implements: Node, description: 'A service in one release channel.' })
export class ServiceInstance extends Node {
  readonly __typename = 'ServiceInstance';
  row!: ServiceInstanceRow;
  /** Set by list resolvers that loaded these fields for the whole list (not fields themselves). */
  preloaded?: import('../resolvers/instance-list.js').PreloadedInstanceFields;
  @Field(() => ConvergenceStatusEnum) status!: ConvergenceStatus;
  @Field(() => DateTimeScalar, { description: 'When the status last changed.' }) statusSince!: Date;
  @Field(() => [StatusReason], { description: 'Empty only when CONVERGED.' }) reasons!: StatusReason[];
  @Field(() => DesiredState, { nullable: true, description: 'The desired release compiled for this channel.' }) desiredState?: DesiredState | null;
  @Field(() => JSONScalar, { nullable: true, description: 'Last state reported by the runtime plugin.' }) observed?: unknown;
  @Field(() => Boolean) paused!: boolean;
  @Field(() => DateTimeScalar, { nullable: true }) convergedAt?: Date | null;
  @Field(() => Int) version!: number;
  @Field(() => DateTimeScalar) updatedAt!: Date;
}

@ObjectType('ApiToken', { simpleResolvers: true, implements: Node, description: 'An API token. The secret is shown once, at creation.' })
export class ApiToken extends Node {
  readonly __typename = 'ApiToken';
  row!: ApiTokenRow;
  @Field(() => String) name!: string;
  @Field(() => String, { description: 'First characters of the secret, to tell tokens apart.' }) prefix!: string;
  @Field(() => RoleEnum) role!: Role;
  @Field(() => Boolean, { description: 'True: the token reaches every application, present and future; `applications` is then empty.' }) allApplications!: boolean;
  @Field(() => [String], { description: 'Applications the token is limited to (empty when allApplications).' }) applications!: string[];
  @Field(() => String) createdBy!: string;
  @Field(() => DateTimeScalar) createdAt!: Date;
  @Field(() => DateTimeScalar, { nullable: true }) revokedAt?: Date | null;
}

@ObjectType('Viewer', { simpleResolvers: true, description: 'The caller, as its token says.' })
export class Viewer {
  @Field(() => ID) tokenId!: string;
  @Field(() => String) name!: string;
  @Field(() => RoleEnum) role!: Role;
  @Field(() => Boolean, { description: 'True: the token reaches every application, present and future; `applications` is then empty.' }) allApplications!: boolean;
  @Field(() => [String], { description: 'Applications the token is limited to (empty when allApplications).' }) applications!: string[];
}

@ObjectType('Event', { simpleResolvers: true, implements: Node, description: 'One entry of the append-only history: what changed, who did it, why.' })
export class Event extends Node {
  readonly __typename = 'Event';
  row!: EventRow;
  @Field(() => DateTimeScalar) at!: Date;
  @Field(() => EventTypeEnum) type!: EventType;
  @Field(() => String) actor!: string;
  @Field(() => ID, { nullable: true, description: 'The node id of the API token behind actor (token:<name>; names are not unique); null for the engine and for events recorded before ids were.' }) actorTokenId?: string | null;
  @Field(() => String) subject!: string;
  @Field(() => String) message!: string;
  @Field(() => JSONObjectScalar, { nullable: true }) data?: Record<string, unknown> | null;
}

@ObjectType() export class ApplicationConnection extends Connection(Application, 'Application') {}
@ObjectType() export class ReleaseConnection extends Connection(Release, 'Release') {}
@ObjectType() export class EventConnection extends Connection(Event, 'Event') {}

export function desiredStateOf(state: CompiledChannelState | null | undefined, toGate: (gate: CompiledChannelState['gates'][number]) => Gate): DesiredState | null {
  if (!state) return null;
  return Object.assign(new DesiredState(), {
    runtime: state.runtime,
    plugin: state.plugin,
    spec: state.spec,
    env: state.env,
    params: state.params,
    digest: state.digest,
    dependsOn: state.dependsOn,
    gates: state.gates.map(toGate),
    stabilizationMs: state.stabilizationMs ?? null,
  });
}

export { toGlobalId };
