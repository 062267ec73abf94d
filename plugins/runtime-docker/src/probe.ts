import http from 'node:http';

/** Short on purpose: fetch runs under a few-second deadline and probes every replica. */
export const PROBE_TIMEOUT_MS = 1_000;

export interface ProbeResult {
  ok: boolean;
  /** "200", "503", "ECONNREFUSED", "no answer within 1s". */
  detail: string;
}

/** GET http://host:port/path; healthy on a 2xx. Never throws. */
export function probe(host: string, port: number, path: string, signal: AbortSignal, timeoutMs = PROBE_TIMEOUT_MS): Promise<ProbeResult> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve({ ok: false, detail: 'aborted' });
    const req = http.get({ host, port, path, timeout: timeoutMs, signal, headers: { 'user-agent': 'driftless-docker-probe' } }, (res) => {
      res.resume();
      const code = res.statusCode ?? 0;
      resolve({ ok: code >= 200 && code < 300, detail: String(code) });
    });
    req.on('timeout', () => {
      req.destroy();
      resolve({ ok: false, detail: `no answer within ${timeoutMs / 1000}s` });
    });
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ ok: false, detail: err.code ?? err.message }));
  });
}
