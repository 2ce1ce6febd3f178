// The openssl steps shared by the tests' throw-away PKIs (hec-receiver.ts, syslog-tls.ts).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

export function opensslIn(dir: string): (...args: string[]) => Buffer {
  return (...args) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

/** Writes ca.cnf (a CA named `cn`) and server.ext (localhost, 127.0.0.1) into `dir`. */
export function writeCaConfig(dir: string, cn: string): void {
  fs.writeFileSync(path.join(dir, 'ca.cnf'), [
    '[req]', 'distinguished_name = dn', 'x509_extensions = v3_ca', 'prompt = no',
    '[dn]', `CN = ${cn}`,
    '[v3_ca]', 'basicConstraints = critical,CA:TRUE', 'keyUsage = critical,keyCertSign,cRLSign',
    'subjectKeyIdentifier = hash', '',
  ].join('\n'));
  fs.writeFileSync(path.join(dir, 'server.ext'), [
    'basicConstraints = CA:FALSE', 'keyUsage = digitalSignature', 'extendedKeyUsage = serverAuth',
    'subjectAltName = DNS:localhost,IP:127.0.0.1', '',
  ].join('\n'));
}

/** A key and a certificate `<name>.pem` for `cn`, signed by ca.pem with the extensions file `ext`. */
export function issueLeaf(dir: string, name: string, ext: string, cn: string): void {
  const openssl = opensslIn(dir);
  openssl('req', ...EC_KEY, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`);
  openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial',
    '-out', `${name}.pem`, '-days', '2', '-extfile', ext);
}
