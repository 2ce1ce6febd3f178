// The files NATS options name, read and checked at container start so that a wrong
// path or a file of the wrong kind fails `docker run`, naming the option, instead of
// every connection attempt later. Their contents never reach a message.

import { createPrivateKey, X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import { forOption } from '../../config/option-error.js';
import { tslogsError } from '../../errors.js';
import { goErrnoText } from '../../go/errno.js';
import { readCaCertificates } from '../shared/ca-file.js';
import { Secret } from '../shared/secret.js';
import { natsError } from './errors.js';

/** os.ReadFile's error text (`open /x: no such file or directory`), naming the option. */
function readFile(key: string, file: string): Buffer {
  return forOption(key, () => {
    try {
      return fs.readFileSync(file);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      throw tslogsError('TSLOGS_PATH_ERROR', err.syscall ?? 'open', file, goErrnoText(err));
    }
  });
}

// What nats-server's tools write: `-----BEGIN NATS USER JWT-----`, the JWT, its END line,
// then `-----BEGIN USER NKEY SEED-----`, the seed, its END line (the client reads the
// first two such blocks in that order).
const BLOCK = /-{3,}[^\n]*-{3,}\r?\n\s*([^\s-][^\n]*?)\s*\r?\n\s*-{3,}[^\n]*-{3,}/g;
const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
/** A user seed: base32 of the seed prefix, the user prefix, 32 bytes and a CRC (58 characters). */
const USER_SEED = /^SU[A-Z2-7]{56}$/;

/** A credentials file's bytes. */
export type Credentials = Secret<Uint8Array>;

/** A `.creds` file, checked to hold a user JWT and a user seed. */
export function readCredentials(file: string): Credentials {
  const data = readFile('nats-creds', file);
  const blocks = [...data.toString('latin1').matchAll(BLOCK)].map((m) => m[1]!);
  if (blocks.length < 2 || !JWT.test(blocks[0]!) || !USER_SEED.test(blocks[1]!)) throw natsError('TSLOGS_NATS_CREDS', file);
  return new Secret(new Uint8Array(data), 'Credentials');
}

export interface TlsFiles {
  /** Added to the system's roots, as Docker's syslog-tls-ca-cert. */
  ca: string[] | undefined;
  cert: string | undefined;
  key: string | undefined;
}

/** nats-tls-ca-cert, nats-tls-cert and nats-tls-key (the last two both or neither). */
export function readTlsFiles(caFile: string | undefined, certFile: string | undefined, keyFile: string | undefined): TlsFiles {
  let ca: string[] | undefined;
  if (caFile !== undefined) {
    ca = forOption('nats-tls-ca-cert', () => readCaCertificates(caFile));
    if (ca.length === 0) throw natsError('TSLOGS_NATS_TLS_CA', caFile);
  }
  if ((certFile === undefined) !== (keyFile === undefined)) throw natsError('TSLOGS_NATS_TLS_PAIR');
  if (certFile === undefined || keyFile === undefined) return { ca, cert: undefined, key: undefined };
  const cert = readFile('nats-tls-cert', certFile).toString('latin1');
  const key = readFile('nats-tls-key', keyFile).toString('latin1');
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(cert);
  } catch {
    throw natsError('TSLOGS_NATS_TLS_CERT', certFile, 'no PEM certificate that parses');
  }
  let privateKey;
  try {
    privateKey = createPrivateKey(key);
  } catch {
    throw natsError('TSLOGS_NATS_TLS_KEY', keyFile, 'no PEM private key that parses');
  }
  if (!leaf.checkPrivateKey(privateKey)) throw natsError('TSLOGS_NATS_TLS_MISMATCH');
  return { ca, cert, key };
}
