import { createHash, createHmac } from 'node:crypto';

/**
 * Host key checking: a host's key must match a pinned SHA256 fingerprint or an entry of OpenSSH
 * known_hosts text (plain or hashed `|1|salt|hash` host patterns, `[host]:port` for other ports,
 * `*`/`?` wildcards, `!negation`, `@revoked`). Pure: no files, no network.
 */
export interface KnownHostEntry {
  marker?: 'revoked' | 'cert-authority';
  hosts: string;
  keyType: string;
  /** The key blob, base64 as in the file. */
  key: string;
}

export function fingerprint(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

/** Entries of known_hosts text; comments, blank and malformed lines are skipped. */
export function parseKnownHosts(text: string): KnownHostEntry[] {
  const out: KnownHostEntry[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const fields = line.split(/\s+/);
    let marker: KnownHostEntry['marker'];
    if (fields[0]?.startsWith('@')) {
      const m = fields.shift()!.slice(1);
      if (m !== 'revoked' && m !== 'cert-authority') continue;
      marker = m;
    }
    const [hosts, keyType, key] = fields;
    if (!hosts || !keyType || !key) continue;
    out.push({ ...(marker ? { marker } : {}), hosts, keyType, key });
  }
  return out;
}

/** The name known_hosts uses for a host: `address`, or `[address]:port` when the port is not 22. */
export function knownHostsName(address: string, port: number): string {
  return port === 22 ? address : `[${address}]:${port}`;
}

function wildcard(pattern: string, name: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
  return re.test(name);
}

function hashedMatch(pattern: string, name: string): boolean {
  const [, magic, salt, hash] = pattern.split('|');
  if (magic !== '1' || !salt || !hash) return false;
  return createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash;
}

/** Does the comma-separated host pattern list of an entry name this host? */
export function hostMatches(patterns: string, name: string): boolean {
  if (patterns.startsWith('|')) return hashedMatch(patterns, name);
  let matched = false;
  for (const p of patterns.split(',')) {
    if (p.startsWith('!')) {
      if (wildcard(p.slice(1), name)) return false;
    } else if (wildcard(p, name)) {
      matched = true;
    }
  }
  return matched;
}

export interface HostKeyPolicy {
  /** false: any key is accepted (strictHostKeyChecking: false). */
  strict: boolean;
  fingerprints: string[];
  knownHosts: KnownHostEntry[];
}

/** undefined when the key is accepted, else why not (one line, no key material beyond its fingerprint). */
export function checkHostKey(policy: HostKeyPolicy, address: string, port: number, keyBlob: Buffer): string | undefined {
  if (!policy.strict) return undefined;
  const print = fingerprint(keyBlob);
  const name = knownHostsName(address, port);
  const base64 = keyBlob.toString('base64');
  const entries = policy.knownHosts.filter((e) => e.marker !== 'cert-authority' && hostMatches(e.hosts, name));
  if (entries.some((e) => e.marker === 'revoked' && e.key === base64)) return `host key of ${address}:${port} (${print}) is revoked in knownHosts`;
  if (policy.fingerprints.includes(print)) return undefined;
  if (entries.some((e) => e.marker === undefined && e.key === base64)) return undefined;
  const listed = entries.some((e) => e.marker === undefined);
  return listed
    ? `host key of ${address}:${port} (${print}) does not match its knownHosts entry (possible man-in-the-middle)`
    : `host key of ${address}:${port} (${print}) is not in knownHosts or hostKeyFingerprints`;
}
