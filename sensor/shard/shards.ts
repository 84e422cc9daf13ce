// The capture thread's side of a sharded analysis: every frame goes to the shard of the device it
// belongs to (key.ts), copied into that shard's batch; a full batch is handed to the shard's worker
// thread with its buffers (transferred, not copied again) and comes back empty to be filled anew.
//
// Each shard runs what a single-threaded analysis runs (Analysis: pipeline, inventory, rule engine)
// on its share of the devices, the first on this thread and the others in worker threads; at the end
// their results are merged (merge.ts). Back-pressure: a shard holds at most MAX_IN_FLIGHT batches, so
// a slow shard slows the reader instead of filling memory.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { FrameBatch } from '../capture/frame.js';
import { DEFAULT_LOCAL_NETS, LocalNets } from '../addr.js';
import { Analysis, type AnalysisResult, type AnalyzeOptions, type analysisSetup } from '../analyze.js';
import { projectPath } from '../paths.js';
import { copyTo, macHashOf, ownerHash, shardOf } from './key.js';

/** Bytes and frames of one shard batch: big enough that a hand-over (~20 us) is rare, small enough to keep shards busy. */
const BATCH_BYTES = 1 << 20;
const BATCH_FRAMES = 8192;
/** Batches a shard may have waiting; the reader waits beyond this. */
const MAX_IN_FLIGHT = 4;
/**
 * A frame's iface with this bit set is a copy (key.ts copyTo): its shard learns from it what a single
 * thread would, but does not count it among the packets read (its owner shard does).
 */
export const COPY_FLAG = 1 << 30;
/**
 * A frame of this link type is no frame but the capture's time (every CLOCK_EVERY_US of it) reaching a
 * shard: flows expire, counters flush and the baseline's watched clock moves there as on one thread,
 * even while that shard's own devices are quiet.
 */
export const CLOCK_MARK = -1;
const CLOCK_EVERY_US = 1_000_000;

/** What crosses to a worker: a batch's bytes and arrays, as transferable buffers. */
export interface BatchMessage {
  type: 'batch';
  length: number;
  data: ArrayBuffer;
  off: ArrayBuffer;
  caplen: ArrayBuffer;
  len: ArrayBuffer;
  ts: ArrayBuffer;
  linktype: ArrayBuffer;
  iface: ArrayBuffer;
}

/** What a shard's worker starts with. */
export interface ShardData {
  /** Tells the program entry (sensor/waakhond.ts) to run a shard, not the command line. */
  waakhondShard: true;
  opts: AnalyzeOptions;
  setup: ReturnType<typeof analysisSetup>;
  index: number;
  n: number;
}

/** Whether shard i of n owns a device (its MAC hashes there: key.ts). */
export function ownedBy(i: number, n: number): (mac: string) => boolean {
  return (mac) => shardOf(macHashOf(mac), n) === i;
}

export type ToWorker = BatchMessage | { type: 'finish' };
export type FromWorker = (Omit<BatchMessage, 'type'> & { type: 'done' }) | { type: 'result'; result: AnalysisResult };

/** A shard batch's buffers as a FrameBatch (the worker's side) or as a message (the reader's). */
export function batchFromMessage(m: Omit<BatchMessage, 'type'>): FrameBatch {
  const b = new FrameBatch(new Uint8Array(m.data), 1);
  b.off = new Int32Array(m.off);
  b.caplen = new Int32Array(m.caplen);
  b.len = new Float64Array(m.len);
  b.ts = new Float64Array(m.ts);
  b.linktype = new Int32Array(m.linktype);
  b.iface = new Int32Array(m.iface);
  b.length = m.length;
  return b;
}

function messageOf(b: FrameBatch): BatchMessage {
  return {
    type: 'batch', length: b.length, data: b.data.buffer as ArrayBuffer, off: b.off.buffer as ArrayBuffer, caplen: b.caplen.buffer as ArrayBuffer,
    len: b.len.buffer as ArrayBuffer, ts: b.ts.buffer as ArrayBuffer, linktype: b.linktype.buffer as ArrayBuffer, iface: b.iface.buffer as ArrayBuffer,
  };
}

function transferOf(m: Omit<BatchMessage, 'type'>): ArrayBuffer[] {
  return [m.data, m.off, m.caplen, m.len, m.ts, m.linktype, m.iface];
}

function newBatch(bytes: number): FrameBatch {
  return new FrameBatch(new Uint8Array(bytes), BATCH_FRAMES);
}

/**
 * A shard's batch through its analysis. A copy (COPY_FLAG) goes through the pipeline like any frame,
 * so flows and rooms see both directions, but the packet counters it moved are put back: the frame
 * is counted once, by its owner shard.
 */
