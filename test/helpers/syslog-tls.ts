// Test PKI for the syslog tests, generated per run with the openssl CLI into a
// temp dir (nothing is committed): a CA, a server certificate for localhost and
// 127.0.0.1, a client certificate, and keys that do not fit, for the error cases.
import fs from 'node:fs';
import path from 'node:path';
import { EC_KEY, issueLeaf, opensslIn, writeCaConfig } from './test-pki.js';

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
  const openssl = opensslIn(dir);
  writeCaConfig(dir, 'tslogs syslog test CA');
  fs.writeFileSync(file('wrongname.ext'), [
    'basicConstraints = CA:FALSE', 'keyUsage = digitalSignature', 'extendedKeyUsage = serverAuth',
    'subjectAltName = DNS:other.example', '',
  ].join('\n'));
  fs.writeFileSync(file('client.ext'), [
    'basicConstraints = CA:FALSE', 'keyUsage = digitalSignature', 'extendedKeyUsage = clientAuth', '',
  ].join('\n'));
  openssl('req', '-x509', ...EC_KEY, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-config', 'ca.cnf');
  openssl('req', '-x509', ...EC_KEY, '-keyout', 'other-ca.key', '-out', 'other-ca.pem', '-days', '2', '-config', 'ca.cnf');
  const leaves = [['server', 'server.ext', 'localhost'], ['client', 'client.ext', 'tslogs client'], ['wrongname', 'wrongname.ext', 'other.example']] as const;
  for (const [name, ext, cn] of leaves) issueLeaf(dir, name, ext, cn);
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
