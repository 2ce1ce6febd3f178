// Docker's syslog driver options (docs/docker-compat.md §9.1), validated in the order Docker does
// (ValidateLogOpt at create: address, facility, format; then New at start: tag,
// TLS files) and with its messages, so that a bad value fails `docker run` with
// the text users know.

import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import { goQuote, parseGoInt } from '../../go/strconv.js';
import { forOption } from '../../config/option-error.js';
import { compileTag, DEFAULT_TAG_TEMPLATE, renderTag } from '../../config/tag-template.js';
import { tslogsError } from '../../errors.js';
import type { SinkContext } from '../sink.js';
import { goErrnoText } from '../../go/errno.js';
import { type Balance, parseAddressList, parseBalance } from '../shared/endpoint-list.js';
import { describeSyslogAddress, parseSyslogAddress, type SyslogAddress } from './address.js';
import { syslogError } from './errors.js';
import { SYSLOG_FORMATS, type SyslogFormat } from './format.js';

/** The option names this sink owns (the shared tag/labels/env ones are the router's). */
export const SYSLOG_KEYS: ReadonlySet<string> = new Set([
  'syslog-address', 'syslog-facility', 'syslog-format', 'syslog-tls-ca-cert', 'syslog-tls-cert', 'syslog-tls-key',
  'syslog-tls-skip-verify', 'syslog-balance',
]);

/** srslog's local sockets, tried as unixgram first, then as unix streams. */
export const LOCAL_SYSLOG_PATHS: readonly string[] = ['/dev/log', '/var/run/syslog', '/var/run/log'];

/**
 * What srslog puts when the tag renders empty: Docker's is dockerd's os.Args[0];
 * ours names the process that sends, as the PID does.
 */
export const EMPTY_TAG_FALLBACK = 'tslogs';

const FACILITIES: Readonly<Record<string, number>> = {
  kern: 0, user: 1, mail: 2, daemon: 3, auth: 4, syslog: 5, lpr: 6, news: 7, uucp: 8, cron: 9, authpriv: 10,
  ftp: 11, local0: 16, local1: 17, local2: 18, local3: 19, local4: 20, local5: 21, local6: 22, local7: 23,
};

export interface SyslogTlsOptions {
  /**
   * syslog-tls-ca-cert: added to the trusted roots (Go adds it to the system pool;
   * here, to Node's bundled Mozilla store). Undefined: the bundled store alone.
   */
  ca: string[] | undefined;
  /** syslog-tls-cert / syslog-tls-key, PEM, both or neither. */
  cert: string | undefined;
  key: string | undefined;
  /** False only when syslog-tls-skip-verify is present (whatever its value, as in Docker). */
  rejectUnauthorized: boolean;
}

export interface SyslogOptions {
  address: SyslogAddress;
  /** Every endpoint of syslog-address, in order (`address` is the first); each with its own scheme. */
  addresses: SyslogAddress[];
  /** syslog-balance, for a list. */
  balance: Balance;
  /** 0-23. */
  facility: number;
  format: SyslogFormat;
  /** The rendered tag. */
  tag: string;
  /** Only for tcp+tls. */
  tls: SyslogTlsOptions | undefined;
  /** Where the empty address looks for the local syslog daemon. */
  localPaths: readonly string[];
}

/** Docker reads `info.Config[key]`: absent and empty are the same. */
function opt(config: Record<string, string>, key: string): string {
  return Object.hasOwn(config, key) ? config[key]! : '';
}

/** parseFacility: "" is daemon; a name; or strconv.Atoi in 0..23. */
export function parseFacility(value: string): number {
  if (value === '') return FACILITIES.daemon!;
  if (Object.hasOwn(FACILITIES, value)) return FACILITIES[value]!;
  let n: number | undefined;
  try {
    n = parseGoInt(value);
  } catch {
    n = undefined;
  }
  if (n !== undefined && n >= 0 && n <= 23) return n;
  throw syslogError('TSLOGS_SYSLOG_FACILITY');
}

/** parseLogFormat. */
export function parseFormat(value: string): SyslogFormat {
  if (!(SYSLOG_FORMATS as readonly string[]).includes(value)) throw syslogError('TSLOGS_SYSLOG_FORMAT');
  return value as SyslogFormat;
}

// ---------------------------------------------------------------------------------------
// TLS files, as docker/go-connections tlsconfig v0.4.0 Client() reads them

interface PemBlock {
  type: string;
  headers: string[];
  text: string;
}

/** The PEM blocks of a file, in order (Go's pem.Decode loop, without its base64 leniency). */
function pemBlocks(data: Buffer): PemBlock[] {
  const out: PemBlock[] = [];
  const re = /-----BEGIN ([^\r\n]*?)-----\r?\n([\s\S]*?)-----END \1-----/g;
  const text = data.toString('latin1');
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const body = m[2]!;
    const headers = body.includes(':') ? body.split(/\r?\n\r?\n/)[0]!.split(/\r?\n/).filter((l) => l.includes(':')) : [];
    out.push({ type: m[1]!, headers, text: m[0] });
  }
  return out;
}

/** os.ReadFile with Go's *PathError text on failure. */
function readFileGo(path: string): Buffer | string {
  try {
    return fs.readFileSync(path);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    return `${err.syscall === 'read' ? 'read' : 'open'} ${path}: ${goErrnoText(err)}`;
  }
}

