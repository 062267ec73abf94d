import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import pc from 'picocolors';
import { packageRoot } from '../../package-root.js';
import { Api, failOnUserErrors } from '../api.js';
import { assertPortsFree, startDemoServer, type DemoServer } from '../demo-server.js';
import { removeDemoPid, runningDemo, stopDemo, writeDemoPid } from '../demo-stop.js';
import { CliError, EXIT, usageError } from '../errors.js';
import { elapsed } from '../output.js';
import { isLiveTerminal, progressView } from '../progress-view.js';
import { interruptedExitCode, listenForStopRequests, type StopReason } from '../stop-requests.js';
import { verdictOf, watchRelease, type WatchedRelease } from '../watch.js';

const APPLY = `mutation Apply($d: String!) { applyConfig(input: { documents: $d }) { created { kind name } updated { kind name } unchanged { kind name } userErrors { code message path line } } }`;
const CREATE = `mutation Release($v: String!) { createRelease(input: { application: "hello", service: "web", params: { version: $v } }) { release { id number label createdAt } userErrors { code message path } } }`;
const APPROVE = `mutation Approve($r: ID!) { approveRelease(input: { release: $r, channel: "production", comment: "approved by driftless demo" }) { userErrors { code message path } } }`;
const DELETE = `mutation { deleteApplication(input: { name: "hello" }) { userErrors { code message } } }`;

