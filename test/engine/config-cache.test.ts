import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/core';
import { describe, expect, it } from 'vitest';
import { ConfigCache } from '../../server/engine/config-cache.js';
import { openStore } from '../../server/store/orm.js';

describe("the engine's config copy", () => {
  it('an intent change while a reload is reading is not lost: the reload that read the old rows is read again', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'driftless-config-cache-'));
    const store = await openStore({ dataDir });
    try {
      const sql = (text: string, params: unknown[]) => store.orm.em.getConnection().execute(text, params, 'run');
      const id = randomUUID();
      const now = Date.now();
      await sql('INSERT INTO applications (id, version, created_at, updated_at, name, document, document_digest, paused) VALUES (?, 1, ?, ?, ?, ?, ?, ?)', [id, now, now, 'shop', JSON.stringify({ name: 'shop', releaseChannels: [] }), 'd', false]);

      // The first reload's reads return what they read only when the test says so.
      let holding = true;
      const held: (() => void)[] = [];
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const em = (): EntityManager => {
        const real = store.orm.em.fork();
        if (!holding) return real;
        return new Proxy(real, {
          get(target, key, receiver) {
            if (key !== 'find') return Reflect.get(target, key, receiver);
            return async (...args: unknown[]) => {
              const rows = await (target.find as (...a: unknown[]) => Promise<unknown>).apply(target, args);
              held.push(() => {});
              await gate;
              return rows;
            };
          },
        });
      };
      const cache = new ConfigCache(em, 60_000);
      const reading = cache.fresh();
      while (held.length < 4) await new Promise((r) => setTimeout(r, 5));
      holding = false;

      // The application is paused (committed) while that reload holds rows from before.
      await sql('UPDATE applications SET paused = ?, version = version + 1 WHERE id = ?', [true, id]);
      cache.invalidate();
      release();
      await reading;
      expect(cache.applications.get(id)?.paused).toBe(true);
      // And it stays known within the age limit.
      await cache.fresh();
      expect(cache.applications.get(id)?.paused).toBe(true);
    } finally {
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
