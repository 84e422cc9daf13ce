// Live capture through a `tcpdump -U -w -` child process (for hosts without the pcap addon): its
// stdout is parsed as a pcap stream; its statistics (asked for every second with SIGUSR1, and its
// exit summary) give the drop counters while it runs.
import { spawn, type ChildProcess } from 'node:child_process';
import { emptyBatch, type FrameBatch, type FrameSource, type SourceStats } from './frame.js';
import { openCaptureStream, type StreamFrameSource } from './file.js';
import { capNetRawError, isPermissionError } from './live-errors.js';

/**
 * tcpdump's statistics (info() in tcpdump.c): one line per item on exit, one line "tcpdump: N packets
 * captured, N packets received by filter, N packets dropped by kernel[, N packets dropped by
 * interface]" on SIGUSR1. Counters are cumulative: the last of each is the current one.
 */
const CAPTURED_RE = /(\d+) packets? captured/g;
const RECEIVED_RE = /(\d+) packets? received by filter/g;
const DROPPED_RE = /(\d+) packets? dropped by kernel/g;
const IFDROPPED_RE = /(\d+) packets? dropped by interface/g;
/** How often tcpdump is asked for its counters while it runs (SIGUSR1; tcpdump.c installs the handler before "listening on"). */
const STATS_EVERY_MS = 1000;
/** How long tcpdump may take to say "listening on" before openLive gives up. */
const START_TIMEOUT_MS = 10_000;

function last(re: RegExp, s: string): number | null {
  re.lastIndex = 0;
  let v: number | null = null;
  for (let m = re.exec(s); m !== null; m = re.exec(s)) v = Number(m[1]);
  return v;
}

/** Kernel + interface drops from tcpdump's latest statistics, or null if it printed none. */
export function parseTcpdumpDrops(stderr: string): number | null {
  const k = last(DROPPED_RE, stderr);
  if (k === null) return null;
  return k + (last(IFDROPPED_RE, stderr) ?? 0);
}

/**
 * Drops in tcpdump's exit summary, plus what was still in its ring when it stopped: received by the
 * filter (which counts the kernel's drops too) but neither dropped nor captured.
 */
export function parseTcpdumpFinalDrops(stderr: string): number | null {
  const drops = parseTcpdumpDrops(stderr);
  if (drops === null) return null;
  const captured = last(CAPTURED_RE, stderr);
  const received = last(RECEIVED_RE, stderr);
  const kernel = last(DROPPED_RE, stderr)!;
  return drops + (captured !== null && received !== null ? Math.max(0, received - kernel - captured) : 0);
}

export class TcpdumpLiveSource implements FrameSource {
  readonly name: string;
  readonly backend = 'tcpdump';
  private readonly inner: StreamFrameSource;
  private stderr = '';
  private exited: Promise<void>;
  private exitCode: number | null = null;
  private killTimer: NodeJS.Timeout | null = null;
  private statsTimer: NodeJS.Timeout | null = null;
  /** Resolves the iterator's wait when tcpdump reports more drops (see the iterator). */
  private dropsNews: (() => void) | null = null;
  /** stats.dropped when the consumer was last given an empty batch to hand the drop count on. */
  private newsAt = 0;

