// One shard of a sharded analysis, on its own thread (shards.ts): the batches of its devices' frames
// go through a whole Analysis (pipeline, inventory, rule engine); each batch's buffers go back to be
// filled again, and at the end the result is sent for merging (merge.ts). The program entry
// (sensor/waakhond.ts) runs this when it is started as a shard's worker.
import { parentPort, workerData } from 'node:worker_threads';
import { Analysis } from '../analyze.js';
import { batchFromMessage, ownedBy, pushShardBatch, type FromWorker, type ShardData, type ToWorker } from './shards.js';

export function runShard(): void {
  const port = parentPort;
  if (!port) return;
  const { opts, setup, index, n } = workerData as ShardData;
  const analysis = new Analysis(opts, setup);
  port.on('message', (m: ToWorker) => {
    if (m.type === 'batch') {
      pushShardBatch(analysis, batchFromMessage(m));
      const back: FromWorker = { ...m, type: 'done' };
      port.postMessage(back, [m.data, m.off, m.caplen, m.len, m.ts, m.linktype, m.iface]);
    } else if (m.type === 'finish') {
      port.postMessage({ type: 'result', result: analysis.finish(ownedBy(index, n)) } satisfies FromWorker);
    }
  });
}
