// The tiny workload Driftless deploys in the hello example: answers `/` with its VERSION and
// `/healthz` with "ok". Plain Node, no dependencies, so any runtime can start it.
import http from 'node:http';

const version = process.env.VERSION ?? 'unknown';
const port = Number(process.env.PORT ?? 8080);

const server = http.createServer((req, res) => {
  if (req.url === '/healthz') {
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    return;
  }
  if (req.url === '/' || req.url === '') {
    res.writeHead(200, { 'content-type': 'text/plain' }).end(`hello from ${version} in ${process.env.CHANNEL ?? 'somewhere'}\n`);
    return;
  }
  res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
});

server.listen(port, '127.0.0.1', () => console.log(`hello ${version} listening on ${port}`));
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => server.close(() => process.exit(0)));