export function pushShardBatch(a: Analysis, b: FrameBatch): void {
  const st = a.pipeline.stats;
  let from = 0;
  for (let i = 0; i < b.length; i++) {
    if (b.linktype[i] === CLOCK_MARK) {
      if (from < i) a.pipeline.pushBatch(b, from, i);
      a.clock(b.ts[i]);
      from = i + 1;
      continue;
    }
    if ((b.iface[i] & COPY_FLAG) === 0) continue;
    if (from < i) a.pipeline.pushBatch(b, from, i);
    const { packets, bytes, malformed, unsupported_link, ip_fragments, tunneled, tunnel_too_deep, unparsed } = st;
    b.iface[i] &= ~COPY_FLAG;
    a.pipeline.pushBatch(b, i, i + 1);
    st.packets = packets; st.bytes = bytes; st.malformed = malformed; st.unsupported_link = unsupported_link;
    st.ip_fragments = ip_fragments; st.tunneled = tunneled; st.tunnel_too_deep = tunnel_too_deep; st.unparsed = unparsed;
    from = i + 1;
  }
  if (from < b.length) a.pipeline.pushBatch(b, from, b.length);
}

/** Where one shard's work is done: a worker thread, or an Analysis on this thread (the first shard; all of them in tests). */
interface Lane {
  fill: FrameBatch;
  /** Emptied batches back from the worker, to fill again. */
  spare: FrameBatch[];
  inFlight: number;
  wake: (() => void) | null;
  worker: Worker | null;
  local: Analysis | null;
  result: Promise<AnalysisResult> | null;
  failed: Error | null;
}

export class Shards {
  private readonly lanes: Lane[] = [];
  private readonly local: LocalNets;
  /** IPv6 prefixes are learnt from router advertisements unless the home networks were given (as Pipeline). */
  private readonly learn6: boolean;
  private nextClock = -Infinity;
  /** The capture's latest time: every shard ends at it, as one thread's counters and flows would. */
  private lastTs = NaN;
  /** The first frame's time (in file order, as one thread's first_packet: not the earliest of the shards'). */
  firstTs: number | null = null;

  /** workerUrl: the program to start as each shard's worker (default: this program, see workerFile). */
  constructor(readonly n: number, opts: AnalyzeOptions, setup: ReturnType<typeof analysisSetup>, inProcess: boolean, private readonly workerUrl: URL = workerFile()) {
    this.local = new LocalNets(opts.localNets ?? DEFAULT_LOCAL_NETS);
    this.learn6 = opts.localNets === undefined;
    const shardOpts: AnalyzeOptions = { localNets: opts.localNets, maxFlows: opts.maxFlows, hold: opts.hold };
    for (let i = 0; i < n; i++) {
      const lane: Lane = { fill: newBatch(BATCH_BYTES), spare: [], inFlight: 0, wake: null, worker: null, local: null, result: null, failed: null };
      // Shard 0 runs on this thread between reads: one isolate fewer to start, compile and feed.
      if (inProcess || i === 0) lane.local = new Analysis(shardOpts, setup);
      else this.startWorker(lane, shardOpts, setup, i);
      this.lanes.push(lane);
    }
  }

  private startWorker(lane: Lane, opts: AnalyzeOptions, setup: ReturnType<typeof analysisSetup>, index: number): void {
    const w = new Worker(this.workerUrl, { workerData: { waakhondShard: true, opts, setup, index, n: this.n } satisfies ShardData });
    lane.worker = w;
    lane.result = new Promise<AnalysisResult>((resolve, reject) => {
      w.on('message', (m: FromWorker) => {
        if (m.type === 'done') {
          lane.inFlight--;
          lane.spare.push(batchFromMessage(m));
          const wake = lane.wake;
          lane.wake = null;
          wake?.();
        } else if (m.type === 'result') resolve(m.result);
      });
      const fail = (err: Error) => {
        lane.failed = err;
        reject(err);
        const wake = lane.wake;
        lane.wake = null;
        wake?.();
      };
      w.on('error', fail);
      w.on('exit', (code) => fail(new Error(`analysis thread stopped (exit ${code})`)));
    });
    // Unhandled until finish() awaits it: a failure is seen by the next push or by finish.
    lane.result.catch(() => undefined);
  }

