// Base for capture-file parsers fed by chunks: joins a record split across chunks and turns a
// partial record left at end of input into a clear error, so each format only parses whole records.
import { emptyBatch, FrameBatch, newSourceStats, type SourceStats } from './frame.js';

/** A streaming capture parser: feed chunks in file order, then call end(). */
export interface CaptureParser {
  /**
   * Parse one more chunk and return the frames completed by it. The batch's bytes are the chunk (or a
   * buffer joining the previous chunk's tail with it): valid as long as the caller keeps the chunk.
   */
  push(chunk: Uint8Array): FrameBatch;
  /** End of input: a partial record or header left over becomes stats.error. */
  end(): void;
  /**
   * Parse the whole records at the start of buf and keep nothing: the caller hands the unconsumed
   * tail (buf.subarray(used)) back at the start of the next buffer. Lets a file reader reuse its
   * buffers instead of allocating one per chunk; `into`, a batch the caller is done with, is emptied
   * and filled again (its arrays reused) instead of a new one.
   */
  pushWhole(buf: Uint8Array, into?: FrameBatch): { frames: FrameBatch; used: number };
  /** End of input for pushWhole(): `leftover` bytes were never consumed. */
  endWhole(leftover: number): void;
  /** True once a fatal error stopped the parser; later chunks are ignored. */
  readonly failed: boolean;
  readonly stats: SourceStats;
}

/** Largest record or block we buffer: above this a length field is taken as corrupt (libpcap's biggest per-DLT limit is 128 MiB for D-Bus; none of our link types comes near 16 MiB). */
export const MAX_RECORD = 16 * 1024 * 1024;

/** libpcap's MAXIMUM_SNAPLEN: captured lengths above it (and above the file's snaplen) are corrupt. */
export const MAXIMUM_SNAPLEN = 262144;

export abstract class ChunkParser implements CaptureParser {
  readonly stats: SourceStats = newSourceStats();
  failed = false;
  /** Unparsed tail of the previous chunk (the start of a record split across chunks). */
  private carry: Uint8Array | null = null;
  /** File offset of the first byte of the buffer handed to parse(). */
  protected base = 0;
  /** Frames in the last batch: the next batch's arrays start that big (chunks of a file are alike). */
  private lastCount = 0;

  private newBatch(buf: Uint8Array): FrameBatch {
    // No more than the chunk can hold (a record is at least 16 bytes): a stream fed packet by packet
    // (`tcpdump -U -w -` on a quiet link) must not allocate arrays for hundreds of frames per packet.
    return new FrameBatch(buf, Math.min(Math.max(16, this.lastCount + (this.lastCount >> 3)), (buf.length >> 4) + 1));
  }

  push(chunk: Uint8Array): FrameBatch {
    if (this.failed || chunk.length === 0) return emptyBatch();
    let buf = chunk;
    const carry = this.carry;
    if (carry !== null) {
      // One copy per chunk only while a record straddles the boundary; the frames of this chunk then
      // view the joined buffer. Cheaper and simpler than stitching just the straddling record.
      const joined = new Uint8Array(carry.length + chunk.length);
      joined.set(carry, 0);
      joined.set(chunk, carry.length);
      buf = joined;
      this.carry = null;
    }
    const out = this.newBatch(buf);
    const used = this.parse(buf, out);
    this.lastCount = out.length;
    if (!this.failed && used < buf.length) this.carry = buf.subarray(used);
    this.base += used;
    return out;
  }

  pushWhole(buf: Uint8Array, into?: FrameBatch): { frames: FrameBatch; used: number } {
    if (this.failed || buf.length === 0) return { frames: emptyBatch(), used: 0 };
    let out: FrameBatch;
    if (into === undefined) out = this.newBatch(buf);
    else {
      out = into;
      out.data = buf;
      out.length = 0;
    }
    const used = this.parse(buf, out);
    this.lastCount = out.length;
    this.base += used;
    return { frames: out, used };
  }

  end(): void {
    const left = this.carry === null ? 0 : this.carry.length;
    this.carry = null;
    this.endWhole(left);
  }

  endWhole(left: number): void {
    if (this.failed) return;
    if (left > 0 || !this.headerDone()) {
      if (left === 0 && this.base === 0) {
        this.fail('empty capture: no file header');
        return;
      }
      this.stats.bad_records += this.headerDone() ? 1 : 0;
      this.fail(this.headerDone() ? `${this.truncatedWhat()} at byte ${this.base}: ${left} bytes left at end of file` : `truncated file header at byte ${this.base}: ${left} bytes`);
    }
  }

  /** Stop with a fatal error (the first one wins). */
  protected fail(msg: string): void {
    if (this.failed) return;
    this.failed = true;
    this.stats.error = msg;
    this.carry = null;
  }

  /** A record at file offset `at` is corrupt: count it and stop. */
  protected corrupt(at: number, why: string): void {
    this.stats.bad_records++;
    this.fail(`corrupt record at byte ${at}: ${why}`);
  }

  /** Parse whole records from buf into out (whose data is buf); return how many bytes were consumed. */
  protected abstract parse(buf: Uint8Array, out: FrameBatch): number;
  /** Whether the file header (pcap) or first section header (pcapng) has been read. */
  protected abstract headerDone(): boolean;
  /** Noun for a partial unit at end of file ("truncated record"). */
  protected truncatedWhat(): string {
    return 'truncated record';
  }
}
