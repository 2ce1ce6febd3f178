/** Polls `check` until it holds; fails naming `what` once `ms` have passed. */
export async function waitUntil(check: () => boolean | Promise<boolean>, what: string, ms = 15_000, pollMs = 10): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
