import { Migration } from '@mikro-orm/migrations';

/**
 * Secrets at rest and who may use a runtime. Runtime configs are encrypted at startup, not here:
 * which values are secret is known only to the plugins' schemas and the key is kept outside the
 * database (server/secrets/seal-stored.ts does it on every start, idempotently).
 */
export class Migration0008SecretsAtRest extends Migration {
  override async up(): Promise<void> {
    const builder = this.getKnex().schema.alterTable('runtimes', (t) => {
      t.jsonb('allowed_applications').nullable();
    });
    for (const statement of builder.toSQL()) this.addSql(statement.sql);
  }
}
