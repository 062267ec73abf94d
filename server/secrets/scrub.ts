/**
 * Scrubs known secrets out of text before it reaches reasons, events, logs and subscriptions,
 * in the encodings a program most often prints them in: as is, base64 and base64url (at any byte
 * offset inside a longer encoded text), hex (both cases), URL-encoded, JSON-escaped and reversed.
 *
 * The limit (README "Secrets"): this is a net, not a guarantee. A program that wants to leak a
 * value it can read can always transform it in a way no list of encodings covers (split it,
 * XOR it, print one character per line). Secrets shorter than MIN_SECRET_LENGTH are not scrubbed
 * (they would blank out ordinary words). Keep workloads that must not see a secret away from it.
 */
export const SCRUBBED = '<redacted>';
export const MIN_SECRET_LENGTH = 6;

/** The characters of base64(prefix + secret) that depend only on the secret's bytes. */
function stableBase64(secret: Buffer, offset: number, url: boolean): string {
  const encoded = Buffer.concat([Buffer.alloc(offset), secret]).toString(url ? 'base64url' : 'base64');
  const firstBit = offset * 8;
  const endBit = (offset + secret.length) * 8;
  const first = Math.ceil(firstBit / 6);
  const end = Math.floor(endBit / 6); // characters [first, end) are wholly inside the secret
  return encoded.slice(first, end);
}

export function encodingsOf(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  const out = new Set<string>([secret]);
  for (const url of [false, true]) for (let offset = 0; offset < 3; offset++) out.add(stableBase64(bytes, offset, url));
  const hex = bytes.toString('hex');
  out.add(hex);
  out.add(hex.toUpperCase());
  out.add(encodeURIComponent(secret));
  out.add(encodeURIComponent(secret).replace(/%20/g, '+'));
  out.add(JSON.stringify(secret).slice(1, -1));
  out.add([...secret].reverse().join(''));
  // Encodings too short to be told from ordinary text are dropped (a 6-byte secret's offset
  // base64 forms are 6-7 characters, still specific enough).
  return [...out].filter((e) => e.length >= MIN_SECRET_LENGTH - 1);
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export type Scrub = (text: string) => string;

/** A function that replaces every known secret (in every encoding above) with "<redacted>". */
export function makeScrubber(secrets: Iterable<string>): Scrub {
  const patterns = new Set<string>();
  for (const s of secrets) if (typeof s === 'string' && s.length >= MIN_SECRET_LENGTH) for (const e of encodingsOf(s)) patterns.add(e);
  if (patterns.size === 0) return (text) => text;
  // Longest first, so a secret's full form wins over a shorter encoding inside it.
  const re = new RegExp([...patterns].sort((a, b) => b.length - a.length).map(escape).join('|'), 'g');
  return (text) => (typeof text === 'string' && text.length >= MIN_SECRET_LENGTH - 1 ? text.replace(re, SCRUBBED) : text);
}

const cached = new Map<string, Scrub>();

/**
 * makeScrubber, remembered for the last few sets of secrets: a worker thread ticks the same
 * runtimes over and over, and building the pattern costs more than using it.
 */
export function cachedScrubber(secrets: string[]): Scrub {
  const key = JSON.stringify(secrets);
  let scrub = cached.get(key);
  if (!scrub) {
    if (cached.size >= 64) cached.delete(cached.keys().next().value!);
    scrub = memoized(makeScrubber(secrets), 512);
    cached.set(key, scrub);
  }
  return scrub;
}

/**
 * Scrubs every string in plain data (object keys too). Returns the value itself when nothing in it
 * changed (the usual case: this runs on every tick result), a copy of the changed parts otherwise.
 */
export function scrubDeep<T>(value: T, scrub: Scrub): T {
  if (typeof value === 'string') return scrub(value) as T;
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const v = scrubDeep(value[i], scrub);
      if (v !== value[i]) (out ??= value.slice())[i] = v;
    }
    return (out ?? value) as T;
  }
  if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
    let out: Record<string, unknown> | undefined;
    for (const [k, v] of Object.entries(value)) {
      const key = scrub(k);
      const scrubbed = scrubDeep(v, scrub);
      if (key !== k || scrubbed !== v) {
        out ??= { ...(value as Record<string, unknown>) };
        if (key !== k) delete out[k];
        out[key] = scrubbed;
      }
    }
    return (out ?? value) as T;
  }
  return value;
}

/** Remembers the answers for the texts seen last: reasons repeat tick after tick. */
function memoized(scrub: Scrub, size = 4096): Scrub {
  const seen = new Map<string, string>();
  return (text) => {
    if (typeof text !== 'string' || text.length < MIN_SECRET_LENGTH - 1) return text;
    let out = seen.get(text);
    if (out === undefined) {
      out = scrub(text);
      if (seen.size >= size) seen.clear();
      seen.set(text, out);
    }
    return out;
  };
}

/**
 * The secrets one server knows (its bootstrap admin token, every decrypted runtime secret):
 * scrubbed from every plugin result on the main thread, whatever runtime it came from.
 */
export class KnownSecrets {
  private values = new Set<string>();
  private scrubber: Scrub | undefined;

  add(values: Iterable<string | undefined>): void {
    for (const v of values) {
      if (typeof v !== 'string' || v.length < MIN_SECRET_LENGTH || this.values.has(v)) continue;
      this.values.add(v);
      this.scrubber = undefined;
    }
  }

  list(): string[] {
    return [...this.values];
  }

  scrub: Scrub = (text) => (this.scrubber ??= memoized(makeScrubber(this.values)))(text);

  scrubDeep<T>(value: T): T {
    return this.values.size === 0 ? value : scrubDeep(value, this.scrub);
  }
}
