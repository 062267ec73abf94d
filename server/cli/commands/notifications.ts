import type { Command } from 'commander';
import pc from 'picocolors';
import { apiFor, formatOf } from '../args.js';
import { CliError, EXIT, usageError } from '../errors.js';
import { printJson, table } from '../output.js';

const LOG = `query Log($n: Int!, $notifier: String, $status: NotificationDeliveryStatus) {
  notificationDeliveries(first: $n, notifier: $notifier, status: $status) { totalCount nodes { idempotencyKey notifier event application channel status attempts lastStatusCode lastError createdAt deliveredAt nextAttemptAt } }
}`;
const TEST = `mutation Test($n: String!) { sendTestNotification(input: { notifier: $n }) { delivery { idempotencyKey status } userErrors { code message path } } }`;
const STATUSES = ['PENDING', 'DELIVERED', 'FAILED'];

function colored(status: string): string {
  return status === 'DELIVERED' ? pc.green(status) : status === 'FAILED' ? pc.red(status) : pc.yellow(status);
}

export function registerNotifications(program: Command): void {
  const cmd = program
    .command('notifications')
    .description('the notification delivery log (newest first); `notifications test <notifier>` sends a test')
    .option('--notifier <name>', 'only deliveries to this notifier')
    .option('--status <status>', `only deliveries in this status (${STATUSES.join(', ')})`)
    .option('-n, --limit <count>', 'how many deliveries to show', '20')
    .action(async (opts: { notifier?: string; status?: string; limit: string }, command: Command) => {
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw usageError(`--limit must be a whole number from 1 to 500, got "${opts.limit}"`);
      const status = opts.status?.toUpperCase();
      if (status && !STATUSES.includes(status)) throw usageError(`--status must be one of ${STATUSES.join(', ')}, got "${opts.status}"`);
      const data = await apiFor(command).request(LOG, { n: limit, notifier: opts.notifier ?? null, status: status ?? null });
      const nodes = data.notificationDeliveries.nodes as any[];
      if (formatOf(command) === 'json') return printJson(nodes);
      if (!nodes.length) return void console.log('No notification deliveries yet.');
      const rows = nodes.map((d) => [new Date(d.createdAt).toISOString().replace('T', ' ').slice(0, 19), d.notifier, d.event, [d.application, d.channel].filter(Boolean).join('/') || '-', colored(d.status), d.attempts, d.status === 'PENDING' && d.nextAttemptAt ? `retry at ${new Date(d.nextAttemptAt).toISOString().slice(11, 19)}; ${d.lastError ?? ''}` : (d.lastError ?? (d.lastStatusCode ? `HTTP ${d.lastStatusCode}` : '')), d.idempotencyKey]);
      console.log(table(['CREATED', 'NOTIFIER', 'EVENT', 'WHERE', 'STATUS', 'TRIES', 'LAST', 'IDEMPOTENCY KEY'], rows));
    });
  cmd
    .command('test')
    .description('send a test notification to a notifier (through the outbox, like every delivery)')
    .argument('<notifier>', 'the notifier name')
    .action(async (notifier: string, _opts: unknown, command: Command) => {
      const data = await apiFor(command).request(TEST, { n: notifier });
      const { delivery, userErrors } = data.sendTestNotification;
      if (userErrors.length) throw new CliError(userErrors.map((e: any) => e.message).join('\n'), userErrors.some((e: any) => e.code === 'FORBIDDEN') ? EXIT.FORBIDDEN : EXIT.USAGE);
      if (formatOf(command) === 'json') return printJson(delivery);
      console.log(`Test notification queued for ${notifier} (idempotency key ${delivery.idempotencyKey}). Follow it with: driftless notifications --notifier ${notifier}`);
    });
}
