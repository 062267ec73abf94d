import { Migration } from '@mikro-orm/migrations';
import type { Knex } from '@mikro-orm/knex';

/**
 * Initial schema. Written with knex's schema builder so one migration serves SQLite and PostgreSQL.
 * Never edit a migration that has shipped: add a new one.
 */
export class Migration0001Initial extends Migration {
  /** knex renders one builder as several statements (indexes); sqlite3 runs one per call. */
  private addSchema(builder: Knex.SchemaBuilder): void {
    for (const statement of builder.toSQL()) this.addSql(statement.sql);
  }

  override async up(): Promise<void> {
    // knex.schema is a getter that returns a new builder; reusing one builder would repeat statements.
    const schema = { createTable: (name: string, build: (t: Knex.CreateTableBuilder) => void) => this.getKnex().schema.createTable(name, build) };
    const mutable = (t: Knex.CreateTableBuilder) => {
      t.string('id', 36).primary();
      t.integer('version').notNullable().defaultTo(1);
      t.bigInteger('created_at').notNullable();
      t.bigInteger('updated_at').notNullable();
    };

    this.addSchema(
      schema.createTable('runtimes', (t) => {
        mutable(t);
        t.string('name', 63).notNullable().unique();
        t.string('plugin', 200).notNullable();
        t.jsonb('config').notNullable();
        t.jsonb('labels').notNullable();
        t.string('document_digest', 64).notNullable();
      }),
    );
    this.addSchema(
      schema.createTable('applications', (t) => {
        mutable(t);
        t.string('name', 63).notNullable().unique();
        t.jsonb('document').notNullable();
        t.string('document_digest', 64).notNullable();
        t.boolean('paused').notNullable().defaultTo(false);
      }),
    );
    this.addSchema(
      schema.createTable('release_channels', (t) => {
        mutable(t);
        t.string('application_id', 36).notNullable().index();
        t.string('name', 63).notNullable();
        t.integer('position').notNullable();
        t.string('runtime_id', 36).notNullable().index();
        t.jsonb('document').notNullable();
        t.jsonb('gates').notNullable();
        t.boolean('paused').notNullable().defaultTo(false);
        t.unique(['application_id', 'name']);
      }),
    );
    this.addSchema(
      schema.createTable('services', (t) => {
        mutable(t);
        t.string('application_id', 36).notNullable().index();
        t.string('name', 63).notNullable();
        t.jsonb('document').notNullable();
        t.string('document_digest', 64).notNullable();
        t.integer('release_count').notNullable().defaultTo(0);
        t.unique(['application_id', 'name']);
      }),
    );
    this.addSchema(
      schema.createTable('releases', (t) => {
        t.string('id', 36).primary();
        t.string('service_id', 36).notNullable().index();
        t.string('application_id', 36).notNullable();
        t.integer('number').notNullable();
        t.jsonb('params').notNullable();
        t.string('created_by', 200).notNullable();
        t.bigInteger('created_at').notNullable();
        t.unique(['service_id', 'number']);
      }),
    );
    this.addSchema(
      schema.createTable('service_instances', (t) => {
        mutable(t);
        t.string('application_id', 36).notNullable().index();
        t.string('service_id', 36).notNullable().index();
        t.string('channel_id', 36).notNullable().index();
        t.string('desired_release_id', 36).nullable().index();
        t.jsonb('desired_state').nullable();
        t.string('target_release_id', 36).nullable();
        t.jsonb('target_state').nullable();
        t.string('converged_release_id', 36).nullable();
        t.bigInteger('converged_at').nullable();
        t.string('status', 20).notNullable();
        t.jsonb('reasons').notNullable();
        t.bigInteger('status_since').notNullable();
        t.jsonb('observed').nullable();
        t.boolean('paused').notNullable().defaultTo(false);
        t.bigInteger('next_check_at').nullable().index();
        t.string('lease_owner', 100).nullable();
        t.bigInteger('lease_expires_at').nullable();
        t.jsonb('engine_state').notNullable();
        t.unique(['service_id', 'channel_id']);
      }),
    );
    this.addSchema(
      schema.createTable('events', (t) => {
        t.bigIncrements('id').primary();
        t.bigInteger('at').notNullable();
        t.string('actor', 200).notNullable();
        t.string('type', 40).notNullable();
        t.string('application_id', 36).nullable();
        t.string('subject', 300).notNullable();
        t.string('subject_id', 36).nullable().index();
        t.text('message').notNullable();
        t.jsonb('data').nullable();
        t.index(['application_id', 'id']);
      }),
    );
    this.addSchema(
      schema.createTable('api_tokens', (t) => {
        t.string('id', 36).primary();
        t.string('name', 100).notNullable();
        t.string('token_hash', 64).notNullable().unique();
        t.string('prefix', 16).notNullable();
        t.string('role', 10).notNullable();
        t.jsonb('applications').nullable();
        t.string('created_by', 200).notNullable();
        t.bigInteger('created_at').notNullable();
        t.bigInteger('revoked_at').nullable();
      }),
    );
  }
}
