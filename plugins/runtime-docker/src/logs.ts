import type Docker from 'dockerode';

/**
 * Docker multiplexes stdout and stderr of a container without a TTY into frames: 1 byte stream
 * type, 3 zero bytes, 4 bytes big-endian length, then the payload. Anything else is raw text.
 */
export function demux(buffer: Buffer): string {
  const frames: Buffer[] = [];
  let at = 0;
  while (at + 8 <= buffer.length && [0, 1, 2].includes(buffer[at]!) && buffer[at + 1] === 0 && buffer[at + 2] === 0 && buffer[at + 3] === 0) {
    const size = buffer.readUInt32BE(at + 4);
    frames.push(buffer.subarray(at + 8, at + 8 + size));
    at += 8 + size;
  }
  if (at === 0) return buffer.toString('utf8');
  return Buffer.concat(frames).toString('utf8');
}

/** The last few non-empty log lines of a container (stdout and stderr); [] when it cannot tell. */
export async function tailLines(docker: Docker, id: string, signal: AbortSignal, lines = 3, timeoutMs = 5_000): Promise<string[]> {
  try {
    const bounded = AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]);
    const raw = (await docker.getContainer(id).logs({ stdout: true, stderr: true, tail: lines * 4, follow: false, abortSignal: bounded } as Docker.ContainerLogsOptions & { follow: false })) as unknown as Buffer;
    return demux(Buffer.isBuffer(raw) ? raw : Buffer.from(String(raw)))
      .split('\n')
      .map((l) => l.trimEnd())
      .filter((l) => l.length > 0)
      .slice(-lines);
  } catch {
    return [];
  }
}

/** `; last log lines: a | b | c`, or `; its log is empty`. */
export function formatTail(lines: string[]): string {
  return lines.length > 0 ? `; last log lines: ${lines.join(' | ')}` : '; its log is empty';
}
