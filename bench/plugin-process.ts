// The installed managed plugin's daemon process, and its CPU time and peak RSS from
// /proc. Several managed plugins may run the same command line (CI installs scratch
// ones): the process is the one in the plugin's own cgroup, named by its plugin ID.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { DOCKER_BIN, PLUGIN_NAME } from '../test/e2e/helpers/docker.js';

export function pluginPid(name = PLUGIN_NAME): number {
  const id = execFileSync(DOCKER_BIN, ['plugin', 'inspect', '-f', '{{.Id}}', name], { encoding: 'utf8' }).trim();
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (!fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('/app/dist/cli/main.js\0plugin')) continue;
      if (fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8').includes(id)) return Number(pid);
    } catch {
      // the process went away
    }
  }
  throw new Error(`no running process for plugin ${name} (${id.slice(0, 12)}): is it enabled?`);
}

/** User + system CPU seconds of a process so far. */
export function cpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(stat[11]) + Number(stat[12])) / 100; // utime + stime, in clock ticks of 1/100 s
}

export function peakRssMiB(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? 0) / 1024;
}

export function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? 0) / 1024;
}

/** Starts a new peak-RSS measurement. */
export function resetPeakRss(pid: number): void {
  fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
}