/** certPool: the CA file's certificates (AppendCertsFromPEM skips blocks that do not parse). */
function readCa(path: string): string[] {
  const data = readFileGo(path);
  if (typeof data === 'string') throw syslogError('TSLOGS_SYSLOG_CA_READ', goQuote(path), data);
  const certs = pemBlocks(data).filter((b) => {
    if (b.type !== 'CERTIFICATE' || b.headers.length > 0) return false;
    try {
      return new X509Certificate(b.text).raw.length > 0;
    } catch {
      return false;
    }
  });
  if (certs.length === 0) throw syslogError('TSLOGS_SYSLOG_CA_APPEND', goQuote(path));
  return certs.map((b) => b.text);
}

/** Go's `%v` of a []string. */
const goList = (items: string[]): string => `[${items.join(' ')}]`;

/** getCert + tls.X509KeyPair: the first failure in Go's order, as Go words it. */
function keyPairError(certPath: string, keyPath: string): string | { cert: string; key: string } {
  const certData = readFileGo(certPath);
  if (typeof certData === 'string') return certData;
  const keyData = readFileGo(keyPath);
  if (typeof keyData === 'string') return keyData;
  // getPrivateKey looks at the first block of the key file only.
  const firstKeyBlock = pemBlocks(keyData)[0];
  if (firstKeyBlock === undefined) return 'no valid private key found';
  if (firstKeyBlock.headers.some((h) => /^Proc-Type:\s*4,ENCRYPTED/i.test(h))) {
    return 'private key is encrypted, but could not decrypt it: x509: decryption password incorrect';
  }

  const certBlocks = pemBlocks(certData);
  const certs = certBlocks.filter((b) => b.type === 'CERTIFICATE');
  const skippedCert = certBlocks.filter((b) => b.type !== 'CERTIFICATE').map((b) => b.type);
  if (certs.length === 0) {
    if (skippedCert.length === 0) return 'tls: failed to find any PEM data in certificate input';
    if (skippedCert.length === 1 && skippedCert[0]!.endsWith('PRIVATE KEY')) {
      return 'tls: failed to find certificate PEM data in certificate input, but did find a private key; PEM inputs may have been switched';
    }
    return `tls: failed to find "CERTIFICATE" PEM block in certificate input after skipping PEM blocks of the following types: ${goList(skippedCert)}`;
  }
  const keyBlocks = pemBlocks(keyData);
  const keyIndex = keyBlocks.findIndex((b) => b.type === 'PRIVATE KEY' || b.type.endsWith(' PRIVATE KEY'));
  if (keyIndex < 0) {
    const skipped = keyBlocks.map((b) => b.type);
    if (skipped.length === 0) return 'tls: failed to find any PEM data in key input';
    if (skipped.length === 1 && skipped[0] === 'CERTIFICATE') return 'tls: found a certificate rather than a key in the PEM for the private key';
    return `tls: failed to find PEM block with type ending in "PRIVATE KEY" in key input after skipping PEM blocks of the following types: ${goList(skipped)}`;
  }
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(certs[0]!.text);
  } catch {
    return 'x509: malformed certificate';
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(keyBlocks[keyIndex]!.text);
  } catch {
    return 'tls: failed to parse private key';
  }
  if (leaf.publicKey.asymmetricKeyType !== key.asymmetricKeyType) return 'tls: private key type does not match public key type';
  if (!leaf.checkPrivateKey(key)) return 'tls: private key does not match public key';
  return { cert: certData.toString('latin1'), key: keyData.toString('latin1') };
}

/** parseTLSConfig: presence of syslog-tls-skip-verify skips verification (and the CA file). */
export function parseTlsOptions(config: Record<string, string>): SyslogTlsOptions {
  const skipVerify = Object.hasOwn(config, 'syslog-tls-skip-verify');
  const caFile = opt(config, 'syslog-tls-ca-cert');
  const ca = !skipVerify && caFile !== '' ? forOption('syslog-tls-ca-cert', () => readCa(caFile)) : undefined;
  const certFile = opt(config, 'syslog-tls-cert');
  const keyFile = opt(config, 'syslog-tls-key');
  let cert: string | undefined;
  let key: string | undefined;
  if (certFile !== '' || keyFile !== '') {
    const pair = keyPairError(certFile, keyFile);
    // Go's text names the file that failed, not which of the two options gave it.
    if (typeof pair === 'string') throw tslogsError('TSLOGS_OPTION_PAIR', 'syslog-tls-cert', 'syslog-tls-key', syslogError('TSLOGS_SYSLOG_KEY_PAIR', pair).message);
    ({ cert, key } = pair);
  }
  return { ca, cert, key, rejectUnauthorized: !skipVerify };
}

/** Validates a container's syslog options; throws TslogsError with Docker's text. */
export function parseSyslogOptions(config: Record<string, string>, context: SinkContext): SyslogOptions {
  const named = <T>(key: string, parse: (value: string) => T): T => forOption(key, () => parse(opt(config, key)));
  const addresses = named('syslog-address', (value) =>
    parseAddressList(value, { key: 'syslog-address', parse: (a) => parseSyslogAddress(a), identity: describeSyslogAddress }));
  const address = addresses[0]!;
  const balance = parseBalance('syslog-balance', opt(config, 'syslog-balance'));
  const facility = named('syslog-facility', parseFacility);
  const format = named('syslog-format', parseFormat);
  const template = opt(config, 'tag');
  const tag = renderTag(compileTag(template === '' ? DEFAULT_TAG_TEMPLATE : template), context.info, context.hostname) || EMPTY_TAG_FALLBACK;
  // One set of TLS files serves every tcp+tls endpoint of a list.
  const tls = addresses.some((a) => a.proto === 'tcp+tls') ? parseTlsOptions(config) : undefined;
  return { address, addresses, balance, facility, format, tag, tls, localPaths: LOCAL_SYSLOG_PATHS };
}
