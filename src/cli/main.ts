#!/usr/bin/env node
import { createRequire } from 'node:module';
import { runPlugin, settingsFromEnv } from '../daemon/run-plugin.js';

const USAGE = `Usage: tslogs <command>

Commands:
  plugin      run the Docker log-driver plugin daemon (legacy plugin socket
              /run/docker/plugins/tslogs.sock unless TSLOGS_SOCKET is set;
              logs stored under TSLOGS_ROOT, default /var/lib/tslogs)
  help        show this help

Options:
  --version   print the version
`;

function version(): string {
  const require = createRequire(import.meta.url);
  return (require('../../package.json') as { version: string }).version;
}

/** Exit codes: 0 ok, 1 error, 2 usage. */
export async function main(argv: string[]): Promise<number> {
  const [command] = argv;
  switch (command) {
    case 'plugin':
      await runPlugin(settingsFromEnv());
      return -1; // keeps running until a signal
    case '--version':
    case '-v':
      process.stdout.write(`tslogs ${version()}\n`);
      return 0;
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return 0;
    default:
      process.stderr.write(command === undefined ? USAGE : `tslogs: unknown command '${command}'\n\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (err: Error) => {
    process.stderr.write(`tslogs: ${err.message}\n`);
    process.exitCode = 1;
  },
);
