/**
 * Issue 10, point 6: a secret echoed by a plugin's output in another encoding (base64, reversed)
 * reached events and subscriptions. Known secrets are scrubbed in the common encodings too
 * (server/secrets/scrub.ts; the limit is written in README "Secrets").
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeScrubber, SCRUBBED } from '../../server/secrets/scrub.js';
import { APPLY_CONFIG, CREATE_RELEASE } from '../helpers/config-text.js';
import { startTestServer } from '../helpers/server.js';
import { collect, wsClient } from '../helpers/subscriptions.js';
import { waitFor } from '../helpers/wait.js';

const SECRET = 'S3cr3t/Value+with spaces&more=9';
const REF_SECRET = 'referenced-secret-0a1b2c3d4e';
process.env.DL_POINT6_SECRET = REF_SECRET;

/** What a hostile or careless command prints: the secret as base64, base64url, hex, URL-encoded, reversed, inside longer text. */
function encodedForms(secret: string): string[] {
  const b = Buffer.from(secret);
  return [
    b.toString('base64'),
    b.toString('base64url'),
    Buffer.concat([Buffer.from('x'), b]).toString('base64'),
    Buffer.concat([Buffer.from('xy'), b]).toString('base64'),
    b.toString('hex'),
    b.toString('hex').toUpperCase(),
    encodeURIComponent(secret),
    [...secret].reverse().join(''),
  ];
}

describe('issue 10 point 6: encodings of known secrets are scrubbed', () => {
  it('scrub.ts replaces each encoding, also inside longer text and at any base64 offset', () => {
    const scrub = makeScrubber([SECRET]);
    for (const form of encodedForms(SECRET)) {
      const out = scrub(`before ${form} after`);
      expect(out).toContain(SCRUBBED);
      // What is left of a base64 form is at most its first and last characters (a few bits).
      expect(out.replace(SCRUBBED, '').length).toBeLessThan(`before  after`.length + 5);
    }
    expect(scrub('nothing to see here')).toBe('nothing to see here');
    expect(makeScrubber(['abc'])('abc 616263 cba')).toBe('abc 616263 cba'); // shorter than MIN_SECRET_LENGTH: never scrubbed
  });

  const temps: string[] = [];
  afterEach(() => {
    for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('a plugin printing encoded secrets: reasons, events and subscriptions carry none of them', { timeout: 60_000 }, async () => {
    const work = mkdtempSync(path.join(os.tmpdir(), 'driftless-point6-'));
    temps.push(work);
    await using server = await startTestServer({ engine: { steadyIntervalMs: 300, gatePollMs: 100 } });
    const print = (v: string) =>
      `printf '%s' "$${v}" | base64; printf 'xx%s' "$${v}" | base64; printf '%s' "$${v}" | od -An -tx1 | tr -d ' \\\\n'; echo; printf '%s' "$${v}" | rev; echo`;
    const documents = `
kind: Runtime
name: leaky
plugin: exec
config:
  workdir: ${JSON.stringify(work)}
  stateDir: ${JSON.stringify(path.join(work, 'state'))}
  secretEnv: { TOKEN: ${JSON.stringify(SECRET)}, OTHER: { fromEnv: DL_POINT6_SECRET } }
---
kind: Application
name: leaks
releaseChannels: [{ name: staging, runtime: leaky }]
---
kind: Service
name: job
application: leaks
parameters: [{ name: version, required: true }]
spec:
  fetch: { command: ${JSON.stringify(`${print('TOKEN')}; ${print('OTHER')}; exit 1`)} }
  apply: { command: "true" }
`;
    expect((await server.data(APPLY_CONFIG, { documents })).applyConfig.userErrors).toEqual([]);
    const ws = wsClient(server.url);
    const sub = collect(ws, `subscription { convergenceEvents(application: "leaks") { type message } }`);
    await sub.ready;
    try {
      expect((await server.data(CREATE_RELEASE, { application: 'leaks', service: 'job', params: { version: 'v1' } })).createRelease.userErrors).toEqual([]);
      const reasons = await waitFor(async () => {
        const d = await server.data(`{ application(name: "leaks") { releaseChannels { instances { reasons { code message } } } } }`);
        const rs = d.application.releaseChannels[0].instances[0].reasons;
        return rs.some((r: any) => r.message.includes(SCRUBBED)) ? rs : undefined;
      }, 'a reason with the command output', 30_000, 100);
      await waitFor(async () => sub.items.length > 1 || undefined, 'subscription events', 10_000, 100);
      const events = await server.data(`{ events(application: "leaks", first: 100) { nodes { type message } } }`);
      const everything = JSON.stringify([reasons, events, sub.items]);
      for (const secret of [SECRET, REF_SECRET]) {
        for (const form of [secret, ...encodedForms(secret)]) expect(everything, `${form} (of ${secret})`).not.toContain(form);
      }
    } finally {
      sub.stop();
      await ws.dispose();
    }
  });
});
