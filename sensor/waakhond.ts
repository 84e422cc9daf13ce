// Program entry: runs the command line and turns its result into the exit code.
import { main } from './cli.js';

// `waakhond analyze x.pcap | head`: the reader went away. Like any Unix filter, stop quietly (not a crash).
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`waakhond: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
