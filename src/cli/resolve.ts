// Which stored containers a command line names: by full ID, name, unique ID prefix
// (Docker's order), by label, or all of them.
import { bareName, shortId } from '../util/docker-names.js';
import type { Known } from './daemons.js';
import type { EngineContainer } from './engine.js';

/** Not found or ambiguous: exit code 1. */
export class ResolveError extends Error {}

export type Match = { kind: 'one'; container: Known } | { kind: 'ambiguous'; candidates: Known[] } | { kind: 'none' };

/**
 * Docker's lookup over the store: exact full ID, then exact name (a name used by several
 * stored containers — one removed, one re-created — picks the newest, as Docker would
 * have only the newest), then a unique ID prefix.
 */
export function matchRef(ref: string, known: readonly Known[]): Match {
  const byId = known.find((c) => c.id === ref);
  if (byId !== undefined) return { kind: 'one', container: byId };
  const name = bareName(ref);
  const named = known.filter((c) => c.name === name && name !== '');
  if (named.length > 0) return { kind: 'one', container: named.reduce((a, b) => (b.created > a.created ? b : a)) };
  if (/^[0-9a-f]+$/.test(ref)) {
    const prefixed = known.filter((c) => c.id.startsWith(ref));
    if (prefixed.length === 1) return { kind: 'one', container: prefixed[0]! };
    if (prefixed.length > 1) return { kind: 'ambiguous', candidates: prefixed };
  }
  return { kind: 'none' };
}

export function displayName(c: Pick<Known, 'id' | 'name'>): string {
  return c.name !== '' ? c.name : shortId(c.id);
}

export function ambiguousMessage(ref: string, candidates: readonly Known[]): string {
  const list = candidates
    .slice(0, 10)
    .map((c) => `  ${shortId(c.id)}  ${displayName(c)}`)
    .join('\n');
  const more = candidates.length > 10 ? `\n  … and ${candidates.length - 10} more` : '';
  return `container ID prefix '${ref}' is ambiguous; it matches ${candidates.length} containers:\n${list}${more}\nuse more characters of the ID, or the name`;
}

/** `key` or `key=value` against a container's labels. */
export function hasLabel(c: Pick<Known, 'labels'>, selector: string): boolean {
  const eq = selector.indexOf('=');
  if (eq < 0) return Object.hasOwn(c.labels, selector);
  return c.labels[selector.slice(0, eq)] === selector.slice(eq + 1);
}

export interface Selection {
  containers: string[];
  labels: string[];
  all: boolean;
}

/** What Docker says about a name tslogs does not store: for the error message only. */
export type EngineLookup = (ref: string) => Promise<(EngineContainer & { driver: string }) | null | undefined>;

/**
 * The containers to read, in a stable order (names given first, in order; then label
 * and --all matches by name). Errors name what is wrong and what to do.
 */
export async function selectContainers(sel: Selection, known: readonly Known[], lookup: EngineLookup): Promise<Known[]> {
  const chosen = new Map<string, Known>();
  for (const ref of sel.containers) {
    const m = matchRef(ref, known);
    if (m.kind === 'ambiguous') throw new ResolveError(ambiguousMessage(ref, m.candidates));
    if (m.kind === 'one') {
      chosen.set(m.container.id, m.container);
      continue;
    }
    // Renamed since tslogs saw it, or not logging to tslogs at all: ask Docker.
    const engine = await lookup(ref);
    const stored = engine ? known.find((c) => c.id === engine.id) : undefined;
    if (stored !== undefined) {
      chosen.set(stored.id, { ...stored, name: engine!.name || stored.name });
      continue;
    }
    if (engine) {
      throw new ResolveError(`container '${ref}' (${shortId(engine.id)}) has no log in tslogs' store (its log driver is ${engine.driver || 'unknown'}); use docker logs`);
    }
    throw new ResolveError(`no such container: ${ref} (tslogs ls lists the containers tslogs stores)`);
  }
  const rest: Known[] = [];
  if (sel.all) rest.push(...known);
  else if (sel.labels.length > 0) {
    const matching = known.filter((c) => sel.labels.every((l) => hasLabel(c, l)));
    if (matching.length === 0 && sel.containers.length === 0) {
      throw new ResolveError(`no stored container has label ${sel.labels.join(' and ')} (tslogs ls lists the containers tslogs stores)`);
    }
    rest.push(...matching);
  }
  rest.sort((a, b) => displayName(a).localeCompare(displayName(b)) || a.id.localeCompare(b.id));
  for (const c of rest) if (!chosen.has(c.id)) chosen.set(c.id, c);
  if (chosen.size === 0) throw new ResolveError('tslogs stores no containers yet (tslogs ls)');
  return [...chosen.values()];
}
