import { Field, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Release, ServiceInstance } from './domain.js';
import { RollbackPlan } from './payloads.js';
import { DateTimeScalar } from './scalars.js';
import { UserError } from './user-error.js';

export const RolloutStepKindEnum = { REPLICAS: 'REPLICAS', PAUSE: 'PAUSE' } as const;
registerEnumType(RolloutStepKindEnum, {
  name: 'RolloutStepKind',
  valuesConfig: {
    REPLICAS: { description: 'Runs a number (or percent) of the replicas on the new release, with optional analysis.' },
    PAUSE: { description: 'Holds for a while (or until promoteRollout).' },
  },
});

@ObjectType('RolloutStepStatus', { description: 'Where a progressive rollout stands in one channel: the step its release is at.' })
export class RolloutStepStatus {
  @Field(() => Release, { description: 'The release rolling out in steps.' }) release!: Release;
  @Field(() => Int, { description: '1-based.' }) step!: number;
  @Field(() => Int, { description: 'How many steps the rollout has (the last runs every replica).' }) of!: number;
  @Field(() => RolloutStepKindEnum) kind!: keyof typeof RolloutStepKindEnum;
  @Field(() => Int, { description: 'Replicas on the new release at this step (a pause keeps the count before it).' }) replicas!: number;
  @Field(() => Int, { nullable: true, description: 'The step as written, when written as a percentage.' }) percent?: number | null;
  @Field(() => DateTimeScalar, { description: 'When this step started.' }) startedAt!: Date;
  @Field(() => DateTimeScalar, { nullable: true, description: 'When the runtime reported its replicas up (its pause or analysis counts from there); null while rolling out.' }) reachedAt?: Date | null;
  @Field(() => DateTimeScalar, { nullable: true, description: 'When its pause or analysis ends, once reached.' }) endsAt?: Date | null;
}

@InputType({ description: 'A service in one channel, rolling out in steps.' })
export class PromoteRolloutInput {
  @Field(() => String) application!: string;
  @Field(() => String) service!: string;
  @Field(() => String) channel!: string;
  @Field(() => String, { nullable: true, description: 'Why (recorded in the event).' }) reason?: string | null;
}

@InputType({ description: 'A service in one channel, rolling out.' })
export class AbortRolloutInput {
  @Field(() => String) application!: string;
  @Field(() => String) service!: string;
  @Field(() => String) channel!: string;
  @Field(() => String, { nullable: true, description: 'Why (recorded in the event).' }) reason?: string | null;
}

@ObjectType()
export class PromoteRolloutPayload {
  @Field(() => ServiceInstance, { nullable: true }) instance?: ServiceInstance | null;
  @Field(() => String, { nullable: true, description: 'The step that is skipped, e.g. "step 2 of 4: pause".' }) skipped?: string | null;
  @Field(() => [UserError]) userErrors!: UserError[];
}

@ObjectType()
export class AbortRolloutPayload {
  @Field(() => [RollbackPlan], { description: 'Where the engine rolls back, from what to what.' }) rollbacks!: RollbackPlan[];
  @Field(() => [UserError]) userErrors!: UserError[];
}
