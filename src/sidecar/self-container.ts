// The ID of the container this process runs in, if any: dockerd bind-mounts
// /etc/hostname, /etc/hosts and /etc/resolv.conf from the container's own directory,
// and those sources show in /proc/self/mountinfo. The sidecar never forwards itself.
import fs from 'node:fs';

const SOURCE = /\/containers\/([0-9a-f]{64})\/(?:hostname|hosts|resolv\.conf)(?:\s|$)/;

export function ownContainerId(mountinfo = '/proc/self/mountinfo'): string | undefined {
  let text: string;
  try {
    text = fs.readFileSync(mountinfo, 'utf8');
  } catch {
    return undefined;
  }
  for (const line of text.split('\n')) {
    // Field 4 is the mounted path within its filesystem.
    const root = line.split(' ')[3];
    const m = root === undefined ? null : SOURCE.exec(root + ' ');
    if (m !== null) return m[1];
  }
  return undefined;
}
