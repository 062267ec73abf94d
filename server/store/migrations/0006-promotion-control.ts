import { Migration } from '@mikro-orm/migrations';
import type { Knex } from '@mikro-orm/knex';

/**
 * Promotion control and infrastructure intent: pins on instances, rollbacks to a chosen release
 * (and pinned there), runtime rollout limits and shared constants, rollout slots (concurrency limits
 * that hold across replicas), release groups, runtimes retired while their channels are removed.
 */
export class Migration0006PromotionControl extends Migration {
  private addSchema(builder: Knex.SchemaBuilder): void {
    for (const statement of builder.toSQL()) this.addSql(statement.sql);
  }

  override async up(): Promise<void> {
    const schema = () => this.getKnex().schema;
    this.addSchema(
      schema().alterTable('service_instances', (t) => {
        t.jsonb('pin').nullable();
        t.string('rollback_requested_to', 36).nullable();
        t.boolean('rollback_pin').notNullable().defaultTo(false);
      }),
    );
    this.addSchema(
      schema().alterTable('runtimes', (t) => {
        t.integer('max_concurrent_rollouts').nullable();
        t.jsonb('constants').nullable();
        // Deleted while generated channels still ran on it: kept until their workloads are removed.
        t.bigInteger('retired_at').nullable();
      }),
    );
    this.addSchema(
      schema().alterTable('releases', (t) => {
        t.string('group_id', 36).nullable().index();
      }),
    );
    this.addSchema(
      schema().createTable('release_groups', (t) => {
        t.string('id', 36).primary();
        t.string('application_id', 36).notNullable().index();
        t.string('label', 300).notNullable();
        t.jsonb('members').notNullable();
        t.string('created_by', 200).notNullable();
        t.bigInteger('created_at').notNullable();
      }),
    );
    this.addSchema(
      schema().createTable('rollout_slots', (t) => {
        t.string('instance_id', 36).notNullable();
        t.string('scope', 120).notNullable();
        t.string('owner', 100).notNullable();
        t.bigInteger('acquired_at').notNullable();
        t.primary(['instance_id', 'scope']);
        t.index(['scope']);
      }),
    );
  }
}
