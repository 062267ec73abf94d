import { Field, ObjectType } from 'type-graphql';
import type { BypassableGate } from '../../server/store/entities/index.js';
import { DesiredState, Release } from './domain.js';
import { BypassableGateEnum } from './enums.js';
import { DateTimeScalar, JSONScalar } from './scalars.js';

@ObjectType('FieldChange', { description: 'One field of a compiled state that differs, e.g. spec.replicas 2 → 3. A missing before: added; a missing after: removed.' })
export class FieldChange {
  @Field(() => String, { description: 'Dotted path: spec.replicas, env.LOG_LEVEL, params.version, gates.manualApproval, dependsOn...' }) path!: string;
  @Field(() => JSONScalar, { nullable: true }) before?: unknown;
  @Field(() => JSONScalar, { nullable: true }) after?: unknown;
  @Field(() => String, { description: 'The change in words, e.g. "spec.replicas: 2 → 3".' }) summary!: string;
}

@ObjectType('ReleaseChannelState', { description: 'A release compiled for one of its channels.' })
export class ReleaseChannelState {
  @Field(() => String) channel!: string;
  @Field(() => DesiredState) desiredState!: DesiredState;
  @Field(() => [FieldChange], { description: 'What it changes here against the release before it.' }) changes!: FieldChange[];
}

@ObjectType('ReleasePlan', { description: 'What rolling a release out in a channel would change against what runs there now: the plan an approver approves.' })
export class ReleasePlan {
  @Field(() => String) channel!: string;
  @Field(() => Release, { nullable: true, description: 'The release that runs there now (null: nothing ran there yet).' }) running?: Release | null;
  @Field(() => [FieldChange], { description: 'Empty when the release runs exactly what runs there now (it converges there at once).' }) changes!: FieldChange[];
}

@ObjectType('GateBypass', { description: "An admin's recorded decision that one gate does not hold one release in one channel." })
export class GateBypass {
  @Field(() => String) channel!: string;
  @Field(() => BypassableGateEnum) gate!: BypassableGate;
  @Field(() => String) actor!: string;
  @Field(() => String) reason!: string;
  @Field(() => DateTimeScalar) createdAt!: Date;
}
