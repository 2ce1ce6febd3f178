// The daemon's routes file (README "Routes"): named sets of sink options that containers
// use with `--log-opt sinks=NAME`, read at start and at each reload. This module reads the
// file and checks its shape and its permissions; which options a route may hold is the
// sinks' business (router/routes.ts validates them with each sink's own parser).
import fs from 'node:fs';
import path from 'node:path';
import { tslogsError } from '../errors.js';
import { readSecretFile, type SecretFileError } from '../util/secret-file.js';

/** Each route's options, as `--log-opt` values: strings, under Docker's and tslogs' option names. */
export type RawRoutes = ReadonlyMap<string, Readonly<Record<string, string>>>;

/** No comma (log opt 'sinks' is a comma list), no space, nothing a shell or a metric label would mangle. */
export const ROUTE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/**
 * Keys naming a file that holds a secret option's value, read at each load: the token then
 * need not sit in the routes file, and a new token is a changed route at the next reload.
 */
export const SECRET_FILE_KEYS: Readonly<Record<string, string>> = { 'splunk-token-file': 'splunk-token' };

const SHAPE = 'expected {"routes": {"NAME": {"OPTION": "VALUE", …}, …}}, e.g. {"routes": {"prod-splunk": {"splunk-url": "https://splunk:8088", "splunk-token-file": "/etc/tslogs/splunk.token"}}}';

/** Parses the file's text; throws TslogsError TSLOGS_ROUTES_FILE saying what is wrong and where. */
export function parseRoutesText(text: string, file: string): Map<string, Record<string, string>> {
  const fail = (detail: string) => tslogsError('TSLOGS_ROUTES_FILE', file, detail);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw fail(`not valid JSON: ${(err as Error).message}`);
  }
  if (!isObject(value)) throw fail(`the file must hold one JSON object: ${SHAPE}`);
  for (const key of Object.keys(value)) if (key !== 'routes') throw fail(`unknown key "${key}" at the top level (the only one is "routes")`);
  const routes = value.routes;
  if (routes === undefined) throw fail(`no "routes" key: ${SHAPE} (an empty file of routes is {"routes": {}})`);
  if (!isObject(routes)) throw fail(`"routes" must be an object of route names: ${SHAPE}`);
  const out = new Map<string, Record<string, string>>();
  for (const [name, options] of Object.entries(routes)) {
    if (!ROUTE_NAME.test(name)) {
      throw fail(`route name ${JSON.stringify(name)} is not valid: up to 64 letters, digits, '.', '_' and '-', starting with a letter or digit`);
    }
    if (!isObject(options)) throw fail(`route "${name}" must be an object of sink options, e.g. {"splunk-url": "https://splunk:8088"}`);
    const record: Record<string, string> = {};
    for (const [key, v] of Object.entries(options)) {
      // As in daemon.json's log-opts, values are strings; numbers and booleans are taken as their text.
      if (typeof v === 'string') record[key] = v;
      else if (typeof v === 'number' || typeof v === 'boolean') record[key] = String(v);
      else throw fail(`route "${name}": the value of "${key}" must be a string, number or boolean`);
    }
    if (Object.keys(record).length === 0) throw fail(`route "${name}" has no options: give at least its sink's address option (such as splunk-url or syslog-address)`);
    out.set(name, record);
  }
  return out;
}

export interface RoutesFileContent {
  routes: RawRoutes;
  /** False when the file does not exist: no routes, which is not an error. */
  present: boolean;
}

/**
 * Reads, checks and parses the routes file, and reads the token files it names.
 * `secretKeys`: the sinks' secret option names (a route holding one inline makes the
 * file a secret). Throws TslogsError TSLOGS_ROUTES_FILE.
 */
export function readRoutesFile(file: string, secretKeys: ReadonlySet<string>): RoutesFileContent {
  let text: string;
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { routes: new Map(), present: false };
    throw tslogsError('TSLOGS_ROUTES_FILE', file, `cannot read it: ${code ?? (err as Error).message}`);
  }
  checkWriters(file, stat);
  const routes = parseRoutesText(text, file);
  for (const [name, options] of routes) {
    for (const key of Object.keys(options)) {
      if (secretKeys.has(key) && (stat.mode & 0o004) !== 0) {
        const fileKey = fileKeyOf(key);
        const instead = fileKey === undefined ? '' : `, or name a file holding it with ${fileKey}`;
        throw tslogsError('TSLOGS_ROUTES_FILE', file, `route "${name}" holds ${key}, and the file is readable by every user (mode ${mode(stat)}): chmod 600 ${file}${instead}`);
      }
      const target = SECRET_FILE_KEYS[key];
      if (target === undefined) continue;
      if (options[target] !== undefined) throw tslogsError('TSLOGS_ROUTES_FILE', file, `route "${name}" sets both ${target} and ${key}: keep one`);
      options[target] = readRouteSecret(file, name, key, options[key]!);
      delete options[key];
    }
  }
  return { routes, present: true };
}

/** Whoever can write the file chooses where every container's logs go. */
function checkWriters(file: string, stat: fs.Stats): void {
  if ((stat.mode & 0o022) !== 0) {
    throw tslogsError('TSLOGS_ROUTES_FILE', file, `it is writable by group or others (mode ${mode(stat)}), who could send every container's logs elsewhere: chmod 600 ${file} (or 644 when it holds no token)`);
  }
  const uid = process.getuid?.();
  if (uid !== undefined && stat.uid !== 0 && stat.uid !== uid) {
    throw tslogsError('TSLOGS_ROUTES_FILE', file, `it is owned by uid ${stat.uid}, neither root nor the daemon's user (${uid}): chown root ${file}`);
  }
}

function readRouteSecret(file: string, route: string, key: string, secretFile: string): string {
  const fail = (detail: string) => tslogsError('TSLOGS_ROUTES_FILE', file, `route "${route}": ${key} ${secretFile}: ${detail}`);
  if (!path.isAbsolute(secretFile)) throw fail('must be an absolute path');
  let stat: fs.Stats;
  try {
    stat = fs.statSync(secretFile);
  } catch (err) {
    throw fail(`cannot read it: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  if ((stat.mode & 0o004) !== 0) throw fail(`is readable by every user (mode ${mode(stat)}): chmod 600 ${secretFile}`);
  try {
    return readSecretFile(secretFile);
  } catch (err) {
    const failure = err as SecretFileError;
    throw fail(failure.empty ? failure.message : `cannot read it: ${failure.message}`);
  }
}

function fileKeyOf(secretKey: string): string | undefined {
  return Object.entries(SECRET_FILE_KEYS).find(([, target]) => target === secretKey)?.[0];
}

function mode(stat: fs.Stats): string {
  return (stat.mode & 0o777).toString(8).padStart(4, '0');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
