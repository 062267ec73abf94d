// Conformance fixture (`driftless plugin test plugins/runtime-docker`): two replicas of a busybox
// httpd on the host network, each on its own free port, checked over HTTP, rolled to a second
// release start-first.
//
// It needs a Docker Engine and an image with busybox's sh and httpd:
//   DRIFTLESS_DOCKER_ENDPOINT  the Engine (default: DOCKER_HOST if it is unix://, else /var/run/docker.sock)
//   DRIFTLESS_DOCKER_IMAGE     the image (default: busybox:1.36, pulled when missing)
import net from 'node:net';

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function isFree(port) {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A base port with the two after it free too: replicas 2 + maxSurge 1 take three. */
async function portRange(span) {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = await freePort();
    if (base + span > 65535) continue;
    let ok = true;
    for (let p = base + 1; p < base + span && ok; p++) ok = await isFree(p);
    if (ok) return base;
  }
  throw new Error('no free port range for the fixture');
}

function endpoint() {
  if (process.env.DRIFTLESS_DOCKER_ENDPOINT) return process.env.DRIFTLESS_DOCKER_ENDPOINT;
  if (process.env.DOCKER_HOST?.startsWith('unix://')) return process.env.DOCKER_HOST;
  return 'unix:///var/run/docker.sock';
}

// Serves /healthz on $PORT; stops at once on SIGTERM (as PID 1 it would otherwise ignore it).
const SERVE = 'mkdir -p /tmp/www && echo "$VERSION" > /tmp/www/index.html && echo ok > /tmp/www/healthz && { httpd -f -p "127.0.0.1:$PORT" -h /tmp/www & } && trap "kill $!; exit 0" TERM && wait';

export default async () => {
  const image = process.env.DRIFTLESS_DOCKER_IMAGE ?? 'busybox:1.36';
  const base = await portRange(3);
  const spec = (version) => ({
    image,
    pull: 'missing',
    args: ['sh', '-c', SERVE],
    env: { VERSION: version },
    ports: [{ hostPort: base }],
    healthcheck: { http: { path: '/healthz' } },
    replicas: 2,
    startTimeoutSeconds: 20,
    stopTimeoutSeconds: 2,
  });
  return {
    config: { endpoint: endpoint(), network: 'host', labels: { 'org.driftless.conformance': 'docker' } },
    instance: { instanceId: `conformance-docker-${process.pid}`, application: 'conformance', channel: 'test', service: 'svc', runtime: 'conformance' },
    spec: spec('one'),
    next: { spec: spec('two') },
    // No image: the spec names nothing to run (validate rejects it; apply must throw TerminalError).
    invalidSpec: { replicas: 1 },
    timeoutMs: 60_000,
  };
};
