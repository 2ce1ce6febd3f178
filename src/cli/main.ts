#!/usr/bin/env node
import { packageVersion } from '../util/package-version.js';
import { parseCommand, UsageError } from './args.js';
import { runLogs } from './logs.js';
import { USAGE } from './usage.js';

/** Output cut off by its reader (`| head`): done, successfully. */
function exitOnClosedOutput(stream: NodeJS.WriteStream): void {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') process.exit(0);
    process.stderr.write(`tslogs: ${err.message}\n`);
    process.exit(1);
  });
}

/** Exit codes as docker logs': 0 ok, 1 error, 125 a command line that cannot be parsed, 130 interrupted; -1 keeps running (the daemon). */
export async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'sidecar') return (await import('../sidecar/run-sidecar.js')).runSidecarCommand(argv.slice(1));
  if (argv.length === 0) {
    // As `docker logs` without a container: the usage, exit 1.
    process.stderr.write(USAGE);
    return 1;
  }
  let command;
  try {
    command = parseCommand(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`tslogs: ${err.message}\nSee 'tslogs help'.\n`);
    return err.exitCode;
  }
  if (command.kind === 'plugin') {
    // Loaded only here: the reading commands start faster without the daemon's modules.
    const { runPlugin, settingsFromEnv } = await import('../daemon/run-plugin.js');
    await runPlugin(settingsFromEnv());
    return -1; // keeps running until a signal
  }
  exitOnClosedOutput(process.stdout);
  exitOnClosedOutput(process.stderr);
  process.on('SIGINT', () => process.exit(130));
  switch (command.kind) {
    case 'version':
      process.stdout.write(`tslogs ${packageVersion()}\n`);
      return 0;
    case 'help':
      process.stdout.write(USAGE);
      return 0;
    case 'ls':
      await (await import('./ls.js')).runLs(command.json, process.env, process.stdout);
      return 0;
    case 'health':
      return (await import('./health.js')).runHealth(command, process.env, process.stdout, process.stderr);
    case 'stats':
      await (await import('./stats.js')).runStats(command.containers, command.json, process.env, process.stdout);
      return 0;
    case 'prune':
      await (await import('./prune.js')).runPrune(command.force, command.json, process.env, process.stdout);
      return 0;
    case 'reload':
      return (await import('./routes.js')).runReload(command.socket, process.env, process.stdout, process.stderr);
    case 'routes':
      return (await import('./routes.js')).runRoutes(command, process.env, process.stdout, process.stderr);
    case 'logs':
      await runLogs(command.options, { stdout: process.stdout, stderr: process.stderr, env: process.env });
      return 0;
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
