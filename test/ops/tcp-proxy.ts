import net from 'node:net';
import type { AddressInfo } from 'node:net';

/** A TCP proxy in front of PostgreSQL that a test can stop and start again on the same port (the machine's PostgreSQL keeps running). */
export async function startTcpProxy(target: { host: string; port: number }, port = 0) {
  const sockets = new Set<net.Socket>();
  let server: net.Server | undefined;
  const listen = (p: number) =>
    new Promise<number>((resolve, reject) => {
      server = net.createServer((client) => {
        const upstream = net.connect(target);
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on('close', () => sockets.delete(s));
          s.on('error', () => s.destroy());
        }
        client.pipe(upstream).pipe(client);
        client.on('close', () => upstream.destroy());
        upstream.on('close', () => client.destroy());
      });
      server.once('error', reject);
      server.listen(p, '127.0.0.1', () => resolve((server!.address() as AddressInfo).port));
    });
  const actualPort = await listen(port);
  const stop = async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
  };
  return { port: actualPort, stop, start: () => listen(actualPort), close: stop };
}
