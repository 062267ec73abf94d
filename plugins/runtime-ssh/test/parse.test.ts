// Pure parts: config and spec checks, host key matching, observation and the rollout plan.
import { createHash, createHmac } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import plugin from '../src/index.js';
import type { HostView } from '../src/host-state.js';
import { checkHostKey, parseKnownHosts } from '../src/known-hosts.js';
import { observeHost } from '../src/observe.js';
import { parseConfig, parseSpec, type Host } from '../src/parse.js';
import { plan } from '../src/plan.js';
import type { ReleaseRecord } from '../src/record.js';
import { parseInspection } from '../src/remote.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'driftless-ssh-parse-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, 'key')]);
const KEY = readFileSync(path.join(dir, 'key'), 'utf8');
const base = { hosts: [{ address: '10.0.0.1' }], user: 'deploy', privateKey: KEY, strictHostKeyChecking: false };

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a throw');
}

describe('ssh runtime: config', () => {
  it('applies defaults and names hosts by address (and port when not 22)', () => {
    const c = parseConfig({ ...base, hosts: [{ address: '10.0.0.1' }, { address: '10.0.0.2', port: 2222, labels: { zone: 'a' } }] });
    expect(c.hosts).toEqual([
      { name: '10.0.0.1', address: '10.0.0.1', port: 22, labels: {}, baseDir: '.driftless', env: {} },
      { name: '10.0.0.2:2222', address: '10.0.0.2', port: 2222, labels: { zone: 'a' }, baseDir: '.driftless', env: {} },
    ]);
    expect(c.connectTimeoutMs).toBe(10_000);
  });

  it.each([
    [{ ...base, strictHostKeyChecking: undefined }, 'give knownHosts or hostKeyFingerprints to check host keys, or set strictHostKeyChecking: false'],
    [{ ...base, hosts: [] }, 'hosts must list at least one host'],
    [{ ...base, hosts: [{ address: 'a', name: 'x' }, { address: 'b', name: 'x' }] }, 'host name "x" is used twice; give hosts distinct names'],
    [{ ...base, hosts: [{ address: 'a', port: 70000 }] }, 'hosts[0].port must be an integer between 1 and 65535'],
    [{ ...base, hosts: [{ address: 'a', env: { 'BAD-NAME': 'x' } }] }, 'hosts[0].env: "BAD-NAME" is not a valid environment variable name'],
  ])('refuses bad config with one precise line (%#)', (config, message) => {
    const err = errorOf(() => parseConfig(config));
    expect(err.name).toBe('TerminalError');
    expect(err.message).toBe(`invalid ssh runtime config: ${message}`);
  });

  it('a private key that cannot be parsed is a TerminalError that never quotes the key', () => {
    const broken = KEY.replace(/\n[A-Za-z0-9+/]{20}/, '\nAAAAAAAAAAAAAAAAAAAA');
    const err = errorOf(() => parseConfig({ ...base, privateKey: broken }));
    expect(err.name).toBe('TerminalError');
    expect(err.message).toMatch(/^invalid ssh runtime config: privateKey cannot be used: /);
    for (const line of KEY.split('\n').filter((l) => l.length > 10)) expect(err.message).not.toContain(line);
    const garbage = errorOf(() => parseConfig({ ...base, privateKey: 'not a key at all' }));
    expect(garbage.message).toMatch(/^invalid ssh runtime config: privateKey cannot be used: .+/);
    expect(garbage.message).not.toContain('not a key at all');
  });

  it('marks privateKey and passphrase secret in its schema (the host redacts them on read)', () => {
    const props = (plugin.configSchema as any).properties;
    expect(props.privateKey['x-secret']).toBe(true);
    expect(props.passphrase['x-secret']).toBe(true);
  });
});

