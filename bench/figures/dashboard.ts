/**
 * Dashboard figures (7): how long the application page of a 500-instance application takes to
 * become interactive, and how long a status change takes from the engine's publish to the screen.
 * The server runs in its own process (bench/child.ts) with the template application converged on
 * the fake runtime; Chromium (playwright-core) loads the built dashboard from it.
 */
import { performance } from 'node:perf_hooks';
import type { Browser } from 'playwright-core';
import { spawnChild, type Child } from '../lib/rpc.js';
import { ADMIN_TOKEN, gql, TEMPLATE_APP, type Shape } from '../lib/seed.js';
import { median, percentile, round, sleep } from '../lib/stats.js';
import type { Plan, Row } from '../lib/types.js';
import { dashboardContext, ensureWebBuilt, launchBrowser, readyTimes, shownAt } from './dashboard-page.js';

type Log = (line: string) => void;

const epoch = () => performance.timeOrigin + performance.now();

async function withDashboard<T>(plan: Plan, log: Log, fn: (ctx: { url: string; child: Child; browser: Browser; instances: number }) => Promise<T>): Promise<T> {
  await ensureWebBuilt();
  const child = spawnChild();
  let browser: Browser | undefined;
  try {
    await child.call('init', 'sqlite');
    const shape: Shape = { applications: 1, channels: plan.channels, services: plan.services, chain: true, state: 'converged' };
    const seeded = await child.call('seed', shape);
    log(`  seeded one application of ${seeded.instances} converged instances in ${seeded.ms} ms`);
    const { url } = await child.call('start', {});
    browser = await launchBrowser();
    return await fn({ url, child, browser, instances: seeded.instances });
  } finally {
    await browser?.close();
    await child.close();
  }
}

const appPath = `/applications/${TEMPLATE_APP}`;

/** 7a. Navigation start → every instance and channel on screen, a frame painted, the main thread free. */
export async function dashboardRender(plan: Plan, log: Log): Promise<Row> {
  return withDashboard(plan, log, async ({ url, browser, instances }) => {
    const runs: { content: number; painted: number; idle: number; query: number; afterQuery: number }[] = [];
    const count = plan.mode === 'smoke' ? 1 : plan.runs * 3;
    // One warm-up load: Chromium compiles the bundle the first time it sees it.
    for (let i = -1; i < count; i++) {
      const { context, page } = await dashboardContext(browser, { cells: instances, channels: plan.channels });
      try {
        await page.goto(`${url}${appPath}`);
        const t = await readyTimes(page, 30_000);
        // Where the time goes: the application query (request to last byte), and the page's own work after it.
        const query = t.query.end - t.query.start;
        const afterQuery = t.idle - t.query.end;
        if (i >= 0) runs.push({ content: round(t.content), painted: round(t.painted), idle: round(t.idle), query: round(query), afterQuery: round(afterQuery) });
        log(`  load ${i < 0 ? 'warm-up' : i + 1}: interactive ${round(t.idle)} ms (content ${round(t.content)}, painted ${round(t.painted)}); the application query ${round(query)} ms, the page's work after it ${round(afterQuery)} ms`);
      } finally {
        await context.close();
      }
    }
    const idle = runs.map((r) => r.idle);
    const value = round(median(idle), 0);
    return {
      figure: '7. Dashboard',
      measure: `application page of ${instances} instances (${plan.channels} channels × ${plan.services} services): navigation → rendered and interactive, cold cache, ${runs.length} loads`,
      unit: 'ms',
      value,
      detail: `p50 ${value} · max ${round(Math.max(...idle), 0)}; of which the application query ${round(median(runs.map((r) => r.query)), 0)} and the page's work after it ${round(median(runs.map((r) => r.afterQuery)), 0)} (medians)`,
      target: '≤ 1000 ms',
      met: Math.max(...idle) <= 1000,
      runs,
    };
  });
}

/** 7b. pause/resume of one instance at a time: the engine's publish → the frame showing the new status. */
export async function dashboardLatency(plan: Plan, log: Log): Promise<Row> {
  return withDashboard(plan, log, async ({ url, child, browser, instances }) => {
    const { context, page } = await dashboardContext(browser, { cells: instances, channels: plan.channels });
    try {
      await page.goto(`${url}${appPath}`);
      await readyTimes(page, 30_000);
      // The live socket connects and subscribes after the first render: a change made before that
      // would never reach the page. Wait for the shell's "Live" badge, then for the subscribe to land.
      await page.waitForSelector('.live.on', { timeout: 30_000 });
      await subscribed(url, 30_000);
      const changes = plan.mode === 'smoke' ? 2 : plan.mode === 'quick' ? 40 : 100;
      const delays: number[] = [];
      const runs: unknown[] = [];
      for (let n = 0; n < changes; n++) {
        const k = Math.floor(n / 2);
        const channel = `c${k % plan.channels}`;
        const service = `s${String((k * 7) % plan.services).padStart(2, '0')}`;
        const pause = n % 2 === 0;
        const expected = pause ? 'PAUSED' : 'CONVERGED';
        const instanceId: string = await child.call('instanceId', TEMPLATE_APP, channel, service);
        const sent = epoch();
        const res = await gql(url, `mutation($a: String!, $c: String!, $s: String!) { ${pause ? 'pauseConvergence' : 'resumeConvergence'}(input: { application: $a, channel: $c, service: $s }) { userErrors { message } } }`, { a: TEMPLATE_APP, c: channel, s: service });
        const errors = (pause ? res.pauseConvergence : res.resumeConvergence).userErrors;
        if (errors.length) throw new Error(JSON.stringify(errors));
        let at: number | undefined;
        const until = Date.now() + 20_000;
        while (!(at = await shownAt(page, `${channel}/${service}`, expected, sent)) && Date.now() < until) await sleep(10);
        if (!at) throw new Error(`${channel}/${service} never showed ${expected}`);
        await sleep(150); // a later publish for the same change would move publishedAt past the screen
        const publishedAt: number | null = await child.call('publishedAt', instanceId);
        if (publishedAt === null) throw new Error(`no publish recorded for ${channel}/${service}`);
        const delay = at - publishedAt;
        delays.push(delay);
        runs.push({ instance: `${channel}/${service}`, status: expected, publishToScreen: round(delay), mutationToScreen: round(at - sent) });
      }
      const p50 = percentile(delays, 50);
      const p99 = percentile(delays, 99);
      log(`  ${changes} changes: publish → screen p50 ${round(p50)} ms, p99 ${round(p99)} ms, max ${round(Math.max(...delays))} ms`);
      return {
        figure: '7. Dashboard',
        measure: `status change of one instance on the page of ${instances}: engine publish → the frame that shows it (${changes} changes)`,
        unit: 'ms',
        value: round(p99, 1),
        detail: `p50 ${round(p50, 1)} · p99 ${round(p99, 1)} · max ${round(Math.max(...delays), 1)}`,
        target: 'p99 ≤ 250 ms',
        met: p99 <= 250,
        runs,
      };
    } finally {
      await context.close();
    }
  });
}

/** Waits until the server runs at least one subscription (the page's), by its own /metrics gauge. */
async function subscribed(url: string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const res = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    const gauge = /^driftless_websocket_subscriptions (\S+)$/m.exec(await res.text());
    if (gauge && Number(gauge[1]) >= 1) return;
    if (Date.now() > until) throw new Error(`the page's subscription never started (/metrics: ${gauge ? gauge[0] : res.status})`);
    await sleep(50);
  }
}
