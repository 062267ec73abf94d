import { Field, ObjectType, registerEnumType } from 'type-graphql';
import type { ApprovalDecision } from '../../server/store/entities/index.js';
import { DateTimeScalar } from './scalars.js';

export const ApprovalDecisionEnum = { APPROVE: 'APPROVE', REJECT: 'REJECT' } as const satisfies { [K in ApprovalDecision]: K };
registerEnumType(ApprovalDecisionEnum, { name: 'ApprovalDecision', description: 'APPROVE counts toward minApprovers; one REJECT blocks the release in that channel.' });

@ObjectType('Approval', { description: "One person's decision on a release in a channel with a manualApproval gate." })
export class Approval {
  @Field(() => String, { description: 'Who decided, as recorded in events (token:<name>).' }) actor!: string;
  @Field(() => ApprovalDecisionEnum) decision!: ApprovalDecision;
  @Field(() => String, { nullable: true }) comment?: string | null;
  @Field(() => DateTimeScalar, { description: "When the actor's current decision was made." }) createdAt!: Date;
  @Field(() => String, { description: 'The release channel the decision is for.' }) channel!: string;
}