describe('ssh runtime: spec', () => {
  const spec = { start: 'node server.js' };
  it('applies defaults', () => {
    expect(parseSpec(spec)).toEqual({ files: [], start: 'node server.js', env: {}, maxUnavailable: 1, hostSelector: {}, stopTimeoutSeconds: 10 });
  });

  it.each([
    [{ ...spec, files: [{ path: '../etc/passwd', content: 'x' }] }, 'files[0].path must be a relative path inside the release directory, got "../etc/passwd"'],
    [{ ...spec, files: [{ path: '/etc/passwd', content: 'x' }] }, 'files[0].path must be a relative path inside the release directory, got "/etc/passwd"'],
    [{ ...spec, files: [{ path: 'a', content: 'x', source: 'b' }] }, 'files[0] needs exactly one of content or source'],
    [{ ...spec, healthCheck: { command: 'true', http: { port: 1 } } }, 'healthCheck needs exactly one of command or http'],
    [{ ...spec, healthCheck: { http: { port: 'PORT' } } }, 'healthCheck.http.port must be a port number or an env reference like "$PORT"'],
    [{ ...spec, maxUnavailable: 0 }, 'maxUnavailable must be an integer >= 1'],
    [{ start: '  ' }, 'start must be a non-empty command'],
  ])('refuses a bad spec with one precise line (%#)', (raw, message) => {
    expect(errorOf(() => parseSpec(raw as Record<string, unknown>)).message).toBe(`invalid ssh spec: ${message}`);
  });

  it('a source file that cannot be read fails apply with its path', () => {
    const missing = path.join(dir, 'nope.js');
    expect(errorOf(() => parseSpec({ ...spec, files: [{ path: 'a.js', source: missing }] }, true)).message).toBe(
      `invalid ssh spec: files[0].source ${missing} cannot be read: ENOENT`,
    );
  });

  it('validate reports a hostSelector that matches no host, and bad specs', async () => {
    expect(await plugin.validate!({ ...spec, hostSelector: { zone: 'mars' } }, base)).toEqual([{ path: '/hostSelector', message: "matches none of the runtime's 1 host(s)" }]);
    expect(await plugin.validate!({ start: '' }, base)).toEqual([{ path: '', message: 'start must be a non-empty command' }]);
  });
});

