/**
 * 8. A simple query's latency while many WebSockets are open (issue 10 point 24): the same HTTP
 * load with no socket open (baseline) and with N idle graphql-ws sockets, each holding one
 * subscription. The server runs in its own process; sockets and load generator run here.
 */
import autocannon from 'autocannon';
import WebSocket from 'ws';
import { spawnChild } from '../lib/rpc.js';
import { ADMIN_TOKEN, TEMPLATE_APP, type Shape } from '../lib/seed.js';
import { median, round, sleep } from '../lib/stats.js';
import type { Plan, Row } from '../lib/types.js';

type Log = (line: string) => void;

const SIMPLE = JSON.stringify({ query: '{ viewer { name role } }' });

async function openSocket(wsUrl: string): Promise<WebSocket> {
  const ws = new WebSocket(wsUrl, 'graphql-transport-ws');
  ws.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${ADMIN_TOKEN}` } })));
    ws.on('message', (data) => {
      const m = JSON.parse(String(data));
      if (m.type === 'connection_ack') {
        ws.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: 'subscription($a: String!) { convergenceEvents(application: $a) { id type } }', variables: { a: TEMPLATE_APP } } }));
        resolve();
      }
    });
    ws.once('close', (code) => reject(new Error(`socket closed with ${code} before its ack`)));
  });
  return ws;
}

async function p99(url: string, seconds: number): Promise<{ p99: number; p50: number; rps: number }> {
  const res = await autocannon({ url: `${url}/graphql`, connections: 8, duration: seconds, method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` }, body: SIMPLE });
  if (res.non2xx || res.errors) throw new Error(`simple query: ${res.non2xx} non-2xx, ${res.errors} errors`);
  return { p99: res.latency.p99, p50: res.latency.p50, rps: res.requests.average };
}

export async function openSockets(plan: Plan, log: Log): Promise<Row> {
  const sockets = plan.mode === 'smoke' ? 20 : 2000;
  // Long enough to contain a whole keep-alive round (12 s by default): pings are per-socket work.
  const seconds = plan.mode === 'smoke' ? plan.httpSeconds : Math.max(plan.httpSeconds, 13);
  const child = spawnChild();
  const open: WebSocket[] = [];
  try {
    await child.call('init', 'sqlite');
    const shape: Shape = { applications: 1, channels: 2, services: 2, chain: true, state: 'converged' };
    await child.call('seed', shape);
    const { url } = await child.call('start', { enabled: false });
    const wsUrl = url.replace(/^http/, 'ws') + '/graphql';
    const without: number[] = [];
    const withOpen: number[] = [];
    const runs: unknown[] = [];
    for (let run = 0; run < plan.runs; run++) {
      for (const ws of open.splice(0)) ws.terminate();
      await sleep(500);
      const idle = await p99(url, seconds);
      for (let i = 0; i < sockets; i += 100) open.push(...(await Promise.all(Array.from({ length: Math.min(100, sockets - i) }, () => openSocket(wsUrl)))));
      await sleep(1000);
      const busy = await p99(url, seconds);
      without.push(idle.p99);
      withOpen.push(busy.p99);
      runs.push({ sockets: open.length, idle, withSockets: busy });
      log(`  run ${run + 1}: no socket p99 ${idle.p99} ms (${round(idle.rps, 1)} req/s); ${open.length} sockets p99 ${busy.p99} ms (${round(busy.rps, 1)} req/s)`);
    }
    const value = median(withOpen);
    const base = median(without);
    return {
      figure: '8. Open WebSockets',
      measure: `p99 of { viewer { name role } } over HTTP (8 connections) with ${sockets} idle graphql-ws sockets open, each subscribed`,
      unit: 'ms',
      value,
      baseline: { name: 'no socket open', value: base },
      ratio: base > 0 ? round(value / base, 2) : undefined,
      ratioMeaning: 'with sockets / without',
      target: 'p99 ≤ 3× the baseline',
      met: value <= 3 * Math.max(base, 1),
      runs,
    };
  } finally {
    for (const ws of open) ws.terminate();
    await child.call('stop').catch(() => undefined);
    await child.close();
  }
}
