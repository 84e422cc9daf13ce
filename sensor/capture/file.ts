// Capture files and streams (a file, or stdin fed by `tcpdump -U -w -`) as frame sources, read in
// large chunks so that a multi-GB capture never sits in memory.
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import type { Frame, FrameSource, SourceStats } from './frame.js';
import { AutoParser } from './detect.js';

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

  async *[Symbol.asyncIterator](): AsyncIterator<Frame[]> {
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
 * A pcap or pcapng file, format by magic. Never throws: a missing or unreadable file, a bad magic or a
 * truncated/corrupt record ends the iteration early with the reason in stats.error (frames before it
 * are delivered).
 */
export function openCaptureFile(path: string): StreamFrameSource {
  return new StreamFrameSource(path, () => createReadStream(path, { highWaterMark: FILE_CHUNK }));
}

/**
 * A pcap/pcapng byte stream, e.g. process.stdin fed by `tcpdump -U -w -` (also through
 * `ssh root@router tcpdump -i br-lan -U -w - not port 22`). Same error rules as openCaptureFile.
 */
export function openCaptureStream(readable: NodeJS.ReadableStream, name: string): StreamFrameSource {
  return new StreamFrameSource(name, () => (readable instanceof Readable ? readable : new Readable().wrap(readable)));
}
