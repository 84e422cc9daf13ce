// Live capture through a `tcpdump -U -w -` child process (for hosts without the pcap addon): its
// stdout is parsed as a pcap stream, its exit summary gives the kernel drop counter.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Frame, FrameSource, SourceStats } from './frame.js';
import { openCaptureStream, type StreamFrameSource } from './file.js';
import { capNetRawError, isPermissionError } from './live-errors.js';

/** tcpdump's summary line on exit (print_packets_dropped... in tcpdump.c: "%u packet(s) dropped by kernel"). */
const DROPPED_RE = /^(\d+) packets? dropped by kernel$/m;
const IFDROPPED_RE = /^(\d+) packets? dropped by interface$/m;
/** How long tcpdump may take to say "listening on" before openLive gives up. */
const START_TIMEOUT_MS = 10_000;

export function parseTcpdumpDrops(stderr: string): number | null {
  const k = DROPPED_RE.exec(stderr);
  if (k === null) return null;
  const i = IFDROPPED_RE.exec(stderr);
  return Number(k[1]) + (i === null ? 0 : Number(i[1]));
}

export class TcpdumpLiveSource implements FrameSource {
  readonly name: string;
  readonly backend = 'tcpdump';
  private readonly inner: StreamFrameSource;
  private stderr = '';
  private exited: Promise<void>;
  private exitCode: number | null = null;
  private killTimer: NodeJS.Timeout | null = null;

  constructor(private readonly child: ChildProcess, iface: string) {
    this.name = `live:${iface}`;
    if (child.stdout === null || child.stderr === null) throw new Error('tcpdump child without pipes');
    this.inner = openCaptureStream(child.stdout, this.name);
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (s: string) => {
      // Keep the tail only: the summary comes last.
      this.stderr = (this.stderr + s).slice(-8192);
    });
    this.exited = new Promise((resolve) => {
      child.once('close', (code) => {
        this.exitCode = code;
        if (this.killTimer !== null) clearTimeout(this.killTimer);
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
        if (/listening on /.test(this.stderr)) done();
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
    this.child.kill('SIGTERM');
    this.killTimer = setTimeout(() => this.child.kill('SIGKILL'), 3000);
    this.killTimer.unref();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Frame[]> {
    try {
      for await (const batch of this.inner) yield batch;
      await this.exited;
      const drops = parseTcpdumpDrops(this.stderr);
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
