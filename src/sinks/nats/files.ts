// The NATS credentials file, read and checked at container start so that a wrong
// path or a file of the wrong kind fails `docker run`, naming the option, instead of
// every connection attempt later. Its content never reaches a message.

import { Secret } from '../shared/secret.js';
import { readOptionFile } from '../shared/tls-files.js';
import { natsError } from './errors.js';

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
  const data = readOptionFile('nats-creds', file);
  const blocks = [...data.toString('latin1').matchAll(BLOCK)].map((m) => m[1]!);
  if (blocks.length < 2 || !JWT.test(blocks[0]!) || !USER_SEED.test(blocks[1]!)) throw natsError('TSLOGS_NATS_CREDS', file);
  return new Secret(new Uint8Array(data), 'Credentials');
}
