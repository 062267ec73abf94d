/**
 * Capturing a command's output without keeping unbounded text or leaking secrets.
 *
 * Secret values are scrubbed as the text streams in, before anything is kept: a secret split
 * across two chunks (or cut by the tail's size cap) must never survive as a fragment. Each stream
 * holds back its last few characters (fewer than the longest secret) until more text or the end
 * arrives.
 */
export const REDACTED = '<redacted>';
/** The interleaved stdout+stderr tail kept for messages and logs, in characters. */
export const TAIL_CHARS = 8 * 1024;
/** Most stdout kept for structured mode, in characters; more is an error. */
export const STDOUT_CHARS = 1024 * 1024;

export class Scrubber {
  private readonly secrets: string[];
  private readonly longest: number;
  private pending = '';

  constructor(secrets: Iterable<string>) {
    // Longest first, so a secret that contains another is replaced whole.
    this.secrets = [...new Set([...secrets].filter((s) => s.length > 0))].sort((a, b) => b.length - a.length);
    this.longest = this.secrets[0]?.length ?? 0;
  }

  /** Scrubs text that is complete (nothing follows it). */
  scrub(text: string): string {
    return this.run(text, true).out;
  }

  /** Feeds a chunk; returns what is safe to keep now. */
  feed(chunk: string): string {
    const { out, rest } = this.run(this.pending + chunk, false);
    this.pending = rest;
    return out;
  }

  /** The held-back rest, once the stream has ended. */
  end(): string {
    const { out } = this.run(this.pending, true);
    this.pending = '';
    return out;
  }

  /**
   * Left to right, longest secret first at each position. Unless the text is complete, stops
   * where fewer characters remain than the longest secret: a match there is not decidable yet.
   */
  private run(text: string, complete: boolean): { out: string; rest: string } {
    if (this.longest === 0) return { out: text, rest: '' };
    let out = '';
    let plainFrom = 0;
    let i = 0;
    while (i < text.length) {
      if (!complete && text.length - i < this.longest) break;
      const hit = this.secrets.find((s) => text.startsWith(s, i));
      if (hit) {
        out += text.slice(plainFrom, i) + REDACTED;
        i += hit.length;
        plainFrom = i;
      } else {
        i++;
      }
    }
    return { out: out + text.slice(plainFrom, i), rest: text.slice(i) };
  }
}

/** The last TAIL_CHARS of both streams together, and the first STDOUT_CHARS of stdout alone. */
export class OutputCapture {
  private tailText = '';
  private stdoutText = '';
  private stdoutOverflow = false;
  private readonly scrubbers: { stdout: Scrubber; stderr: Scrubber };

  constructor(secrets: Iterable<string>, private readonly tailChars = TAIL_CHARS) {
    const list = [...secrets];
    this.scrubbers = { stdout: new Scrubber(list), stderr: new Scrubber(list) };
  }

  write(stream: 'stdout' | 'stderr', chunk: string): void {
    this.keep(stream, this.scrubbers[stream].feed(chunk));
  }

  end(): void {
    this.keep('stdout', this.scrubbers.stdout.end());
    this.keep('stderr', this.scrubbers.stderr.end());
  }

  private keep(stream: 'stdout' | 'stderr', text: string): void {
    if (text === '') return;
    this.tailText = (this.tailText + text).slice(-this.tailChars);
    if (stream !== 'stdout' || this.stdoutOverflow) return;
    if (this.stdoutText.length + text.length > STDOUT_CHARS) {
      this.stdoutOverflow = true;
      this.stdoutText = (this.stdoutText + text).slice(0, STDOUT_CHARS);
    } else {
      this.stdoutText += text;
    }
  }

  /** Both streams interleaved, last TAIL_CHARS characters. */
  get tail(): string {
    return this.tailText;
  }

  get stdout(): string {
    return this.stdoutText;
  }

  /** True when stdout was longer than STDOUT_CHARS (structured output is then refused). */
  get stdoutTruncated(): boolean {
    return this.stdoutOverflow;
  }
}

/** The last few lines of `text`, at most `maxChars`, on one line: for messages shown in events. */
export function shortTail(text: string, maxChars = 240): string {
  const trimmed = text.trim();
  if (trimmed === '') return '';
  const flat = trimmed.split('\n').map((l) => l.trim()).filter(Boolean).join(' | ');
  return flat.length > maxChars ? `...${flat.slice(flat.length - (maxChars - 3))}` : flat;
}
