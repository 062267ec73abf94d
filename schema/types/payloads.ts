import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import type { BypassableGate, Role } from '../../server/store/entities/index.js';
import { GateBypass } from './release-details.js';
import { ReleaseGroup } from './release-group.js';
import { BypassableGateEnum, ChangeActionEnum, ConfigKindEnum, ParamsSourceEnum, RoleEnum } from './enums.js';
import { Approval } from './approval.js';
import { ApiToken, Application, DesiredState, Release, Service } from './domain.js';
import { JSONObjectScalar } from './scalars.js';
import { UserError } from './user-error.js';

@InputType({ description: 'YAML documents (Runtime, Application, Service), separated by ---.' })
export class ApplyConfigInput {
  @Field(() => String) documents!: string;
}

@ObjectType({ description: 'One document of an applyConfig or previewConfig and what happened to it.' })
export class ConfigObjectChange {
  @Field(() => ConfigKindEnum) kind!: string;
  @Field(() => String) name!: string;
  @Field(() => String, { nullable: true, description: 'For services: their application.' }) application?: string;
  @Field(() => ChangeActionEnum) action!: string;
  /** Kind and row id of the object, for `object`; null in a preview. */
  ref?: { kind: 'Runtime' | 'Application' | 'Service'; rowId: string } | null;
}

@ObjectType()
export class ApplyConfigPayload {
  @Field(() => [ConfigObjectChange]) created!: ConfigObjectChange[];
  @Field(() => [ConfigObjectChange]) updated!: ConfigObjectChange[];
  @Field(() => [ConfigObjectChange]) unchanged!: ConfigObjectChange[];
  @Field(() => [UserError]) userErrors!: UserError[];
}

@InputType()
export class PreviewConfigInput {
  @Field(() => String) documents!: string;
  @Field(() => JSONObjectScalar, { nullable: true, description: 'Parameter values per service name, e.g. {"web": {"version": "v2"}}. Default: each service\'s latest release, else placeholders.' })
  params?: Record<string, Record<string, unknown>>;
}

@ObjectType()
export class PreviewService {
  @Field(() => String) name!: string;
  @Field(() => ParamsSourceEnum) paramsSource!: string;
  @Field(() => DesiredState, { nullable: true }) desiredState?: DesiredState | null;
  @Field(() => ChangeActionEnum, { description: "Against the instance's current desired state." }) action!: string;
  @Field(() => [UserError]) userErrors!: UserError[];
}

@ObjectType()
export class PreviewChannel {
  @Field(() => String) name!: string;
  @Field(() => String) runtime!: string;
  @Field(() => [PreviewService]) services!: PreviewService[];
}

@ObjectType({ description: 'Where a release the change would create goes in one channel.' })
export class PreviewReleaseChannel {
  @Field(() => String) channel!: string;
  @Field(() => String, { description: 'UNCHANGED: it compiles to what runs there and is converged there at once. ROLLOUT: it goes through the gates there.' }) effect!: string;
  @Field(() => [String], { description: 'What it would wait for there, in words.' }) waitsFor!: string[];
  @Field(() => [String], { description: 'Paths of the fields it changes against what runs there now.' }) changes!: string[];
}

@ObjectType({ description: 'A release (trigger CONFIG) that applying the change would create.' })
export class PreviewRelease {
  @Field(() => String) service!: string;
  @Field(() => String) label!: string;
  @Field(() => String, { description: 'The release whose parameters it carries forward.' }) basedOn!: string;
  @Field(() => [String]) changes!: string[];
  @Field(() => [PreviewReleaseChannel]) channels!: PreviewReleaseChannel[];
}

@ObjectType()
export class PreviewApplication {
  @Field(() => String) name!: string;
  @Field(() => [PreviewChannel]) channels!: PreviewChannel[];
  @Field(() => [PreviewRelease], { description: 'Releases applying the change would create, and where each would wait.' }) releases!: PreviewRelease[];
}

@ObjectType()
export class ConfigPreview {
  @Field(() => [ConfigObjectChange]) changes!: ConfigObjectChange[];
  @Field(() => [PreviewApplication]) applications!: PreviewApplication[];
  @Field(() => [UserError]) userErrors!: UserError[];
}

@InputType()
export class DeleteApplicationInput {
  @Field(() => String) name!: string;
  @Field(() => Int, { nullable: true, description: 'Refuse with STALE unless the application is at this version.' }) expectedVersion?: number;
}

@InputType()
export class DeleteServiceInput {
  @Field(() => String) application!: string;
  @Field(() => String) name!: string;
  @Field(() => Int, { nullable: true, description: 'Refuse with STALE unless the service is at this version.' }) expectedVersion?: number;
}

@InputType()
export class DeleteRuntimeInput {
  @Field(() => String) name!: string;
  @Field(() => Int, { nullable: true }) expectedVersion?: number;
}

@ObjectType()
export class DeletePayload {
  @Field(() => ID, { nullable: true, description: 'Global id of the deleted object.' }) deletedId?: string | null;
  @Field(() => [UserError]) userErrors!: UserError[];
}

@InputType({ description: 'One service of a multi-service release, with its parameter values.' })
export class ServiceReleaseInput {
  @Field(() => String) service!: string;
  @Field(() => JSONObjectScalar, { description: 'Parameter values, e.g. {"version": "v2"}.' }) params!: Record<string, unknown>;
}

