// Capture files and streams (a file, or stdin fed by `tcpdump -U -w -`) as frame sources, read in
// large chunks so that a multi-GB capture never sits in memory.
import { open, type FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { FrameBatch, FrameSource, SourceStats } from './frame.js';
import { AutoParser } from './detect.js';
import { MAXIMUM_SNAPLEN } from './chunked.js';

/** Chunk size for files: large chunks keep the per-chunk overhead (one promise, one batch) negligible. */
export const FILE_CHUNK = 1 << 20;

/** A source that parses the byte chunks of a readable stream as pcap or pcapng. */
export class StreamFrameSource implements FrameSource {
  readonly name: string;
  private readonly parser = new AutoParser();
  private stream: Readable | null = null;
  private closed = false;
  private openError: string | null = null;
  private started = false;

  constructor(name: string, private readonly open: () => Readable) {
    this.name = name;
  }

  get stats(): SourceStats {
    const s = this.parser.stats;
    if (this.openError !== null && s.error === null) s.error = this.openError;
    return s;
  }

  /** 'pcap' or 'pcapng' once the first bytes are read. */
  get format(): 'pcap' | 'pcapng' | null {
    return this.parser.format;
  }

  close(): void {
    this.closed = true;
    this.stream?.destroy();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<FrameBatch> {
    if (this.started) throw new Error(`${this.name}: a frame source can be iterated only once`);
    this.started = true;
    if (this.closed) return;
    let stream: Readable;
    try {
      stream = this.open();
    } catch (err) {
      this.openError = `cannot read ${this.name}: ${errMessage(err)}`;
      return;
    }
    this.stream = stream;
    const parser = this.parser;
    try {
      for await (const chunk of stream) {
        if (this.closed) break;
        const frames = parser.push(typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : (chunk as Uint8Array));
        if (frames.length > 0) yield frames;
        if (parser.failed) break;
      }
      if (!this.closed) parser.end();
    } catch (err) {
      // A read error (EACCES, EISDIR, a vanished file, a broken pipe) ends the source with a reason, not a throw.
      if (!this.closed) {
        this.openError = `cannot read ${this.name}: ${errMessage(err)}`;
        if (parser.stats.error === null) parser.stats.error = this.openError;
      }
    } finally {
      stream.destroy();
    }
  }
}

function errMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Room kept in front of each read so the record split at the previous chunk's end can be copied in
 * front of the new bytes: libpcap's largest snaplen plus the largest record header. Longer pcapng
 * blocks (rare) are joined in a fresh buffer instead.
 */
const HEADROOM = MAXIMUM_SNAPLEN + 64;

/**
 * Chunks read ahead of the one being processed. One left the reading thread idle from the end of
 * each read until the parser had finished the chunk before and asked again; with two the next read
 * is already queued (a thread-pool round trip costs ~20-75 µs per read on the 2-core test machine).
 * analyze --json of the 1 GB bulk capture, medians of 7 interleaved runs: 1 ahead 0.61 s, 2 ahead
 * 0.56 s, 3 ahead 0.60 s (five 1.25 MiB buffers start to crowd the cache).
 */
const READ_AHEAD = 2;

/**
 * A capture file read with positional reads into READ_AHEAD + 2 buffers used in turn, so that reading
 * a multi-GB file allocates nothing per chunk (a fresh 1 MiB buffer per chunk left ~70 MB of
 * external memory waiting for the GC). The next chunks are read ahead (in libuv's thread pool) while
 * the current one is parsed and processed, so the disk or page cache and the parser work at once.
 * The record split at a chunk's end is copied in front of the next chunk's bytes.
 *
 * A batch (its bytes and its arrays) stays valid while that batch and the next one are processed:
 * its buffer and the batch are reused later. Copy what you keep longer.
 */
export class FileFrameSource implements FrameSource {
  readonly name: string;
  private readonly parser = new AutoParser();
  private closed = false;
  private started = false;
  private ioError: string | null = null;

  /** Bytes read per chunk (FILE_CHUNK unless given; see openCaptureFile). */
  private readonly chunk: number;

  constructor(readonly path: string, opts: { chunkBytes?: number } = {}) {
    this.name = path;
    this.chunk = Math.max(1 << 12, Math.floor(opts.chunkBytes ?? FILE_CHUNK));
  }

  get stats(): SourceStats {
    const s = this.parser.stats;
    if (this.ioError !== null && s.error === null) s.error = this.ioError;
    return s;
  }

  get format(): 'pcap' | 'pcapng' | null {
    return this.parser.format;
  }

  close(): void {
    this.closed = true;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<FrameBatch> {
    if (this.started) throw new Error(`${this.name}: a frame source can be iterated only once`);
    this.started = true;
    if (this.closed) return;
    let fh: FileHandle;
    try {
      fh = await open(this.path, 'r');
    } catch (err) {
      this.ioError = `cannot read ${this.path}: ${errMessage(err)}`;
      return;
    }
    const parser = this.parser;
    const chunk = this.chunk;
    const nbufs = READ_AHEAD + 2;
    const bufs = Array.from({ length: nbufs }, () => new Uint8Array(HEADROOM + chunk));
    // The batch made from each buffer, refilled when the buffer comes round again (no typed arrays per chunk).
    const batches: (FrameBatch | undefined)[] = new Array(nbufs).fill(undefined);
    let which = 0;
    let carry: Uint8Array | null = null;
    // Reads in flight, oldest first: the chunks after the one being processed, each into its own buffer.
    const pending: { at: number; buf: number; read: Promise<{ bytesRead: number }> }[] = [];
    let nextAt = 0;
    let nextBuf = 0;
    const readMore = (): void => {
      while (pending.length < READ_AHEAD) {
        pending.push({ at: nextAt, buf: nextBuf, read: fh.read(bufs[nextBuf], HEADROOM, chunk, nextAt) });
        nextAt += chunk;
        nextBuf = nextBuf === nbufs - 1 ? 0 : nextBuf + 1;
      }
    };
    readMore();
    try {
      while (!this.closed && pending.length > 0) {
        const head = pending[0];
        const { bytesRead } = await head.read;
        pending.shift();
        if (this.closed) break;
        which = head.buf;
        if (bytesRead > 0 && bytesRead < chunk) {
          // A short read (the end of the file, or a file still growing): the reads queued behind it
          // start past a gap. Drop them and go on from here (at the end that read says 0).
          for (const p of pending) await p.read.catch(() => undefined);
          pending.length = 0;
          nextAt = head.at + bytesRead;
          nextBuf = which === nbufs - 1 ? 0 : which + 1;
        }
        // Read ahead into the buffers after this one; the one before keeps the previous batch valid.
        if (bytesRead > 0) readMore();
        const buf = bufs[which];
        const left = carry === null ? 0 : carry.length;
        if (bytesRead === 0) {
          parser.endWhole(left);
          break;
        }
        let view: Uint8Array;
        if (carry === null) view = buf.subarray(HEADROOM, HEADROOM + bytesRead);
        else if (left <= HEADROOM) {
          buf.set(carry, HEADROOM - left);
          view = buf.subarray(HEADROOM - left, HEADROOM + bytesRead);
        } else {
          view = new Uint8Array(left + bytesRead);
          view.set(carry, 0);
          view.set(buf.subarray(HEADROOM, HEADROOM + bytesRead), left);
        }
        carry = null;
        const { frames, used } = parser.pushWhole(view, batches[which]);
        batches[which] = frames;
        if (used < view.length) carry = view.subarray(used);
        if (frames.length > 0) yield frames;
        if (parser.failed) break;
      }
    } catch (err) {
      // EISDIR, EIO, a file truncated under us: end with a reason, never a throw.
      if (!this.closed) this.ioError = `cannot read ${this.path}: ${errMessage(err)}`;
    } finally {
      // Reads still in flight must finish before the handle closes.
      for (const p of pending) await p.read.catch(() => undefined);
      await fh.close().catch(() => undefined);
    }
  }
}

/**
 * A pcap or pcapng file, format by magic. `chunkBytes` (default FILE_CHUNK): the daemon reads smaller
 * chunks, because what a chunk makes lives until the whole chunk is processed, and with the
 * launchers' 1 MB semi-spaces a 1 MiB chunk's ~15k frame objects outlived two scavenges and were
 * promoted, growing the old space (issue #14: ~6 MB of the daemon's peak on a 300-device home).
 * Frames are now rows of a FrameBatch, not objects, but the events of a chunk still live as long.
 * Never throws: a missing or unreadable file, a bad magic or a
 * truncated/corrupt record ends the iteration early with the reason in stats.error (frames before it
 * are delivered).
 */
export function openCaptureFile(path: string, opts: { chunkBytes?: number } = {}): FileFrameSource {
  return new FileFrameSource(path, opts);
}

/**
 * A pcap/pcapng byte stream, e.g. process.stdin fed by `tcpdump -U -w -` (also through
 * `ssh root@router tcpdump -i br-lan -U -w - not port 22`). Same error rules as openCaptureFile.
 */
export function openCaptureStream(readable: NodeJS.ReadableStream, name: string): StreamFrameSource {
  return new StreamFrameSource(name, () => (readable instanceof Readable ? readable : new Readable().wrap(readable)));
}
