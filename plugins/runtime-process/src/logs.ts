import { promises as fs } from 'node:fs';

const TAIL_BYTES = 8 * 1024;

/** The last few non-empty lines of a log, read from its end (logs of long-lived replicas grow). */
export async function tailLines(file: string, lines = 3): Promise<string[]> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(file, 'r');
    const { size } = await handle.stat();
    const length = Math.min(size, TAIL_BYTES);
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, size - length);
    return buffer
      .toString('utf8')
      .split('\n')
      .map((l) => l.trimEnd())
      .filter((l) => l.length > 0)
      .slice(-lines);
  } catch {
    return [];
  } finally {
    await handle?.close();
  }
}

/** `; last log lines: a | b | c`, or nothing when the log is empty. */
export function formatTail(lines: string[]): string {
  return lines.length > 0 ? `; last log lines: ${lines.join(' | ')}` : '; log is empty';
}
