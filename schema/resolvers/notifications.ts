import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, Info, Int, Mutation, Query, Resolver } from 'type-graphql';
import { isUnscoped } from '../../server/auth/viewer.js';
import { NotificationDeliveryRow, NotifierRow } from '../../server/store/entities/index.js';
import type { GraphQLContext } from '../context.js';
import { pageOf, pageRequest, selectsField } from '../types/connection.js';
import { DeleteNotifierInput, DeliveryStatusEnum, NotificationDelivery, NotificationDeliveryConnection, Notifier, SendTestNotificationInput, SendTestNotificationPayload } from '../types/notifications.js';
import { toUserErrors } from '../types/user-error.js';
import { userError } from '../../server/domain/user-error.js';
import { deleteNotifier } from '../../server/notify/delete-notifier.js';
import { DeletePayload } from '../types/payloads.js';
import { toGlobalId } from '../types/node.js';

export function toNotifier(r: NotifierRow): Notifier {
  return Object.assign(new Notifier(), { id: toGlobalId('Notifier', r.id), name: r.name, format: r.format, signed: !!r.sealedSigningSecret, filters: { applications: r.filters.applications ?? null, channels: r.filters.channels ?? null, events: r.filters.events ?? null } });
}

export function toDelivery(row: NotificationDeliveryRow): NotificationDelivery {
  return Object.assign(new NotificationDelivery(), {
    idempotencyKey: row.id,
    notifier: row.notifierName,
    event: row.eventType,
    eventId: row.eventId === null || row.eventId === undefined ? null : String(row.eventId),
    application: row.applicationName ?? null,
    channel: row.channelName ?? null,
    status: row.status,
    attempts: row.attempts,
    lastStatusCode: row.lastStatusCode ?? null,
    lastError: row.lastError ?? null,
    createdAt: row.createdAt,
    deliveredAt: row.deliveredAt ?? null,
    nextAttemptAt: row.status === 'PENDING' ? (row.nextAttemptAt ?? null) : null,
    payload: row.payload,
  });
}

@Resolver()
export class NotificationsResolver {
  @Query(() => [Notifier], { description: 'The notifiers (kind: Notifier documents), without their secrets. Tokens without an application scope only.' })
  async notifiers(@Ctx() ctx: GraphQLContext): Promise<Notifier[]> {
    if (!isUnscoped(ctx.viewer)) return [];
    const rows = await ctx.em.find(NotifierRow, {}, { orderBy: { name: 'asc' } });
    return rows.map(toNotifier);
  }

  @Query(() => NotificationDeliveryConnection, { description: 'The notification delivery log, newest first. Tokens limited to applications see the deliveries about their applications.' })
  async notificationDeliveries(
    @Ctx() ctx: GraphQLContext,
    @Info() info: GraphQLResolveInfo,
    @Arg('first', () => Int, { nullable: true, defaultValue: 50, description: 'Page size (at most 500).' }) first: number | null = 50,
    @Arg('after', () => String, { nullable: true, description: 'Cursor of the last delivery of the previous page.' }) after?: string,
    @Arg('notifier', () => String, { nullable: true, description: 'Only deliveries to this notifier.' }) notifier?: string,
    @Arg('status', () => DeliveryStatusEnum, { nullable: true, description: 'Only deliveries in this status.' }) status?: keyof typeof DeliveryStatusEnum,
  ): Promise<NotificationDeliveryConnection> {
    const page = pageRequest(`notificationDeliveries:${notifier ?? '*'}:${status ?? '*'}`, first, after);
    const where: Record<string, unknown> = {};
    if (notifier) where.notifierName = notifier;
    if (status) where.status = status;
    if (ctx.viewer.applications !== null) where.applicationName = { $in: ctx.viewer.applications };
    // Keyset on (createdAt desc, id asc): deliveries written meanwhile neither repeat nor shift the page.
    const window = page.after
      ? { $and: [where, { $or: [{ createdAt: { $lt: new Date(Number(page.after[0])) } }, { createdAt: new Date(Number(page.after[0])), id: { $gt: String(page.after[1]) } }] }] }
      : where;
    const [rows, total] = await Promise.all([
      ctx.em.find(NotificationDeliveryRow, window, { orderBy: { createdAt: 'desc', id: 'asc' }, limit: page.limit + 1 }),
      selectsField(info, 'totalCount') ? ctx.em.count(NotificationDeliveryRow, where) : Promise.resolve(0),
    ]);
    return pageOf(rows.map(toDelivery), page, (d) => [d.createdAt.getTime(), d.idempotencyKey], total) as NotificationDeliveryConnection;
  }

  @Mutation(() => DeletePayload, { description: 'Delete a notifier (admin). Deliveries still pending to it fail; the delivery log keeps them.' })
  async deleteNotifier(@Arg('input', () => DeleteNotifierInput) input: DeleteNotifierInput, @Ctx() ctx: GraphQLContext): Promise<DeletePayload> {
    const outcome = await deleteNotifier(ctx.em, ctx.viewer, input.name);
    if (outcome.deletedId) ctx.hooks.notifiersChanged?.();
    return { deletedId: outcome.deletedId ? toGlobalId('Notifier', outcome.deletedId) : null, userErrors: toUserErrors(outcome.userErrors) };
  }

  @Mutation(() => SendTestNotificationPayload, { description: 'Send a test notification to a notifier, through the outbox like any other (admin).' })
  async sendTestNotification(@Arg('input', () => SendTestNotificationInput) input: SendTestNotificationInput, @Ctx() ctx: GraphQLContext): Promise<SendTestNotificationPayload> {
    if (!ctx.hooks.notifications) return { delivery: null, userErrors: toUserErrors([userError('NOT_FOUND', 'notifications are not running on this server', ['notifier'])]) };
    const outcome = await ctx.hooks.notifications.sendTest(ctx.em, ctx.viewer, input.notifier);
    return { delivery: outcome.delivery ? toDelivery(outcome.delivery) : null, userErrors: toUserErrors(outcome.userErrors) };
  }
}
