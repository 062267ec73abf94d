import { Migration } from '@mikro-orm/migrations';
import type { Knex } from '@mikro-orm/knex';
import { PARTITIONS, partitionOf } from '../../engine/partition-of.js';

/**
 * Partitioned ownership (issue 17): every instance belongs to one of PARTITIONS partitions, each
 * leased by one engine replica with a fencing generation that every outcome write checks; replicas
 * say they are alive in engine_replicas, so each takes its fair share. Existing instances get their
 * partition here.
 */
export class Migration0010Partitions extends Migration {
  private async run(builder: Knex.SchemaBuilder): Promise<void> {
    for (const statement of builder.toSQL()) await this.execute(statement.sql);
  }

  override async up(): Promise<void> {
    const schema = () => this.getKnex().schema;
    await this.run(
      schema().createTable('engine_partitions', (t) => {
        t.integer('id').primary();
        t.string('owner', 100).nullable();
        t.bigInteger('expires_at').nullable();
        t.bigInteger('generation').notNullable().defaultTo(0);
        // The oldest check of the partition's instances, as its owner last reported it.
        t.bigInteger('checked_at').nullable();
      }),
    );
    await this.run(
      schema().createTable('engine_replicas', (t) => {
        t.string('owner', 100).primary();
        t.bigInteger('expires_at').notNullable();
      }),
    );
    await this.run(schema().alterTable('service_instances', (t) => void t.integer('partition').notNullable().defaultTo(0).index()));
    await this.run(schema().alterTable('pending_removals', (t) => void t.integer('partition').notNullable().defaultTo(0)));
    const rows = Array.from({ length: PARTITIONS }, (_, n) => `(${n})`).join(',');
    await this.execute(`INSERT INTO engine_partitions (id) VALUES ${rows}`);
    for (const table of ['service_instances', 'pending_removals']) {
      const ids = (await this.execute(`SELECT id FROM ${table}`)) as { id: string }[];
      for (const { id } of ids) await this.execute(`UPDATE ${table} SET partition = ? WHERE id = ?`, [partitionOf(id), id]);
    }
  }
}
