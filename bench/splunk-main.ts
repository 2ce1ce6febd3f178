// Standalone Splunk benchmark: node --import tsx bench/splunk-main.ts [--quick]
// Prints a markdown table (see bench/splunk.ts).
import os from 'node:os';
import { runSplunk, splunkTable } from './splunk.js';

const quick = process.argv.includes('--quick');
const rows = await runSplunk(quick);
const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`;
process.stdout.write(
  `## Splunk HEC: \`docker run … seq 1 ${rows[0]!.lines}\` until the receiver has every event\n\n` +
    `Machine: ${machine}; command: \`node --import tsx bench/splunk-main.ts${quick ? ' --quick' : ''}\`\n\n` +
    `${splunkTable(rows)}\n\n` +
    'Both drivers post to a HecReceiver on 127.0.0.1 (HTTP) with the same --log-opts; ' +
    'tslogs / Docker is the ratio of rates (> 1: tslogs is faster).\n',
);
