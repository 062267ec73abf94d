import { Migration } from '@mikro-orm/migrations';
import type { Knex } from '@mikro-orm/knex';

/** Approvals for the manualApproval gate, and the rollbackService request column. */
export class Migration0002ApprovalsRollback extends Migration {
  private addSchema(builder: Knex.SchemaBuilder): void {
    for (const statement of builder.toSQL()) this.addSql(statement.sql);
  }

  override async up(): Promise<void> {
    this.addSchema(
      this.getKnex().schema.createTable('approvals', (t) => {
        t.string('id', 36).primary();
        t.string('release_id', 36).notNullable();
        t.string('channel_id', 36).notNullable();
        t.string('application_id', 36).notNullable();
        t.string('actor', 200).notNullable();
        t.string('decision', 10).notNullable();
        t.text('comment').nullable();
        t.bigInteger('created_at').notNullable();
        t.unique(['release_id', 'channel_id', 'actor']);
        t.index(['release_id', 'channel_id']);
      }),
    );
    this.addSchema(
      this.getKnex().schema.alterTable('service_instances', (t) => {
        t.bigInteger('rollback_requested_at').nullable();
      }),
    );
  }
}
