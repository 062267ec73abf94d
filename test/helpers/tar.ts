// A minimal ustar writer: enough to hand the Docker Engine a root filesystem (directories, files,
// symlinks) to import as an image, without a tar binary or package.

export type TarEntry =
  | { type: 'dir'; path: string; mode?: number }
  | { type: 'file'; path: string; content: Buffer | string; mode?: number }
  | { type: 'symlink'; path: string; target: string };

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

function header(path: string, size: number, mode: number, typeflag: string, linkname = ''): Buffer {
  if (Buffer.byteLength(path) > 100) throw new Error(`tar: path too long for this writer: ${path}`);
  const h = Buffer.alloc(512, 0);
  h.write(path, 0, 100, 'utf8');
  h.write(octal(mode, 8), 100, 8, 'ascii');
  h.write(octal(0, 8), 108, 8, 'ascii'); // uid
  h.write(octal(0, 8), 116, 8, 'ascii'); // gid
  h.write(octal(size, 12), 124, 12, 'ascii');
  h.write(octal(0, 12), 136, 12, 'ascii'); // mtime: fixed, so the same files give the same layer
  h.write('        ', 148, 8, 'ascii'); // checksum placeholder: spaces
  h.write(typeflag, 156, 1, 'ascii');
  h.write(linkname, 157, 100, 'utf8');
  h.write('ustar\0', 257, 6, 'ascii');
  h.write('00', 263, 2, 'ascii');
  h.write('root', 265, 32, 'ascii');
  h.write('root', 297, 32, 'ascii');
  let sum = 0;
  for (const byte of h) sum += byte;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'ascii');
  return h;
}

export function tar(entries: TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    if (e.type === 'dir') parts.push(header(e.path.endsWith('/') ? e.path : `${e.path}/`, 0, e.mode ?? 0o755, '5'));
    else if (e.type === 'symlink') parts.push(header(e.path, 0, 0o777, '2', e.target));
    else {
      const data = Buffer.isBuffer(e.content) ? e.content : Buffer.from(e.content);
      parts.push(header(e.path, data.length, e.mode ?? 0o644, '0'), data, Buffer.alloc((512 - (data.length % 512)) % 512, 0));
    }
  }
  parts.push(Buffer.alloc(1024, 0));
  return Buffer.concat(parts);
}
