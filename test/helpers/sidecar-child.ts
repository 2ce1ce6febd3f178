// `tslogs sidecar` in its own process, so tests can kill it with SIGKILL.
// Usage: node --import tsx test/helpers/sidecar-child.ts [sidecar flags…]  (sink options from the environment)
import { runSidecarCommand } from '../../src/sidecar/run-sidecar.js';

const code = await runSidecarCommand(process.argv.slice(2));
if (code >= 0) process.exit(code);
process.stdout.write('ready\n');
