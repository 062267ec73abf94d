import { Field, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { Release, ServiceInstance } from './domain.js';
import { DateTimeScalar } from './scalars.js';
import { UserError } from './user-error.js';

@ObjectType('Pin', { description: 'A person holds a service in a channel at a release: automation never moves it until it is unpinned.' })
export class Pin {
  @Field(() => Release) release!: Release;
  @Field(() => String, { description: 'Who pinned it (token:<name>).' }) by!: string;
  @Field(() => String) reason!: string;
  @Field(() => DateTimeScalar) at!: Date;
}

export const GateStateEnum = { OPEN: 'OPEN', WAITING: 'WAITING', FAILING: 'FAILING', BYPASSED: 'BYPASSED' } as const;
registerEnumType(GateStateEnum, {
  name: 'GateState',
  description: 'Where one gate of the next release stands in a channel.',
  valuesConfig: {
    OPEN: { description: 'It lets the release through.' },
    WAITING: { description: 'It holds the release for now (message says until what).' },
    FAILING: { description: 'It fails the release here (rejected, marked bad upstream, broken during the rollout).' },
    BYPASSED: { description: 'An admin bypassed it for this release here.' },
  },
});

@ObjectType('GateStatus', { description: 'One gate of the release a channel takes next, as the engine last evaluated it.' })
export class GateStatus {
  @Field(() => String, { description: 'dependsOn, soak, manualApproval, allowedTimes, alerts or httpCheck.' }) type!: string;
  @Field(() => String, { description: 'Tells two gates of one type apart (alerts and httpCheck carry their target).' }) key!: string;
  @Field(() => GateStateEnum) state!: keyof typeof GateStateEnum;
  @Field(() => String, { nullable: true, description: 'Why it holds or fails, in words.' }) message?: string | null;
}

export const ReleaseChannelStatusEnum = {
  NOT_REACHED: 'NOT_REACHED',
  WAITING: 'WAITING',
  ROLLING_OUT: 'ROLLING_OUT',
  CONVERGED: 'CONVERGED',
  DEGRADED: 'DEGRADED',
  PINNED: 'PINNED',
  REPLACED: 'REPLACED',
  SUPERSEDED: 'SUPERSEDED',
  ROLLED_BACK: 'ROLLED_BACK',
  MARKED_BAD: 'MARKED_BAD',
} as const;
registerEnumType(ReleaseChannelStatusEnum, {
  name: 'ReleaseChannelStatus',
  description: 'Where one release stands in one channel.',
  valuesConfig: {
    NOT_REACHED: { description: 'It has not come here (yet): an older release runs, or it is not the next one here.' },
    WAITING: { description: 'It is the next release here and waits (reason says for what).' },
    ROLLING_OUT: { description: 'It is being applied here.' },
    CONVERGED: { description: 'It runs here, stable.' },
    DEGRADED: { description: 'It runs here, but a health gate fails or it crash-loops.' },
    PINNED: { description: 'It runs here and a person pinned it.' },
    REPLACED: { description: 'It ran here before; a newer release runs now.' },
    SUPERSEDED: { description: 'A newer release replaced it before it ran here (or it can never come here); it will not.' },
    ROLLED_BACK: { description: 'It failed here (or a person rolled it back) and the channel went back to an earlier release; marked bad here.' },
    MARKED_BAD: { description: 'It failed here before it ran (rejected) or is marked bad here; it is never promoted here.' },
  },
});

@ObjectType('ReleaseInChannel', { description: 'One release in one channel: the cell of a release × channel matrix.' })
export class ReleaseInChannel {
  @Field(() => String) channel!: string;
  @Field(() => ReleaseChannelStatusEnum) status!: keyof typeof ReleaseChannelStatusEnum;
  @Field(() => String, { nullable: true, description: 'Why, in words, when there is something to say.' }) reason?: string | null;
}

@InputType({ description: 'A service in one channel.' })
export class PinServiceInput {
  @Field(() => String) application!: string;
  @Field(() => String) service!: string;
  @Field(() => String) channel!: string;
  @Field(() => String, { description: 'Why it must stay where it is (required; shown with every release that waits for it).' }) reason!: string;
}

@InputType({ description: 'A service in one channel.' })
export class UnpinServiceInput {
  @Field(() => String) application!: string;
  @Field(() => String) service!: string;
  @Field(() => String) channel!: string;
}

@ObjectType()
export class PinServicePayload {
  @Field(() => ServiceInstance, { nullable: true }) instance?: ServiceInstance | null;
  @Field(() => [UserError]) userErrors!: UserError[];
}
