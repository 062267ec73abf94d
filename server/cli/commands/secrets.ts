/**
 * `driftless secrets rotate-key [--prune] [--data-dir <dir>]`: a new secret key, and every sealed
 * runtime secret sealed again with it. Runs on the server's machine against its database (the same
 * DATABASE_URL, DRIFTLESS_DATA_DIR and DRIFTLESS_SECRET_KEY_FILE as the server), and is safe while
 * the server runs: the previous key stays in the key file (values sealed with it keep opening), a
 * running server re-reads the file when it meets a value sealed with a key it does not know or
 * before it seals, and rows are rewritten with optimistic locking. `--prune` drops previous keys
 * that no stored value uses any more (run it once every server has seen the new key).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { parseKeys } from '../../secrets/seal.js';
import { CliError, EXIT } from '../errors.js';

interface RotateOptions {
  prune?: boolean;
  dataDir?: string;
}

export function registerSecrets(program: Command): void {
  const group = program.command('secrets').description('the key that encrypts runtime secrets at rest (on the server machine)');
  group
    .command('rotate-key')
    .description('generate a new secret key and re-encrypt every stored secret with it')
    .option('--prune', 'then drop previous keys that no stored value uses')
    .option('-d, --data-dir <dir>', 'the server data directory (env DRIFTLESS_DATA_DIR, default ./.driftless)')
    .action(async (opts: RotateOptions) => {
      await rotateKey(opts);
    });
}

async function rotateKey(opts: RotateOptions): Promise<void> {
  await import('reflect-metadata');
  const [{ loadSecretBox, generateSecretKey, keyId, writeKeyFile, SecretBox, SecretKeyError }, { resealAll, keyIdsInUse }, { openStore }] = await Promise.all([
    import('../../secrets/seal.js'),
    import('../../secrets/seal-stored.js'),
    import('../../store/orm.js'),
  ]);
  const dataDir = path.resolve(opts.dataDir ?? process.env.DRIFTLESS_DATA_DIR ?? '.driftless');
  let box;
  try {
    box = loadSecretBox({ dataDir, create: false });
  } catch (err) {
    if (err instanceof SecretKeyError) throw new CliError(err.message, EXIT.USAGE, 'run it where the server runs, with the same DRIFTLESS_DATA_DIR / DRIFTLESS_SECRET_KEY_FILE');
    throw err;
  }
  if (box.source.kind !== 'file') {
    throw new CliError(
      'the key comes from DRIFTLESS_SECRET_KEY, which this command cannot change',
      EXIT.USAGE,
      'rotate by setting DRIFTLESS_SECRET_KEY="<new>,<old>" (new: openssl rand -base64 32) and restarting: each start seals every value with the first key; then drop the old one',
    );
  }
  const file = box.source.path;
  const store = await openStore({ databaseUrl: process.env.DATABASE_URL || undefined, dataDir });
  try {
    const previous = parseKeys(readFileSync(file, 'utf8'), file); // current first
    const fresh = generateSecretKey();
    writeKeyFile(file, [fresh, ...previous]);
    const rotated = new SecretBox([fresh, ...previous], { kind: 'file', path: file, generated: false });
    const report = await resealAll(store.orm.em.fork(), rotated);
    console.log(`new key ${keyId(fresh)} in ${file}; ${report.values} secret value(s) in ${report.runtimes} runtime(s) encrypted again`);
    if (opts.prune) {
      const used = await keyIdsInUse(store.orm.em);
      const kept = previous.filter((k) => used.has(keyId(k)));
      writeKeyFile(file, [fresh, ...kept]);
      const dropped = previous.length - kept.length;
      console.log(`dropped ${dropped} previous key(s)${kept.length ? `; kept ${kept.map(keyId).join(', ')} (still in use: run again later)` : ''}`);
    } else if (previous.length) {
      console.log(`previous key(s) ${previous.map(keyId).join(', ')} kept so running servers and stragglers still open; drop them with: driftless secrets rotate-key --prune`);
    }
  } finally {
    await store.close();
  }
}
