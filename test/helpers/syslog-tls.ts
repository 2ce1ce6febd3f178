// Test PKI for the syslog tests, generated per run with the openssl CLI into a
// temp dir (nothing is committed): a CA, a server certificate for localhost and
// 127.0.0.1, a client certificate, and keys that do not fit, for the error cases.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export interface SyslogPki {
  dir: string;
  caFile: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** A second, unrelated CA (verification must fail with it). */
  otherCaFile: string;
  /** A server certificate (same CA) for other.example only. */
  wrongNameCert: string;
  wrongNameKey: string;
  /** An EC key that does not belong to any certificate. */
  otherKey: string;
  /** An RSA key (type differs from the EC certificates). */
  rsaKey: string;
  /** The client key in traditional PEM encryption (Proc-Type: 4,ENCRYPTED). */
  encryptedKey: string;
  /** The client key as encrypted PKCS #8. */
  encryptedPkcs8Key: string;
}

export function makeSyslogPki(dir: string): SyslogPki {
  const file = (name: string) => path.join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  fs.writeFileSync(file('ca.cnf'), [
    '[req]', 'distinguished_name = dn', 'x509_extensions = v3_ca', 'prompt = no',
    '[dn]', 'CN = tslogs syslog test CA',
    '[v3_ca]', 'basicConstraints = critical,CA:TRUE', 'keyUsage = critical,keyCertSign,cRLSign',
    'subjectKeyIdentifier = hash', '',
  ].join('\n'));
  fs.writeFileSync(file('server.ext'), [
    'basicConstraints = CA:FALSE', 'keyUsage = digitalSignature', 'extendedKeyUsage = serverAuth',
    'subjectAltName = DNS:localhost,IP:127.0.0.1', '',
  ].join('\n'));
  fs.writeFileSync(file('wrongname.ext'), [
    'basicConstraints = CA:FALSE', 'keyUsage = digitalSignature', 'extendedKeyUsage = serverAuth',
    'subjectAltName = DNS:other.example', '',
  ].join('\n'));
  fs.writeFileSync(file('client.ext'), [
    'basicConstraints = CA:FALSE', 'keyUsage = digitalSignature', 'extendedKeyUsage = clientAuth', '',
  ].join('\n'));
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-config', 'ca.cnf');
  openssl('req', '-x509', ...ec, '-keyout', 'other-ca.key', '-out', 'other-ca.pem', '-days', '2', '-config', 'ca.cnf');
  const leaves = [['server', 'server.ext', 'localhost'], ['client', 'client.ext', 'tslogs client'], ['wrongname', 'wrongname.ext', 'other.example']] as const;
  for (const [name, ext, cn] of leaves) {
    openssl('req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`);
    openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial',
      '-out', `${name}.pem`, '-days', '2', '-extfile', ext);
  }
  openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-out', 'other.key');
  openssl('genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', 'rsa.key');
  openssl('ec', '-in', 'client.key', '-aes128', '-passout', 'pass:secret', '-out', 'client-enc.key');
  openssl('pkey', '-in', 'client.key', '-aes128', '-passout', 'pass:secret', '-out', 'client-enc-pkcs8.key');
  return {
    dir,
    caFile: file('ca.pem'),
    serverCert: file('server.pem'),
    serverKey: file('server.key'),
    clientCert: file('client.pem'),
    clientKey: file('client.key'),
    wrongNameCert: file('wrongname.pem'),
    wrongNameKey: file('wrongname.key'),
    otherCaFile: file('other-ca.pem'),
    otherKey: file('other.key'),
    rsaKey: file('rsa.key'),
    encryptedKey: file('client-enc.key'),
    encryptedPkcs8Key: file('client-enc-pkcs8.key'),
  };
}