interface DemoOptions {
  dataDir: string;
  port: string;
  ports: string;
  exit?: boolean;
  stop?: boolean;
  timeout: string;
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('start a server, apply examples/hello and release v1 then v2 through staging → production (approving production)')
    .option('-d, --data-dir <dir>', "the demo server's own data dir", '.driftless/demo')
    .option('--port <port>', 'API port of the demo server (0 picks a free one)', '0')
    .option('--ports <staging,production>', "ports of the hello app in each channel (production's 2 replicas use this port and the next)", '8100,8200')
    .option('--exit', 'stop (apps and server) when the demo is done instead of waiting for Ctrl-C')
    .option('--stop', 'stop a demo still running on this data dir, and any hello apps an earlier demo left behind')
    .action(async (opts: DemoOptions) => {
      const dataDir = path.resolve(opts.dataDir);
      if (opts.stop) return stop(dataDir);
      const [stagingPort, productionPort] = parsePorts(opts.ports);
      const port = Number(opts.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw usageError(`--port must be a port number, got "${opts.port}"`);
      const other = runningDemo(dataDir);
      if (other) throw new CliError(`a demo is already running on ${opts.dataDir} (pid ${other.pid})`, EXIT.FAILURE, 'stop it with: driftless demo --stop (or use another --data-dir)');
      await assertPortsFree([stagingPort, productionPort, productionPort + 1]);
      const config = helloConfig(packageRoot(), stagingPort, productionPort);

      // From here on, Ctrl-C, kill, a closed terminal or a closed pipe all stop the apps and the server.
      let noted = false;
      const requests = listenForStopRequests((reason) => {
        if (reason !== 'output closed' && !noted) console.log(pc.dim('  (still stopping the apps and the server)'));
        noted = true;
      });
      let server: DemoServer | undefined;
      let api: Api | undefined;
      let finished = false;
      try {
        step(`Starting a Driftless server (data in ${opts.dataDir})`);
        server = await startDemoServer({ dataDir, port });
        writeDemoPid(dataDir);
        requests.signal.throwIfAborted();
        api = new Api({ url: server.url, token: server.token, tokenSource: 'flag' });
        await showDemo(api, server, { config, dataDir: opts.dataDir, stagingPort, productionPort, signal: requests.signal, exit: !!opts.exit });
        finished = true;
        if (!opts.exit) {
          console.log(pc.dim('\nThe apps keep running until Ctrl-C (which stops them and the server; so does `driftless demo --stop`).'));
          await requests.requested;
        }
      } catch (err) {
        // A stop request ends whatever step was under way; anything else is a real failure.
        if (!requests.signal.aborted) throw err;
      } finally {
        if (server) await shutdown(api, server);
        removeDemoPid(dataDir);
        requests.dispose();
      }
      if (requests.signal.aborted && !finished) process.exitCode = interruptedExitCode(requests.signal.reason as StopReason);
    });
}

async function stop(dataDir: string): Promise<void> {
  const done = await stopDemo(dataDir).catch((err: Error) => {
    throw new CliError(`cannot stop the demo: ${err.message}`, EXIT.FAILURE);
  });
  if (!done.length) console.log(`Nothing to stop: no demo runs on ${dataDir} and none left apps behind.`);
  for (const line of done) console.log(`${line[0]!.toUpperCase()}${line.slice(1)}.`);
}

interface ShowOptions {
  config: string;
  dataDir: string;
  stagingPort: number;
  productionPort: number;
  signal: AbortSignal;
  exit: boolean;
}

/** The story the demo tells: apply the example, deliver v1 and v2, say where they answer. */
async function showDemo(api: Api, server: DemoServer, o: ShowOptions): Promise<void> {
  console.log(`  Dashboard: ${server.url}/  ·  API and GraphQL IDE: ${server.url}/graphql`);
  step('Applying examples/hello/driftless.yaml (runtime local, application hello: staging → production, service web)');
  const { applyConfig } = await api.request(APPLY, { d: o.config });
  failOnUserErrors(applyConfig.userErrors, 'the example config was refused');
  console.log(`  ${applyConfig.created.length} created, ${applyConfig.updated.length} updated, ${applyConfig.unchanged.length} unchanged`);

  for (const version of ['v1', 'v2']) {
    o.signal.throwIfAborted();
    await deliver(api, version, { staging: o.stagingPort, production: o.productionPort }, o.signal);
  }

  console.log(`\n${pc.green('Done.')} hello v2 runs in both channels:`);
  console.log(`  staging:    http://127.0.0.1:${o.stagingPort}/`);
  console.log(`  production: http://127.0.0.1:${o.productionPort}/ and http://127.0.0.1:${o.productionPort + 1}/`);
  if (!o.exit) {
    console.log('\nTry the CLI against this server (in another terminal):');
    console.log(`  export DRIFTLESS_URL=${server.url} DRIFTLESS_TOKEN=$(cat ${path.join(o.dataDir, 'demo-admin-token')})`);
    console.log('  npx driftless status hello');
    console.log('  npx driftless release hello/web --param version=v3 --wait');
  }
}

/** One release through both channels, approving production when its gate asks. */
async function deliver(api: Api, version: string, ports: { staging: number; production: number }, signal: AbortSignal): Promise<void> {
  step(`Releasing hello/web ${version}`);
  const { createRelease } = await api.request(CREATE, { v: version });
  failOnUserErrors(createRelease.userErrors, `cannot release ${version}`);
  const release: WatchedRelease = createRelease.release;
  const view = await progressView(release, { tty: isLiveTerminal() });
  let approval: Promise<void> | undefined;
  const started = Date.now();
  const { outcome, instances } = await watchRelease({
    api,
    application: 'hello',
    service: 'web',
    release,
    timeoutMs: 120_000,
    signal,
    onUpdate: (list) => {
      view.update(list);
      const production = list.find((i) => i.channel.name === 'production');
      if (production && !approval && verdictOf(production, release) === 'awaiting-approval') {
        // What a person would do: `driftless approve hello/web --channel production`.
        approval = api.request(APPROVE, { r: release.id }).then((d) => {
          failOnUserErrors(d.approveRelease.userErrors, `cannot approve ${version}`);
          console.log(`  ${pc.cyan('approved')} ${version} for production (as \`driftless approve hello/web --channel production\` would)`);
        });
        // Awaited below; a stop request may leave before that, and must not leave it unhandled.
        approval.catch(() => undefined);
      }
    },
  }).finally(() => view.done());
  await approval;
  if (outcome !== 'converged') {
    const bad = instances.find((i) => verdictOf(i, release) !== 'converged');
    throw new CliError(`the demo release ${version} did not converge (${outcome}): ${bad ? `${bad.channel.name} is ${bad.status}: ${bad.reasons[0]?.message ?? ''}` : ''}`, EXIT.FAILURE);
  }
  console.log(`  ${pc.green(`${version} converged in staging and production`)} after ${elapsed(Date.now() - started)}`);
  for (const [channel, port] of Object.entries(ports)) console.log(`  ${channel.padEnd(10)} http://127.0.0.1:${port}/  →  ${await answer(port)}`);
}

async function answer(port: number): Promise<string> {
  try {
    return (await (await fetch(`http://127.0.0.1:${port}/`)).text()).trim();
  } catch (err) {
    return pc.red(`no answer (${(err as Error).message})`);
  }
}

/** Deleting the application stops its processes; closing the server waits until they are gone. */
async function shutdown(api: Api | undefined, server: DemoServer): Promise<void> {
  step('Stopping the hello apps and the server');
  await api?.request(DELETE).catch(() => undefined);
  await api?.close().catch(() => undefined);
  await server.close();
  console.log('  stopped');
}

function step(text: string): void {
  console.log(`\n${pc.bold('▸')} ${text}`);
}

function parsePorts(text: string): [number, number] {
  const ports = text.split(',').map((p) => Number(p.trim()));
  if (ports.length !== 2 || ports.some((p) => !Number.isInteger(p) || p < 1 || p > 65534)) throw usageError(`--ports takes two ports, staging and production, got "${text}"`, 'e.g. --ports 8100,8200');
  return [ports[0]!, ports[1]!];
}

/** The example with its app directory made absolute (the process runtime resolves cwd against the server's) and the chosen ports. */
function helloConfig(root: string, stagingPort: number, productionPort: number): string {
  const file = path.join(root, 'examples/hello/driftless.yaml');
  if (!existsSync(file)) throw new CliError(`cannot find ${file}`, EXIT.USAGE, 'run the demo from a clone of the Driftless repository');
  return readFileSync(file, 'utf8')
    .replace('cwd: examples/hello/app', `cwd: ${JSON.stringify(path.join(root, 'examples/hello/app'))}`)
    .replace('constants: { port: 8100 }', `constants: { port: ${stagingPort} }`)
    .replace('constants: { port: 8200 }', `constants: { port: ${productionPort} }`);
}
