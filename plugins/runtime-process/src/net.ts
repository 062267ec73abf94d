import http from 'node:http';
import net from 'node:net';

/**
 * A port nobody listens on right now, from the kernel's ephemeral range. Another process may take
 * it before the replica binds; the replica then fails its start and the next apply picks again.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** True when something already listens on 127.0.0.1:port (a fixed basePort held by a stranger). */
export function portTaken(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(true));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(false)));
  });
}

/** One HTTP GET to the replica: 2xx within timeoutMs is healthy, anything else is not. */
export function probe(port: number, path: string, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    const req = http.get({ host: '127.0.0.1', port, path, agent: false, timeout: timeoutMs, signal }, (res) => {
      res.resume();
      resolve(res.statusCode !== undefined && res.statusCode >= 200 && res.statusCode < 300);
    });
    req.once('timeout', () => req.destroy());
    req.once('error', () => resolve(false));
  });
}
