import { Migration } from '@mikro-orm/migrations';
import type { Knex } from '@mikro-orm/knex';

/** Progressive rollouts: a person's request to skip the rest of a rollout step (promoteRollout). */
export class Migration0007ProgressiveRollouts extends Migration {
  override async up(): Promise<void> {
    const builder = this.getKnex().schema.alterTable('service_instances', (t) => {
      t.bigInteger('promote_requested_at').nullable();
      t.string('promote_requested_by', 300).nullable();
    });
    for (const statement of builder.toSQL()) this.addSql(statement.sql);
  }
}