  /** A capture's batch: every frame copied to its shard; returns when no shard is over its backlog. */
  async push(b: FrameBatch): Promise<void> {
    const lanes = this.lanes;
    const n = this.n;
    const data = b.data;
    for (let i = 0; i < b.length; i++) {
      const off = b.off[i];
      const caplen = b.caplen[i];
      const s = shardOf(ownerHash(data, off, off + caplen, b.linktype[i], this.local, this.learn6), n);
      const copy = copyTo.hash < 0 ? -1 : shardOf(copyTo.hash, n);
      const ts = b.ts[i];
      if (!(ts <= this.lastTs)) this.lastTs = ts;
      this.firstTs ??= ts;
      if (ts >= this.nextClock) {
        this.nextClock = ts + CLOCK_EVERY_US;
        for (let k = 0; k < n; k++) {
          if (k === s || k === copy) continue;
          if (this.full(lanes[k], 0)) await this.send(lanes[k]);
          lanes[k].fill.add(this.end(lanes[k].fill), 0, 0, ts, CLOCK_MARK, 0);
        }
      }
      const lane = lanes[s];
      if (this.full(lane, caplen)) await this.send(lane);
      this.put(lane, b, i, b.iface[i]);
      if (copy >= 0 && copy !== s) {
        const other = lanes[copy];
        if (this.full(other, caplen)) await this.send(other);
        this.put(other, b, i, b.iface[i] | COPY_FLAG);
      }
    }
  }

  /** Whether the lane's batch must go before a frame of caplen bytes fits. */
  private full(lane: Lane, caplen: number): boolean {
    const f = lane.fill;
    if (f.length === 0) return false;
    return f.length === BATCH_FRAMES || this.end(f) + caplen > f.data.length;
  }

  /** Where the next frame's bytes go in a batch. */
  private end(f: FrameBatch): number {
    const n = f.length;
    return n === 0 ? 0 : f.off[n - 1] + f.caplen[n - 1];
  }

  /** Frame i of b appended to the lane's batch (which has room: see full()). */
  private put(lane: Lane, b: FrameBatch, i: number, iface: number): void {
    const off = b.off[i];
    const caplen = b.caplen[i];
    let f = lane.fill;
    const at = this.end(f);
    // A frame bigger than a batch's bytes (jumbo, 256 KiB snaplen) gets a batch of its own size.
    if (f.length === 0 && caplen > f.data.length) f = lane.fill = newBatch(caplen);
    const src = b.data;
    const dst = f.data;
    // Most frames are small (ACKs, DNS, SYNs): a loop beats a native call and its view; big ones are copied natively.
    if (caplen <= 128) for (let k = 0; k < caplen; k++) dst[at + k] = src[off + k];
    else dst.set(src.subarray(off, off + caplen), at);
    f.add(at, caplen, b.len[i], b.ts[i], b.linktype[i], iface);
  }

  /** Hands the lane's batch to its shard and takes an empty one, waiting while the shard is behind. */
  private async send(lane: Lane): Promise<void> {
    const f = lane.fill;
    if (lane.local) {
      pushShardBatch(lane.local, f);
      f.length = 0;
      return;
    }
    while (lane.inFlight >= MAX_IN_FLIGHT && lane.failed === null) await new Promise<void>((resolve) => { lane.wake = resolve; });
    if (lane.failed) throw lane.failed;
    const m = messageOf(f);
    lane.worker!.postMessage(m, transferOf(m));
    lane.inFlight++;
    const spare = lane.spare.pop();
    if (spare) spare.length = 0;
    lane.fill = spare ?? newBatch(BATCH_BYTES);
  }

  /** End of the capture: the last batches go out, and every shard's result comes back. */
  async finish(): Promise<AnalysisResult[]> {
    const out: AnalysisResult[] = [];
    for (const lane of this.lanes) {
      if (this.lastTs === this.lastTs) {
        if (this.full(lane, 0)) await this.send(lane);
        lane.fill.add(this.end(lane.fill), 0, 0, this.lastTs, CLOCK_MARK, 0);
      }
      if (lane.fill.length > 0) await this.send(lane);
    }
    for (let i = 0; i < this.n; i++) {
      const lane = this.lanes[i];
      if (lane.local) out.push(lane.local.finish(ownedBy(i, this.n)));
      else {
        lane.worker!.postMessage({ type: 'finish' } satisfies ToWorker);
        out.push(await lane.result!);
      }
    }
    return out;
  }

  async close(): Promise<void> {
    await Promise.all(this.lanes.map((l) => (l.worker ? l.worker.terminate() : undefined)));
  }
}

/**
 * The program itself (dist/waakhond.mjs, or the install bundle's one file), which runs a shard when
 * started as a worker (sensor/waakhond.ts). Chunks sit beside it in dist/; from the sources (tests),
 * the build's.
 */
function workerFile(): URL {
  const beside = new URL('./waakhond.mjs', import.meta.url);
  if (existsSync(fileURLToPath(beside))) return beside;
  return pathToFileURL(projectPath('dist', 'waakhond.mjs'));
}
