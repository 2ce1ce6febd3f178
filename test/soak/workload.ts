// The soak's containers: five kinds of busybox shell loops at mixed rates. Every line a
// container writes starts with `S <name> <epoch> <n>` (epoch: random per start, n counts
// from 1), so the store and the sink can be checked for gaps and duplicates; when the
// stop file appears in the read-only /gate mount the loop ends with `E <name> <epoch> <n>`,
// the number of lines that start wrote.

export type Kind = 'burst' | 'steady' | 'idle' | 'long' | 'restarted';
export const KINDS: readonly Kind[] = ['burst', 'steady', 'idle', 'long', 'restarted'];

/** Characters of padding in a `long` line: more than dockerd's 16 KiB, so it arrives in partial frames. */
export const LONG_PAD = 20_000;

const BODY: Record<Kind, string> = {
  // 2,000 lines as fast as the shell writes them, then 30 s of silence.
  burst: 'i=0; while [ $i -lt 2000 ]; do emit; i=$((i+1)); done; nap 30',
  steady: 'emit; sleep 0.2',
  idle: 'emit; nap 20',
  long: 'emit " $pad"; nap 5',
  // Restarted by the soak every few minutes (docker restart), killed mid-loop.
  restarted: 'emit; emit; sleep 1',
};

/** The `sh -c` script of a container of `kind`. */
export function script(kind: Kind, name: string): string {
  return [
    'e=$(head -c 8 /proc/sys/kernel/random/uuid); n=0',
    kind === 'long' ? `pad=$(head -c ${LONG_PAD} /dev/zero | tr '\\0' x)` : ':',
    `emit() { n=$((n+1)); echo "S ${name} $e $n$1"; }`,
    // Seconds of silence that end early at the stop file, so that containers stop promptly.
    'nap() { j=0; while [ $j -lt $1 ] && [ ! -e /gate/stop ]; do sleep 1; j=$((j+1)); done; }',
    `while [ ! -e /gate/stop ]; do ${BODY[kind]}; done`,
    `echo "E ${name} $e $n"`,
  ].join('\n');
}

/** `S name epoch n` or `E name epoch n`, parsed from the start of a line. */
export function parseMark(line: string): { end: boolean; key: string; n: number; rest: string } | undefined {
  const m = /^([SE]) (\S+) (\S+) (\d+)/.exec(line);
  if (m === null) return undefined;
  return { end: m[1] === 'E', key: `${m[2]} ${m[3]}`, n: Number(m[4]), rest: line.slice(m[0].length) };
}
