/**
 * One probe = one HTTP request. These do the I/O for the HealthMonitor and turn every outcome,
 * including errors and timeouts, into a result with a message for a person on call. They never throw.
 */
import { describeMatchers, trimBase } from './keys.js';
import { listNames } from './format.js';

export interface ProbeOutcome {
  ok: boolean;
  message: string;
  /** No usable answer (network error, timeout, unexpected response). */
  unreachable: boolean;
}

interface AlertmanagerAlert {
  labels?: Record<string, string>;
  status?: { state?: string };
}

/**
 * Active alerts matching `matchers` (Alertmanager v2 API). Silenced and inhibited alerts are
 * excluded by the query. 'unprocessed' alerts (just received, not yet routed) count as firing:
 * they are not silenced as far as anyone knows, and missing one would mean deploying blind.
 */
export async function probeAlertmanager(
  base: string,
  matchers: Record<string, string>,
  signal: AbortSignal,
): Promise<ProbeOutcome> {
  const root = trimBase(base);
  const url = new URL(`${root}/api/v2/alerts`);
  url.searchParams.set('active', 'true');
  url.searchParams.set('silenced', 'false');
  url.searchParams.set('inhibited', 'false');
  for (const name of Object.keys(matchers).sort()) {
    url.searchParams.append('filter', `${name}="${escapeMatcherValue(matchers[name]!)}"`);
  }
  const unreachable = (why: string): ProbeOutcome => ({
    ok: false,
    unreachable: true,
    message: `cannot reach alertmanager at ${root}: ${why}`,
  });
  let alerts: unknown;
  try {
    const res = await fetch(url, { signal, headers: { accept: 'application/json' } });
    if (res.status !== 200) {
      await res.body?.cancel();
      return unreachable(`HTTP ${res.status}`);
    }
    alerts = await res.json();
  } catch (err) {
    return unreachable(describeFetchError(err, signal));
  }
  if (!Array.isArray(alerts)) return unreachable('unexpected response (not a list of alerts)');
  const firing = (alerts as AlertmanagerAlert[]).filter((a) => {
    const state = a?.status?.state;
    return state === 'active' || state === 'unprocessed';
  });
  const described = describeMatchers(matchers);
  const matching = described ? ` matching ${described}` : '';
  if (!firing.length) return { ok: true, unreachable: false, message: `no alerts firing${matching}` };
  const names = [...new Set(firing.map((a) => a.labels?.alertname ?? '(no alertname)'))];
  const count = firing.length === 1 ? '1 alert' : `${firing.length} alerts`;
  return { ok: false, unreachable: false, message: `${count} firing${matching}: ${listNames(names)}` };
}

/** GET `url`; passes when the status equals `expectStatus`. The body is never read. */
export async function probeHttp(url: string, expectStatus: number, signal: AbortSignal): Promise<ProbeOutcome> {
  try {
    const res = await fetch(url, { signal, redirect: 'manual' });
    await res.body?.cancel();
    const ok = res.status === expectStatus;
    return {
      ok,
      unreachable: false,
      message: ok ? `GET ${url} returned ${res.status}` : `GET ${url} returned ${res.status}, want ${expectStatus}`,
    };
  } catch (err) {
    return { ok: false, unreachable: true, message: `GET ${url} failed: ${describeFetchError(err, signal)}` };
  }
}

/** undici hides the useful part ("ECONNREFUSED") in `cause`; an abort carries our reason. */
export function describeFetchError(err: unknown, signal: AbortSignal): string {
  if (signal.aborted) {
    const reason: unknown = signal.reason;
    return reason instanceof Error ? reason.message : 'aborted';
  }
  const cause = (err as { cause?: { code?: string; message?: string } } | undefined)?.cause;
  if (cause?.code) return cause.code;
  if (cause?.message) return cause.message;
  return err instanceof Error ? err.message : String(err);
}

/** Alertmanager matcher values are double-quoted strings: escape backslashes and quotes. */
function escapeMatcherValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}
