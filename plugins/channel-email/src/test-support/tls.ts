/** A self-signed key and certificate made with openssl for TLS tests. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '@okno/testkit';

export function selfSignedCert(dir: string, cn = 'localhost'): { key: string; cert: string; keyFile: string; certFile: string } {
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '2', '-subj', `/CN=${cn}`, '-addext', `subjectAltName=DNS:${cn},IP:127.0.0.1`]);
  return { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8'), keyFile, certFile };
}
