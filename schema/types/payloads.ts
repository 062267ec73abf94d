import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import type { Role } from '../../server/store/entities/index.js';
import { ChangeActionEnum, ConfigKindEnum, RoleEnum } from './enums.js';
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
  @Field(() => ID, { nullable: true, description: 'Global id of the object (null in a preview of a new object).' }) id?: string | null;
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
  @Field(() => String, { description: 'INPUT, LATEST_RELEASE or PLACEHOLDER.' }) paramsSource!: string;
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

@ObjectType()
export class PreviewApplication {
  @Field(() => String) name!: string;
  @Field(() => [PreviewChannel]) channels!: PreviewChannel[];
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
export class DeleteRuntimeInput {
  @Field(() => String) name!: string;
  @Field(() => Int, { nullable: true }) expectedVersion?: number;
}

@ObjectType()
export class DeletePayload {
  @Field(() => ID, { nullable: true, description: 'Global id of the deleted object.' }) deletedId?: string | null;
  @Field(() => [UserError]) userErrors!: UserError[];
}

@InputType()
export class CreateReleaseInput {
  @Field(() => String) application!: string;
  @Field(() => String) service!: string;
  @Field(() => JSONObjectScalar, { description: 'Parameter values, e.g. {"version": "v2"}.' }) params!: Record<string, unknown>;
}

@ObjectType()
export class CreateReleasePayload {
  @Field(() => Release, { nullable: true }) release?: Release | null;
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
  @Field(() => String, { nullable: true, description: 'Only this channel; omit for every channel where a release was deployed.' }) channel?: string | null;
}

@ObjectType()
export class RollbackServicePayload {
  @Field(() => Service, { nullable: true }) service?: Service | null;
  @Field(() => [UserError]) userErrors!: UserError[];
}
