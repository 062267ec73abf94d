import { Node } from './node.js';
import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Connection } from './connection.js';
import { DateTimeScalar, JSONObjectScalar } from './scalars.js';
import { UserError } from './user-error.js';

export const DeliveryStatusEnum = { PENDING: 'PENDING', DELIVERED: 'DELIVERED', FAILED: 'FAILED' } as const;
registerEnumType(DeliveryStatusEnum, {
  name: 'NotificationDeliveryStatus',
  description: 'Where a notification delivery stands.',
  valuesConfig: {
    PENDING: { description: 'Not delivered yet: waiting for its first attempt or for a retry (see nextAttemptAt).' },
    DELIVERED: { description: 'The receiver answered 2xx.' },
    FAILED: { description: 'Every attempt failed (or the notifier was deleted); no more retries.' },
  },
});

@ObjectType('NotifierFilters', { description: 'Which events a notifier is sent; an absent list matches everything.' })
export class NotifierFilters {
  @Field(() => [String], { nullable: true, description: 'Only events of these applications.' }) applications?: string[] | null;
  @Field(() => [String], { nullable: true, description: 'Only events in release channels with these names.' }) channels?: string[] | null;
  @Field(() => [String], { nullable: true, description: 'Only these kinds of event (WAITING_FOR_APPROVAL, CONVERGED, FAILED, ROLLED_BACK, CRASH_LOOP, CHECK_FAILING, DRIFT_HEALED).' }) events?: string[] | null;
}

@ObjectType('Notifier', { implements: Node, description: 'A webhook Driftless notifies (a kind: Notifier document). Its URL and signing secret are never returned.' })
export class Notifier extends Node {
  @Field(() => String, { description: 'The name in its document.' }) name!: string;
  @Field(() => String, { description: 'Payload format: json or slack.' }) format!: string;
  @Field(() => Boolean, { description: 'Deliveries carry X-Driftless-Signature (HMAC-SHA256 of the body).' }) signed!: boolean;
  @Field(() => NotifierFilters, { description: 'Which events it is sent.' }) filters!: NotifierFilters;
}

@ObjectType('NotificationDelivery', { description: 'One notification to one notifier: the delivery log. Its idempotencyKey is the Idempotency-Key header the receiver saw.' })
export class NotificationDelivery {
  @Field(() => String, { description: 'The Idempotency-Key header of this delivery (the same on every retry); it names the delivery in the log.' }) idempotencyKey!: string;
  @Field(() => String, { description: 'Name of the notifier it went to.' }) notifier!: string;
  @Field(() => String, { description: 'What it tells about: WAITING_FOR_APPROVAL, CONVERGED, FAILED, ROLLED_BACK, CRASH_LOOP, CHECK_FAILING, DRIFT_HEALED, or TEST.' }) event!: string;
  @Field(() => ID, { nullable: true, description: 'The id of the Driftless event it tells about (absent for test-sends).' }) eventId?: string | null;
  @Field(() => String, { nullable: true, description: 'Application of the event.' }) application?: string | null;
  @Field(() => String, { nullable: true, description: 'Release channel of the event.' }) channel?: string | null;
  @Field(() => DeliveryStatusEnum, { description: 'Where it stands.' }) status!: keyof typeof DeliveryStatusEnum;
  @Field(() => Int, { description: 'Attempts made so far.' }) attempts!: number;
  @Field(() => Int, { nullable: true, description: 'HTTP status of the last answer, if there was one.' }) lastStatusCode?: number | null;
  @Field(() => String, { nullable: true, description: 'Why the last attempt failed (never the URL).' }) lastError?: string | null;
  @Field(() => DateTimeScalar, { description: 'When it was written to the outbox (with its event).' }) createdAt!: Date;
  @Field(() => DateTimeScalar, { nullable: true, description: 'When the receiver accepted it.' }) deliveredAt?: Date | null;
  @Field(() => DateTimeScalar, { nullable: true, description: 'When the next attempt is due (pending deliveries only).' }) nextAttemptAt?: Date | null;
  @Field(() => JSONObjectScalar, { description: 'The body that is POSTed.' }) payload!: Record<string, unknown>;
}

@ObjectType({ description: 'A page of notification deliveries, newest first.' })
export class NotificationDeliveryConnection extends Connection(NotificationDelivery, 'NotificationDelivery') {}

@InputType({ description: 'The notifier to delete.' })
export class DeleteNotifierInput {
  @Field(() => String, { description: 'The notifier name.' }) name!: string;
}

@InputType({ description: 'Which notifier to send a test notification to.' })
export class SendTestNotificationInput {
  @Field(() => String, { description: 'The notifier name.' }) notifier!: string;
}

@ObjectType({ description: 'The test delivery (follow it in notificationDeliveries), or why none was made.' })
export class SendTestNotificationPayload {
  @Field(() => NotificationDelivery, { nullable: true, description: 'The delivery written to the outbox.' }) delivery?: NotificationDelivery | null;
  @Field(() => [UserError], { description: 'Why nothing was sent.' }) userErrors!: UserError[];
}
