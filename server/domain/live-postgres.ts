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
      const batch = JSON.parse(msg.payload) as { origin: string; notes: [keyof LiveChannels, unknown][] };
      if (batch.origin !== origin) for (const [topic, payload] of batch.notes) publishLocally(topic, payload);
    } catch (err) {
      logger.warn({ err: (err as Error).message }, 'live updates: ignored a malformed notification');
    }
  });

  // What is published in one turn of the event loop (an engine batch's events, say) goes out in as
  // few notifications as fit, not one each: every replica parses every notification.
  let queued: string[] = [];
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    const notes = queued;
    queued = [];
    const head = `{"origin":${JSON.stringify(origin)},"notes":[`;
    let body: string[] = [];
    let size = head.length + 2;
    const send = () => {
      if (body.length === 0) return;
      const text = `${head}${body.join(',')}]}`;
      body = [];
      size = head.length + 2;
      // One query at a time on this client (pg queues them, but overlapping calls are deprecated),
      // which also keeps notifications in publish order.
      notifying = notifying.then(() => client.query('SELECT pg_notify($1, $2)', [CHANNEL, text])).catch((err: Error) => logger.warn({ err: err.message }, 'live updates: NOTIFY failed'));
    };
    for (const note of notes) {
      const bytes = Buffer.byteLength(note) + 1;
      if (size + bytes > MAX_PAYLOAD) send();
      body.push(note);
      size += bytes;
    }
    send();
  };

  (live as { publish: (topic: keyof LiveChannels, payload: unknown) => void }).publish = (topic, payload) => {
    publishLocally(topic, payload);
    let note = JSON.stringify([topic, payload]);
    if (Buffer.byteLength(note) > MAX_PAYLOAD - 200 && typeof payload === 'object' && payload !== null && 'data' in payload) {
      note = JSON.stringify([topic, { ...payload, data: null }]);
    }
    if (Buffer.byteLength(note) > MAX_PAYLOAD - 200) return logger.warn({ topic }, 'live updates: payload too large for NOTIFY; other replicas miss it');
    queued.push(note);
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  };

  return async () => {
    (live as { publish: unknown }).publish = publishLocally;
    if (scheduled) flush();
    await notifying;
    await client.end().catch(() => undefined);
  };
}
