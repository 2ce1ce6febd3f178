// The TLS files a sink's options name (CA, client certificate and key), read and
// checked at container start so that a wrong path or a file of the wrong kind fails
// `docker run`, naming the option, instead of every connection attempt later. Their
// contents never reach a message.

import { createPrivateKey, X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import { forOption } from '../../config/option-error.js';
import { defineErrors, tslogsError } from '../../errors.js';
import { goErrnoText } from '../../go/errno.js';
import { readCaCertificates } from './ca-file.js';

const tlsError = defineErrors({
  TSLOGS_TLS_PAIR: (cert: string, key: string) => `log opts '${cert}' and '${key}' go together: set both or neither`,
  TSLOGS_TLS_FILE: (option: string, file: string, detail: string) => `log opt '${option}': ${file}: ${detail}`,
  TSLOGS_TLS_MISMATCH: (cert: string, key: string) => `log opts '${cert}' and '${key}': the private key does not match the certificate's public key`,
  TSLOGS_TLS_CA: (option: string, file: string) => `log opt '${option}': no PEM certificate in ${file}`,
});

/** os.ReadFile's error text (`open /x: no such file or directory`), naming the option. */
export function readOptionFile(key: string, file: string): Buffer {
  return forOption(key, () => {
    try {
      return fs.readFileSync(file);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      throw tslogsError('TSLOGS_PATH_ERROR', err.syscall ?? 'open', file, goErrnoText(err));
    }
  });
}

/** The option names of a sink's three TLS files. */
export interface TlsFileKeys {
  ca: string;
  cert: string;
  key: string;
}

export interface TlsFiles {
  /** The PEM certificates of the CA file (at least one), or undefined without one. */
  ca: string[] | undefined;
  cert: string | undefined;
  key: string | undefined;
}

/** The CA file, and the client certificate and key (both or neither; the key must match). */
export function readTlsFiles(keys: TlsFileKeys, caFile: string | undefined, certFile: string | undefined, keyFile: string | undefined): TlsFiles {
  let ca: string[] | undefined;
  if (caFile !== undefined) {
    ca = forOption(keys.ca, () => readCaCertificates(caFile));
    if (ca.length === 0) throw tlsError('TSLOGS_TLS_CA', keys.ca, caFile);
  }
  if ((certFile === undefined) !== (keyFile === undefined)) throw tlsError('TSLOGS_TLS_PAIR', keys.cert, keys.key);
  if (certFile === undefined || keyFile === undefined) return { ca, cert: undefined, key: undefined };
  const cert = readOptionFile(keys.cert, certFile).toString('latin1');
  const key = readOptionFile(keys.key, keyFile).toString('latin1');
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(cert);
  } catch {
    throw tlsError('TSLOGS_TLS_FILE', keys.cert, certFile, 'no PEM certificate that parses');
  }
  let privateKey;
  try {
    privateKey = createPrivateKey(key);
  } catch {
    throw tlsError('TSLOGS_TLS_FILE', keys.key, keyFile, 'no PEM private key that parses');
  }
  if (!leaf.checkPrivateKey(privateKey)) throw tlsError('TSLOGS_TLS_MISMATCH', keys.cert, keys.key);
  return { ca, cert, key };
}
