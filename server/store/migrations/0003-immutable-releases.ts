import { Migration } from '@mikro-orm/migrations';
import type { Knex } from '@mikro-orm/knex';

type Row = Record<string, unknown>;

/**
 * Immutable compiled releases (the delivery-safety change): every release carries its label,
 * trigger, config generation and one compiled state per channel; approvals record the state they
 * approved; admins' gate bypasses; durable removal intents; who asked for a rollback.
 *
 * Existing releases are filled in from what the instances hold: the compiled states they point at
 * (desired, target and the rollback history), so a server upgraded mid-rollout carries on.
 */
export class Migration0003ImmutableReleases extends Migration {
  /** Schema statements run at once (not queued): the data fill-in below needs the new columns. */
  private async run(builder: Knex.SchemaBuilder): Promise<void> {
    for (const statement of builder.toSQL()) await this.execute(statement.sql);
  }

  override async up(): Promise<void> {
    const schema = () => this.getKnex().schema;
    await this.run(
      schema().alterTable('releases', (t) => {
        t.string('trigger', 10).notNullable().defaultTo('VERSION');
        t.string('label', 120).nullable();
        t.integer('config_generation').notNullable().defaultTo(1);
        t.jsonb('states').nullable();
        t.jsonb('changes').nullable();
        t.string('based_on_release_id', 36).nullable();
        t.jsonb('config_snapshot').nullable();
      }),
    );
    await this.run(schema().alterTable('applications', (t) => t.integer('config_generation').notNullable().defaultTo(1)));
    await this.run(schema().alterTable('approvals', (t) => t.string('state_digest', 64).nullable()));
    await this.run(schema().alterTable('service_instances', (t) => t.string('rollback_requested_by', 300).nullable()));
    await this.run(
      schema().createTable('gate_bypasses', (t) => {
        t.string('id', 36).primary();
        t.string('release_id', 36).notNullable();
        t.string('channel_id', 36).notNullable();
        t.string('application_id', 36).notNullable();
        t.string('gate', 20).notNullable();
        t.string('actor', 200).notNullable();
        t.text('reason').notNullable();
        t.bigInteger('created_at').notNullable();
        t.unique(['release_id', 'channel_id', 'gate']);
        t.index(['release_id', 'channel_id']);
      }),
    );
    await this.run(
      schema().createTable('pending_removals', (t) => {
        t.string('id', 36).primary();
        t.string('application_id', 36).notNullable();
        t.string('application', 63).notNullable();
        t.string('channel', 63).notNullable();
        t.string('service', 63).notNullable();
        t.string('runtime', 63).notNullable();
        t.string('plugin', 200).notNullable();
        t.string('cause', 30).notNullable();
        t.string('actor', 200).notNullable();
        t.bigInteger('created_at').notNullable();
        t.bigInteger('due_at').notNullable().index();
        t.string('held_by', 100).nullable();
        t.bigInteger('held_until').nullable();
        t.integer('attempts').notNullable().defaultTo(0);
        t.text('last_error').nullable();
        t.string('lease_owner', 100).nullable();
        t.bigInteger('lease_expires_at').nullable();
      }),
    );
    await this.fillReleases();
  }

  private async fillReleases(): Promise<void> {
    const releases = (await this.execute('SELECT id, service_id, number, params FROM releases ORDER BY service_id, number')) as Row[];
    if (releases.length === 0) return;
    const instances = (await this.execute('SELECT desired_release_id, desired_state, target_release_id, target_state, engine_state FROM service_instances')) as Row[];
    const states = new Map<string, Record<string, unknown>>();
    const remember = (releaseId: unknown, state: unknown) => {
      const parsed = json(state) as { channel?: string } | null;
      if (typeof releaseId !== 'string' || !parsed?.channel) return;
      const byChannel = states.get(releaseId) ?? {};
      byChannel[parsed.channel] ??= parsed;
      states.set(releaseId, byChannel);
    };
    for (const i of instances) {
      remember(i.desired_release_id, i.desired_state);
      remember(i.target_release_id, i.target_state);
      const history = (json(i.engine_state) as { history?: { releaseId: string; state: unknown }[] } | null)?.history ?? [];
      for (const h of history) remember(h.releaseId, h.state);
    }
    const used = new Map<string, Set<string>>();
    for (const r of releases) {
      const params = (json(r.params) ?? {}) as Record<string, unknown>;
      const base = params.version !== undefined && params.version !== '' ? String(params.version) : `#${r.number}`;
      const taken = used.get(String(r.service_id)) ?? new Set<string>();
      const label = taken.has(base) ? `${base} · #${r.number}` : base;
      taken.add(label);
      used.set(String(r.service_id), taken);
      await this.execute('UPDATE releases SET label = ?, states = ?, changes = ? WHERE id = ?', [label, JSON.stringify(states.get(String(r.id)) ?? {}), '{}', r.id]);
    }
  }
}

/** SQLite hands JSON columns back as text, PostgreSQL's jsonb as objects. */
function json(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  return typeof value === 'string' ? JSON.parse(value) : value;
}
