import { Migration } from '@mikro-orm/migrations';
import type { Knex } from '@mikro-orm/knex';

/**
 * Operating Driftless: notifiers (config documents, their webhook secrets sealed) and the
 * notification outbox, written in the transaction of the event it tells about and worked off
 * by the dispatcher (server/notify) with retries; the same rows are the delivery log.
 */
export class Migration0009Operations extends Migration {
  private addSchema(builder: Knex.SchemaBuilder): void {
    for (const statement of builder.toSQL()) this.addSql(statement.sql);
  }

  override async up(): Promise<void> {
    const schema = () => this.getKnex().schema;
    // Audit: the token behind an event's actor.
    this.addSchema(schema().alterTable('events', (t) => void t.string('actor_token_id', 36).nullable()));
    this.addSchema(
      schema().createTable('notifiers', (t) => {
        t.string('id', 36).primary();
        t.integer('version').notNullable().defaultTo(1);
        t.bigInteger('created_at').notNullable();
        t.bigInteger('updated_at').notNullable();
        t.string('name', 100).notNullable().unique();
        t.string('format', 10).notNullable();
        t.jsonb('filters').notNullable();
        t.text('sealed_url').notNullable();
        t.text('sealed_signing_secret').nullable();
        t.string('document_digest', 100).notNullable();
      }),
    );
    this.addSchema(
      schema().createTable('notification_deliveries', (t) => {
        t.string('id', 36).primary();
        t.string('notifier_id', 36).notNullable().index();
        t.string('notifier_name', 100).notNullable();
        t.bigInteger('event_id').nullable();
        t.string('event_type', 30).notNullable();
        t.string('application_name', 100).nullable();
        t.string('channel_name', 100).nullable();
        t.jsonb('payload').notNullable();
        t.string('status', 12).notNullable();
        t.integer('attempts').notNullable().defaultTo(0);
        t.bigInteger('next_attempt_at').nullable();
        t.string('lease_owner', 100).nullable();
        t.bigInteger('lease_expires_at').nullable();
        t.integer('last_status_code').nullable();
        t.string('last_error', 500).nullable();
        t.bigInteger('created_at').notNullable();
        t.bigInteger('delivered_at').nullable();
        t.index(['status', 'next_attempt_at']);
      }),
    );
  }
}
