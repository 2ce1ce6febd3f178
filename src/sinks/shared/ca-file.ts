// A CA file as Go reads one for a driver's TLS option: os.ReadFile, with Go's
// *PathError text when that fails, then CertPool.AppendCertsFromPEM, which skips
// certificates that do not parse.

import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import { tslogsError } from '../../errors.js';
import { goErrnoText } from '../../go/errno.js';

/** The PEM certificates of `path` that parse, possibly none; throws TslogsError when it cannot be read. */
export function readCaCertificates(path: string): string[] {
  let pem: string;
  try {
    pem = fs.readFileSync(path, 'latin1');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw tslogsError('TSLOGS_PATH_ERROR', err.syscall ?? 'open', path, goErrnoText(err));
  }
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  return blocks.filter((block) => {
    try {
      return new X509Certificate(block).raw.length > 0;
    } catch {
      return false;
    }
  });
}
