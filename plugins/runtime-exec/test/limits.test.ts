import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Scrubber, TAIL_CHARS } from '../src/capture.js';
import plugin from '../src/index.js';
import { dead, rejection, sandbox } from './helpers.js';

/** A command whose whole tree hangs: a shell, a background sleep and a foreground sleep. */
const HANG = 'sleep 300 & echo $! > child.pid; echo $$ > shell.pid; echo "waiting for lock"; sleep 300';

function pids(dir: string): number[] {
  return ['shell.pid', 'child.pid'].map((f) => Number(readFileSync(path.join(dir, f), 'utf8')));
}

async function allDead(list: number[], withinMs = 3_000): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  while (Date.now() < deadline) {
    if (list.every(dead)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

describe('time limits', () => {
  it('a command past its timeout has its whole process group killed: RetryableError with the output', async () => {
    using box = sandbox();
    const started = Date.now();
    const err = await rejection(plugin.apply(box.applyCtx({ fetch: { command: 'exit 2' }, apply: { command: HANG, timeoutSeconds: 0.5 } })));
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(err.name).toBe('RetryableError');
    expect(err.message).toBe(`apply command "${HANG.slice(0, 77)}..." did not finish within 0.5 s; its process group was killed (output: waiting for lock)`);
    expect(await allDead(pids(box.dir))).toBe(true);
  });

  it('a command that ignores SIGTERM is SIGKILLed after the grace period', async () => {
    using box = sandbox();
    const stubborn = "trap '' TERM; echo $$ > shell.pid; sleep 300 & echo $! > child.pid; wait";
    const started = Date.now();
    const err = await rejection(plugin.fetch(box.fetchCtx({ fetch: { command: stubborn, timeoutSeconds: 0.3 }, apply: { command: 'true' } })));
    expect(err.message).toMatch(/did not finish within 0\.3 s/);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await allDead(pids(box.dir))).toBe(true);
  });

  it('an aborted signal stops the command at once and kills its tree', async () => {
    using box = sandbox();
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('tick timed out')), 400);
    const started = Date.now();
    const err = await rejection(plugin.apply(box.applyCtx({ fetch: { command: 'exit 2' }, apply: { command: HANG } }, { signal: controller.signal })));
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(err.message).toMatch(/^apply command ".*" was stopped: the call was aborted \(output: waiting for lock\)$/);
    expect(await allDead(pids(box.dir))).toBe(true);
  });

  it('a background child that keeps stdout open does not hold the call after the command exits', async () => {
    using box = sandbox();
    const started = Date.now();
    const result = await plugin.apply(box.applyCtx({ fetch: { command: 'exit 2' }, apply: { command: 'sleep 3 & echo started' } }));
    expect(result).toEqual({ message: 'started' });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('an already aborted signal runs nothing', async () => {
    using box = sandbox();
    await rejection(plugin.apply(box.applyCtx({ fetch: { command: 'exit 2' }, apply: { command: 'touch ran' } }, { signal: AbortSignal.abort() })));
    expect(() => readFileSync(path.join(box.dir, 'ran'))).toThrow();
  });
});

describe('output', () => {
  it('is capped: the logger gets a bounded tail, the message a short one', async () => {
    using box = sandbox();
    // 200 000 numbered lines, then a last word.
    const loud = 'i=0; while [ $i -lt 20000 ]; do echo "line $i of noise"; i=$((i+1)); done; echo "the end"';
    const result = await plugin.apply(box.applyCtx({ fetch: { command: 'exit 2' }, apply: { command: loud } }));
    expect(result!.message!.length).toBeLessThanOrEqual(200);
    expect(result!.message).toMatch(/line 19999 of noise \| the end$/);
    const logged = box.logger.text();
    expect(logged.length).toBeLessThan(TAIL_CHARS);
    expect(logged).toContain('the end');
    expect(logged).not.toContain('line 0 of noise');
  });

  it('secret env values never reach messages or logs, even split across chunks', async () => {
    using box = sandbox({ secretEnv: { API_TOKEN: 'tok-3f9a7c1e5d' } });
    // Prints the secret whole, then in two writes with a pause between them (two pipe chunks).
    const leak = 'echo "token=$API_TOKEN"; printf "%s" "$(echo $API_TOKEN | cut -c1-8)"; sleep 0.2; echo "$API_TOKEN" | cut -c9-; echo "done" >&2; exit 1';
    const err = await rejection(plugin.apply(box.applyCtx({ fetch: { command: 'exit 2' }, apply: { command: leak } })));
    expect(err.message).toContain('token=<redacted>');
    expect(err.message).not.toMatch(/3f9a|7c1e5d/);
    expect(err.message.match(/<redacted>/g)).toHaveLength(2);
    expect(box.logger.text()).not.toMatch(/3f9a|7c1e5d/);
    expect(box.logger.text()).toContain('<redacted>');
  });

  it('the scrubber never lets a fragment of a secret out, whatever the chunking', () => {
    const secret = 'abcdefgh';
    const text = `x${secret}y${secret}${secret}z`;
    for (let size = 1; size <= text.length; size++) {
      const s = new Scrubber([secret, 'cde']);
      let out = '';
      for (let i = 0; i < text.length; i += size) out += s.feed(text.slice(i, i + size));
      out += s.end();
      expect(out).toBe('x<redacted>y<redacted><redacted>z');
    }
  });
});
