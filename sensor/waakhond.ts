// Program entry: runs the command line and turns its result into the exit code. Started as a worker
// thread of a sharded analysis (sensor/shard/shards.ts), it runs that shard instead: the program is
// its own worker, so no install can lack the worker's file.
import { isMainThread, workerData } from 'node:worker_threads';
import { main } from './cli.js';

if (!isMainThread && (workerData as { waakhondShard?: boolean } | null)?.waakhondShard === true) {
  void import('./shard/shard-worker.js').then((m) => m.runShard());
} else {
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
}
