import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { Logger } from '../logger.js';
import type { LiveChannels, LivePubSub } from './live.js';

const CHANNEL = 'driftless_live';
/** PostgreSQL refuses NOTIFY payloads of 8000 bytes or more; event data is dropped to fit. */
const MAX_PAYLOAD = 7_500;

/**
 * Several server replicas on one PostgreSQL: whatever one replica publishes (engine outcomes, user
 * actions) reaches the subscribers of every replica, through LISTEN/NOTIFY. Each replica publishes
 * locally at once and ignores its own notifications. Returns a function that stops the bridge.
 */
export async function bridgeLiveToPostgres(live: LivePubSub, url: string, logger: Logger): Promise<() => Promise<void>> {
  const origin = randomUUID();
  const client = new pg.Client({ connectionString: url });
  client.on('error', (err) => logger.warn({ err: err.message }, 'live updates: the LISTEN connection failed; other replicas\' updates stop arriving'));
  await client.connect();
  await client.query(`LISTEN ${CHANNEL}`);

  let notifying: Promise<unknown> = Promise.resolve();
  const publishLocally = live.publish.bind(live) as (topic: keyof LiveChannels, payload: unknown) => void;
  client.on('notification', (msg) => {
    if (msg.channel !== CHANNEL || !msg.payload) return;
    try {
      const note = JSON.parse(msg.payload) as { origin: string; topic: keyof LiveChannels; payload: unknown };
      if (note.origin !== origin) publishLocally(note.topic, note.payload);
    } catch (err) {
      logger.warn({ err: (err as Error).message }, 'live updates: ignored a malformed notification');
    }
  });

  (live as { publish: (topic: keyof LiveChannels, payload: unknown) => void }).publish = (topic, payload) => {
    publishLocally(topic, payload);
    let text = JSON.stringify({ origin, topic, payload });
    if (Buffer.byteLength(text) > MAX_PAYLOAD && typeof payload === 'object' && payload !== null && 'data' in payload) {
      text = JSON.stringify({ origin, topic, payload: { ...payload, data: null } });
    }
    if (Buffer.byteLength(text) > MAX_PAYLOAD) return logger.warn({ topic }, 'live updates: payload too large for NOTIFY; other replicas miss it');
    // One query at a time on this client (pg queues them, but overlapping calls are deprecated),
    // which also keeps notifications in publish order.
    notifying = notifying.then(() => client.query('SELECT pg_notify($1, $2)', [CHANNEL, text])).catch((err: Error) => logger.warn({ err: err.message }, 'live updates: NOTIFY failed'));
  };

  return async () => {
    (live as { publish: unknown }).publish = publishLocally;
    await notifying;
    await client.end().catch(() => undefined);
  };
}
