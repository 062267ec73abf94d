// The images the docker runtime tests deploy, built locally (there is no registry here): a root
// filesystem with Debian's static busybox and a tiny web server script, imported through the
// Engine API. Two tags with different image ids, so a v1 → v2 rollout really changes the image.
import { existsSync, readFileSync } from 'node:fs';
import type Docker from 'dockerode';
import { tar, type TarEntry } from './tar.js';

export const BUSYBOX = '/bin/busybox';
export const WEB_IMAGE = { v1: 'driftless-test/web:v1', v2: 'driftless-test/web:v2' } as const;

/** Applets the tests use, as symlinks to busybox. */
const APPLETS = ['sh', 'httpd', 'sleep', 'echo', 'cat', 'mkdir', 'wget', 'env', 'kill', 'true', 'false', 'ls', 'ps', 'date'];

/**
 * `web` (examples/compose-shop/app/web.sh, the example's own server): writes "hello from $VERSION
 * in $CHANNEL" and /healthz, then serves them on 127.0.0.1:$PORT (the plugin gives each replica its
 * own port on the host network), and stops at once on SIGTERM.
 */
export const WEB_SCRIPT = readFileSync(new URL('../../examples/compose-shop/app/web.sh', import.meta.url), 'utf8');

function rootfs(): Buffer {
  if (!existsSync(BUSYBOX)) throw new Error(`${BUSYBOX} not found: install busybox-static with \`bash .ci/install-docker.sh\``);
  const entries: TarEntry[] = [
    { type: 'dir', path: 'bin' },
    { type: 'dir', path: 'tmp', mode: 0o1777 },
    { type: 'dir', path: 'etc' },
    { type: 'file', path: 'etc/passwd', content: 'root:x:0:0:root:/:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' },
    { type: 'file', path: 'bin/busybox', content: readFileSync(BUSYBOX), mode: 0o755 },
    ...APPLETS.map((a): TarEntry => ({ type: 'symlink', path: `bin/${a}`, target: 'busybox' })),
    { type: 'file', path: 'bin/web', content: WEB_SCRIPT, mode: 0o755 },
  ];
  return tar(entries);
}

async function importImage(docker: Docker, tag: string, flavour: string): Promise<void> {
  const [repo, version] = tag.split(':') as [string, string];
  const stream = await docker.importImage(rootfs() as unknown as string, {
    repo,
    tag: version,
    changes: ['ENV PATH=/bin', `ENV WEB_IMAGE=${flavour}`, 'CMD ["/bin/web"]', `LABEL org.driftless.test-image=${flavour}`],
  } as object);
  await new Promise<void>((resolve, reject) => docker.modem.followProgress(stream, (err: Error | null) => (err ? reject(err) : resolve())));
}

async function exists(docker: Docker, tag: string): Promise<boolean> {
  try {
    await docker.getImage(tag).inspect();
    return true;
  } catch {
    return false;
  }
}

/** Builds the test images that are missing (every one with `rebuild`). */
export async function ensureTestImages(docker: Docker, options: { rebuild?: boolean } = {}): Promise<void> {
  for (const [flavour, tag] of Object.entries(WEB_IMAGE)) {
    if (options.rebuild || !(await exists(docker, tag))) await importImage(docker, tag, flavour);
  }
}