describe('ssh runtime: host keys', () => {
  const blob = Buffer.from('fake-host-key-blob');
  const b64 = blob.toString('base64');
  const print = `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
  const policy = (knownHosts: string, fingerprints: string[] = []) => ({ strict: true, fingerprints, knownHosts: parseKnownHosts(knownHosts) });

  it('accepts a matching known_hosts entry ([host]:port for other ports), a hashed one, or a pinned fingerprint', () => {
    expect(checkHostKey(policy(`[127.0.0.1]:2201 ssh-ed25519 ${b64}`), '127.0.0.1', 2201, blob)).toBeUndefined();
    expect(checkHostKey(policy(`web*.example.com,10.0.0.9 ssh-ed25519 ${b64}`), 'web3.example.com', 22, blob)).toBeUndefined();
    const salt = Buffer.from('0123456789abcdefghij');
    const hash = createHmac('sha1', salt).update('10.1.1.1').digest('base64');
    expect(checkHostKey(policy(`|1|${salt.toString('base64')}|${hash} ssh-ed25519 ${b64}`), '10.1.1.1', 22, blob)).toBeUndefined();
    expect(checkHostKey(policy('', [print]), 'anything', 22, blob)).toBeUndefined();
    expect(checkHostKey({ strict: false, fingerprints: [], knownHosts: [] }, 'x', 22, blob)).toBeUndefined();
  });

  it('refuses unknown, changed and revoked keys, naming the host and the fingerprint', () => {
    expect(checkHostKey(policy(`[127.0.0.1]:2202 ssh-ed25519 ${b64}`), '127.0.0.1', 2201, blob)).toBe(
      `host key of 127.0.0.1:2201 (${print}) is not in knownHosts or hostKeyFingerprints`,
    );
    expect(checkHostKey(policy(`10.0.0.1 ssh-ed25519 ${Buffer.from('other').toString('base64')}`), '10.0.0.1', 22, blob)).toBe(
      `host key of 10.0.0.1:22 (${print}) does not match its knownHosts entry (possible man-in-the-middle)`,
    );
    expect(checkHostKey(policy(`@revoked * ssh-ed25519 ${b64}`, [print]), '10.0.0.1', 22, blob)).toBe(`host key of 10.0.0.1:22 (${print}) is revoked in knownHosts`);
  });
});

const host = (name: string): Host => ({ name, address: '127.0.0.1', port: 22, labels: {}, baseDir: '.driftless', env: {} });
const record = (version: string, digest = `d-${version}`, startedAt = new Date(0).toISOString()): ReleaseRecord => ({
  version,
  releaseId: version,
  digest,
  pid: 100,
  procStartTicks: 5,
  startedAt,
  releaseDir: 'r',
  healthCheck: { http: { port: 8080, path: '/healthz' }, timeoutSeconds: 10 },
  stopTimeoutSeconds: 10,
});
const deployed = (name: string, r: ReleaseRecord, alive = true, healthy = true): HostView => ({ host: host(name), kind: 'deployed', record: r, alive, healthy });
const target = { version: 'v2', digest: 'd-v2' };

describe('ssh runtime: observe and plan', () => {
  it('reports each host truthfully', () => {
    const t = { ...target, releaseId: 'v2', params: {}, spec: {}, env: {} };
    expect(observeHost({ host: host('a'), kind: 'unreachable', message: 'cannot reach host 127.0.0.1:22: ECONNREFUSED' }, t, 0)).toEqual({
      name: 'a', status: 'FAILED', versions: [], message: 'cannot reach host 127.0.0.1:22: ECONNREFUSED',
    });
    expect(observeHost(deployed('a', record('v2')), t, 0)).toMatchObject({ status: 'SUCCEEDED', versions: [{ version: 'v2', active: true, drifted: false }] });
    expect(observeHost(deployed('a', record('v2'), false, false), t, 0)).toMatchObject({ status: 'FAILED', versions: [{ active: false, drifted: true }], message: 'v2 (pid 100) is not running (exited or killed)' });
    expect(observeHost(deployed('a', record('v2', 'edited')), t, 0)).toMatchObject({ status: 'SUCCEEDED', versions: [{ active: true, drifted: true }] });
    expect(observeHost(deployed('a', record('v1')), t, 0)).toMatchObject({ status: 'PENDING', versions: [{ version: 'v1', active: true }], message: 'runs v1 (pid 100), want v2' });
    expect(observeHost(deployed('a', record('v2'), true, false), t, 5_000)).toMatchObject({ status: 'PENDING', versions: [{ active: false }] });
    expect(observeHost(deployed('a', record('v2'), true, false), t, 11_000)).toMatchObject({ status: 'FAILED', message: 'v2 (pid 100) is not healthy after 10s (GET /healthz on port 8080)' });
  });

  it('rolls one host at a time in config order, and holds while a host is out of service', () => {
    const now = 1_000_000;
    const old = ['a', 'b', 'c'].map((n) => deployed(n, record('v1')));
    expect(plan(old, target, 1, now).deploy.map((v) => v.host.name)).toEqual(['a']);
    expect(plan(old, target, 2, now).deploy.map((v) => v.host.name)).toEqual(['a', 'b']);

    const down: HostView = { host: host('b'), kind: 'unreachable', message: 'x' };
    const held = plan([deployed('a', record('v2')), down, deployed('c', record('v1'))], target, 1, now);
    expect(held.deploy).toEqual([]);
    expect(held.held).toBe('1 host(s) wait: b is out of service and maxUnavailable is 1');
    expect(plan([deployed('a', record('v2')), down, deployed('c', record('v1'))], target, 2, now).deploy.map((v) => v.host.name)).toEqual(['c']);

    // A dead process is fixed even when the budget is used up: it serves nothing anyway.
    const broken = plan([down, deployed('c', record('v1'), false, false)], target, 1, now);
    expect(broken.deploy.map((v) => v.host.name)).toEqual(['c']);
    // A starting target is waited for, not restarted.
    const starting = plan([deployed('a', record('v2', 'd-v2', new Date(now - 1_000).toISOString()), true, false)], target, 1, now);
    expect(starting.await.map((v) => v.host.name)).toEqual(['a']);
    expect(starting.deploy).toEqual([]);
  });

  it('reads the inspect script output', () => {
    expect(parseInspection('--record\n--end\n')).toEqual({});
    expect(parseInspection('--record\n{"pid":5}\n\n--proc\nstat 5 S 1 5 5\n--end\n')).toEqual({ recordText: '{"pid":5}\n', proc: { pid: 5, fields: ['S', '1', '5', '5'] } });
    expect(parseInspection('--record\n{"pid":5}\n\n--proc\ndead 5\n--end\n')).toEqual({ recordText: '{"pid":5}\n', proc: { pid: 5 } });
  });
});