  constructor(private readonly child: ChildProcess, iface: string) {
    this.name = `live:${iface}`;
    if (child.stdout === null || child.stderr === null) throw new Error('tcpdump child without pipes');
    this.inner = openCaptureStream(child.stdout, this.name);
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (s: string) => {
      // Keep the tail only: the summary comes last.
      this.stderr = (this.stderr + s).slice(-8192);
      // Drops reach stats.dropped (sensor_stats, /metrics) as tcpdump reports them, not only at exit.
      if (this.statsTimer !== null && /dropped by kernel/.test(s)) {
        const d = parseTcpdumpDrops(this.stderr);
        if (d !== null && d > (this.inner.stats.dropped ?? 0)) {
          this.inner.stats.dropped = d;
          const news = this.dropsNews;
          this.dropsNews = null;
          news?.();
        }
      }
    });
    this.exited = new Promise((resolve) => {
      child.once('close', (code) => {
        this.exitCode = code;
        if (this.killTimer !== null) clearTimeout(this.killTimer);
        if (this.statsTimer !== null) { clearInterval(this.statsTimer); this.statsTimer = null; }
        resolve();
      });
    });
  }

  /** Resolves once tcpdump reports it is listening; rejects with its reason if it exits first. */
  started(): Promise<void> {
    return new Promise((resolve, reject) => {
      const done = (err?: Error) => {
        clearTimeout(t);
        this.child.stderr?.off('data', onData);
        this.child.off('close', onClose);
        if (err) reject(err);
        else resolve();
      };
      const onData = () => {
        if (!/listening on /.test(this.stderr) || this.statsTimer !== null) return;
        this.inner.stats.dropped = 0;
        this.statsTimer = setInterval(() => {
          if (this.killTimer === null && this.exitCode === null) this.child.kill('SIGUSR1');
        }, STATS_EVERY_MS);
        this.statsTimer.unref();
        done();
      };
      const onClose = () => {
        // 'close' fires after stderr has ended, so the whole message is in this.stderr.
        const msg = this.stderr.trim() || `tcpdump exited with code ${this.exitCode}`;
        done(isPermissionError(msg) ? capNetRawError('tcpdump', msg) : new Error(`cannot capture with tcpdump: ${msg}`));
      };
      const t = setTimeout(() => {
        this.close();
        done(new Error(`tcpdump did not start listening within ${START_TIMEOUT_MS / 1000} s: ${this.stderr.trim()}`));
      }, START_TIMEOUT_MS);
      this.child.stderr?.on('data', onData);
      this.child.once('close', onClose);
      onData();
    });
  }

  get stats(): SourceStats {
    return this.inner.stats;
  }

  /** Stop tcpdump: it flushes what it has, prints its summary and exits; the iteration then ends. */
  close(): void {
    if (this.exitCode !== null || this.child.exitCode !== null || this.child.signalCode !== null) return;
    if (this.killTimer !== null) return;
    if (this.statsTimer !== null) { clearInterval(this.statsTimer); this.statsTimer = null; }
    this.child.kill('SIGTERM');
    this.killTimer = setTimeout(() => this.child.kill('SIGKILL'), 3000);
    this.killTimer.unref();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<FrameBatch> {
    let it: AsyncIterator<FrameBatch> | null = null;
    try {
      // Batches as they come; and an empty one when tcpdump reports new drops while no packet is coming
      // (the loss was the last burst), so the consumer hands the count on now, not at the next packet.
      it = this.inner[Symbol.asyncIterator]();
      let pending = it.next();
      for (;;) {
        const dropped = this.inner.stats.dropped ?? 0;
        if (dropped > this.newsAt) {
          this.newsAt = dropped;
          yield emptyBatch();
          continue;
        }
        const news = new Promise<null>((resolve) => { this.dropsNews = () => resolve(null); });
        const r = await Promise.race([pending, news]);
        if (r === null) continue; // new drops: handed on at the top of the loop
        this.dropsNews = null;
        if (r.done) break;
        yield r.value;
        pending = it.next();
      }
      await this.exited;
      const drops = parseTcpdumpFinalDrops(this.stderr);
      if (drops !== null) this.stats.dropped = drops;
      // A tcpdump that died on its own (interface gone, ...) is an error, a closed one is not.
      if (this.killTimer === null && this.exitCode !== 0 && this.stats.error === null) {
        this.stats.error = `tcpdump exited with code ${this.exitCode}: ${this.stderr.trim().split('\n').slice(-3).join(' / ')}`;
      }
    } finally {
      this.close();
    }
  }
}

/**
 * Start `tcpdump -U -w - -i IF -s SNAPLEN [-p] [filter]` and resolve once it is listening.
 * `-U` flushes each packet to the pipe at once; `-p` turns promiscuous mode off.
 */
export async function openTcpdumpLive(o: { iface: string; filter?: string; snaplen: number; promisc: boolean; tcpdump: string; bufferSize?: number; immediate?: boolean }): Promise<TcpdumpLiveSource> {
  const args = ['-U', '-w', '-', '-i', o.iface, '-s', String(o.snaplen)];
  if (!o.promisc) args.push('-p');
  // -B is in KiB (tcpdump(1)); the same kernel ring the addon gets.
  if (o.bufferSize !== undefined) args.push('-B', String(Math.max(1, Math.round(o.bufferSize / 1024))));
  if (o.immediate) args.push('--immediate-mode');
  if (o.filter !== undefined && o.filter.trim() !== '') args.push('--', o.filter);
  const child = spawn(o.tcpdump, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const spawned = await new Promise<Error | null>((resolve) => {
    child.once('spawn', () => resolve(null));
    child.once('error', (err) => resolve(err));
  });
  if (spawned !== null) throw new Error(`cannot run ${o.tcpdump}: ${spawned.message}`);
  const src = new TcpdumpLiveSource(child, o.iface);
  await src.started();
  return src;
}