@InputType({ description: 'One service (service and params), or several released as one (services).' })
export class CreateReleaseInput {
  @Field(() => String) application!: string;
  @Field(() => String, { nullable: true }) service?: string | null;
  @Field(() => JSONObjectScalar, { nullable: true, description: 'Parameter values, e.g. {"version": "v2"}.' }) params?: Record<string, unknown> | null;
  @Field(() => [ServiceReleaseInput], { nullable: true, description: 'Several services released as one: they go through every channel together, in service order (Service dependsOn), and fail or roll back there as a whole.' })
  services?: ServiceReleaseInput[] | null;
}

@ObjectType()
export class CreateReleasePayload {
  @Field(() => Release, { nullable: true, description: 'The release; for several services, the first in service order.' }) release?: Release | null;
  @Field(() => ReleaseGroup, { nullable: true, description: 'For several services: the release of all of them.' }) group?: ReleaseGroup | null;
  @Field(() => [UserError]) userErrors!: UserError[];
}

@InputType()
export class CreateApiTokenInput {
  @Field(() => String) name!: string;
  @Field(() => RoleEnum) role!: Role;
  @Field(() => [String], { nullable: true, description: 'Limit the token to these applications; omit for all.' }) applications?: string[] | null;
}

@ObjectType()
export class CreateApiTokenPayload {
  @Field(() => ApiToken, { nullable: true }) apiToken?: ApiToken | null;
  @Field(() => String, { nullable: true, description: 'The secret. Shown this once; store it now.' }) secret?: string | null;
  @Field(() => [UserError]) userErrors!: UserError[];
}

@InputType()
export class RevokeApiTokenInput {
  @Field(() => ID, { description: 'Global id of the token.' }) id!: string;
}

@ObjectType()
export class RevokeApiTokenPayload {
  @Field(() => ApiToken, { nullable: true }) apiToken?: ApiToken | null;
  @Field(() => [UserError]) userErrors!: UserError[];
}

@InputType()
export class ApproveReleaseInput {
  @Field(() => ID, { description: 'Global id of the release.' }) release!: string;
  @Field(() => String, { description: 'A channel of the release\'s application with a manualApproval gate.' }) channel!: string;
  @Field(() => String, { nullable: true }) comment?: string | null;
}

@InputType()
export class RejectReleaseInput extends ApproveReleaseInput {}

@ObjectType()
export class ApproveReleasePayload {
  @Field(() => Release, { nullable: true }) release?: Release | null;
  @Field(() => [Approval], { description: 'Every decision on the release in that channel.' }) approvals!: Approval[];
  @Field(() => [UserError]) userErrors!: UserError[];
}

@ObjectType()
export class RejectReleasePayload extends ApproveReleasePayload {}

@InputType({ description: 'Application only: the whole application. With channel: that channel. With service: that service in the channel, or in every channel.' })
export class PauseConvergenceInput {
  @Field(() => String) application!: string;
  @Field(() => String, { nullable: true }) channel?: string | null;
  @Field(() => String, { nullable: true }) service?: string | null;
}

@InputType({ description: 'The same scopes as PauseConvergenceInput.' })
export class ResumeConvergenceInput extends PauseConvergenceInput {}

@ObjectType()
export class PauseConvergencePayload {
  @Field(() => Application, { nullable: true }) application?: Application | null;
  @Field(() => [UserError]) userErrors!: UserError[];
}

@ObjectType()
export class ResumeConvergencePayload extends PauseConvergencePayload {}

@InputType()
export class RollbackServiceInput {
  @Field(() => String) application!: string;
  @Field(() => String) service!: string;
  @Field(() => String, { nullable: true, description: 'Only this channel; omit for every channel that has an earlier release to go back to.' }) channel?: string | null;
  @Field(() => String, { nullable: true, description: 'Why, recorded with the request (and as the pin\'s reason with pin).' }) reason?: string | null;
  @Field(() => ID, { nullable: true, description: 'Global id of the release to go back to (default: the newest earlier one that converged there).' }) to?: string | null;
  @Field(() => Boolean, { nullable: true, description: 'Also pin the service there, so automation does not move it on until it is unpinned.' }) pin?: boolean | null;
  @Field(() => Boolean, { nullable: true, description: 'Admins only: allow going back to a release that is marked bad there.' }) allowBad?: boolean | null;
}

@ObjectType({ description: 'One channel a rollback was asked for in.' })
export class RollbackPlan {
  @Field(() => String) channel!: string;
  @Field(() => Release, { description: 'The release it leaves (marked bad there).' }) from!: Release;
  @Field(() => Release, { description: 'The release it goes back to.' }) to!: Release;
}

@ObjectType()
export class RollbackServicePayload {
  @Field(() => Service, { nullable: true }) service?: Service | null;
  @Field(() => [RollbackPlan], { description: 'Where the engine will roll back, from what to what.' }) rollbacks!: RollbackPlan[];
  @Field(() => [UserError]) userErrors!: UserError[];
}

@InputType()
export class BypassGateInput {
  @Field(() => ID, { description: 'Global id of the release.' }) release!: string;
  @Field(() => String, { description: 'The channel where the gate holds it.' }) channel!: string;
  @Field(() => BypassableGateEnum) gate!: BypassableGate;
  @Field(() => String, { description: 'Why this release may skip the gate; required, recorded in the event.' }) reason!: string;
}

@ObjectType()
export class BypassGatePayload {
  @Field(() => Release, { nullable: true }) release?: Release | null;
  @Field(() => GateBypass, { nullable: true }) bypass?: GateBypass | null;
  @Field(() => [UserError]) userErrors!: UserError[];
}
