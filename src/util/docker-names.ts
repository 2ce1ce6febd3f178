/** The 12-character short form of a container ID, as `docker ps` shows it. */
export function shortId(id: string): string {
  return id.slice(0, 12);
}

/** A container name without the leading `/` the engine keeps on it (`/web` → `web`). */
export function bareName(name: string): string {
  return name.startsWith('/') ? name.slice(1) : name;
}
