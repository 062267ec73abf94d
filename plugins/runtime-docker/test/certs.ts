// Throwaway TLS material for a test Docker daemon on tcp://127.0.0.1 (openssl): a CA, the
// daemon's certificate for 127.0.0.1, a client certificate the daemon accepts, and one from
// another CA it must refuse.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

function ca(dir: string, name: string): void {
  openssl(dir, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${name}`, '-keyout', `${name}.key`, '-out', `${name}.pem`]);
}

function signed(dir: string, name: string, by: string, ext: string): void {
  openssl(dir, ['req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${name}`, '-keyout', `${name}-key.pem`, '-out', `${name}.csr`]);
  writeFileSync(path.join(dir, `${name}.ext`), ext);
  openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', `${by}.pem`, '-CAkey', `${by}.key`, '-CAcreateserial', '-days', '2', '-extfile', `${name}.ext`, '-out', `${name}.pem`]);
}

export interface TestCerts {
  /** For the daemon (paths). */
  daemon: { ca: string; cert: string; key: string };
  /** For the plugin config (PEM text). */
  client: { ca: string; cert: string; key: string };
  /** A client certificate from another CA (PEM text). */
  stranger: { cert: string; key: string };
}

export function makeCerts(dir: string): TestCerts {
  ca(dir, 'ca');
  ca(dir, 'other-ca');
  signed(dir, 'server', 'ca', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  signed(dir, 'client', 'ca', 'extendedKeyUsage=clientAuth\n');
  signed(dir, 'stranger', 'other-ca', 'extendedKeyUsage=clientAuth\n');
  const read = (f: string) => readFileSync(path.join(dir, f), 'utf8');
  return {
    daemon: { ca: path.join(dir, 'ca.pem'), cert: path.join(dir, 'server.pem'), key: path.join(dir, 'server-key.pem') },
    client: { ca: read('ca.pem'), cert: read('client.pem'), key: read('client-key.pem') },
    stranger: { cert: read('stranger.pem'), key: read('stranger-key.pem') },
  };
}
