// One interface for every capture source: an async iterable of batches of frames.
//
// Why batches: an async iteration step costs a promise; yielding one frame at a time would cap
// the reader far below tcpdump's rate. Sources yield one FrameBatch per chunk read.
//
// Why a FrameBatch and not an array of frames: one buffer plus typed arrays (offset, captured and
// wire length, time, link type per frame) costs no JS object and no Uint8Array view per packet. On
// a bulk download those were ~14% of the time plus ~10% in the GC (issue #15). Frame stays the
// shape tests and small tools build by hand; FrameBatch.fromFrames() and frame(i) convert.

/** LINKTYPE_* values from the tcpdump.org link-layer header registry. */
export const LINKTYPE_ETHERNET = 1;
export const LINKTYPE_RAW = 101;
export const LINKTYPE_LINUX_SLL = 113;
export const LINKTYPE_LINUX_SLL2 = 276;
/** LINKTYPE_IPV4 / LINKTYPE_IPV6: raw IP with a fixed version. */
export const LINKTYPE_IPV4 = 228;
export const LINKTYPE_IPV6 = 229;
/** DLT_RAW on some BSDs/OpenBSD writes 12 or 14 into files. */
export const LINKTYPE_RAW_ALT12 = 12;
export const LINKTYPE_RAW_ALT14 = 14;
/** DLT_NULL / LOOP: 4-byte address family header (loopback captures). */
export const LINKTYPE_NULL = 0;
export const LINKTYPE_LOOP = 108;

export interface Frame {
  /** Capture time, microseconds since the Unix epoch. */
  ts: number;
  /** Original length on the wire. */
  len: number;
  /** Captured bytes (may be shorter than len: snaplen). A view into the reader's chunk: copy it to keep it. */
  data: Uint8Array;
  /** LINKTYPE_* of this frame's interface. */
  linktype: number;
  /** Interface index (pcapng) or 0. */
  iface: number;
}

/** Counters every source keeps; read them at any time. */
export interface SourceStats {
  frames: number;
  bytes: number;
  /** Records that could not be read (truncated or corrupt); the source stops or resyncs. */
  bad_records: number;
  /** Frames dropped by the kernel or libpcap, if the source knows. */
  dropped: number | null;
  /** A fatal error that ended the source early (truncated file, bad magic), if any. */
  error: string | null;
}

/**
 * The frames read from one chunk: frame i is data[off[i] .. off[i] + caplen[i]). The bytes view the
 * source's buffer: valid as long as the source says (see its docs); copy what you keep longer.
 * `length` and iteration (which makes a Frame per frame: for tests and tools, not the hot path) read
 * like the Frame[] batches sources used to yield.
 */
export class FrameBatch {
  /** Frames in the batch. */
  length = 0;
  /** Start of each frame in data. */
  off: Int32Array;
  /** Captured bytes of each frame (may be shorter than len: snaplen). */
  caplen: Int32Array;
  /** Original length on the wire. */
  len: Float64Array;
  /** Capture time, microseconds since the Unix epoch. */
  ts: Float64Array;
  /** LINKTYPE_* of the frame's interface. */
  linktype: Int32Array;
  /** Interface index (pcapng) or 0. */
  iface: Int32Array;

  /** `data` holds the frames' bytes; `capacity` is a first guess at the frame count (add() grows the arrays). */
  constructor(public data: Uint8Array, capacity = 64) {
    const n = Math.max(1, capacity | 0);
    this.off = new Int32Array(n);
    this.caplen = new Int32Array(n);
    this.len = new Float64Array(n);
    this.ts = new Float64Array(n);
    this.linktype = new Int32Array(n);
    this.iface = new Int32Array(n);
  }

  /** Appends a frame whose bytes are data[off .. off + caplen). */
  add(off: number, caplen: number, len: number, ts: number, linktype: number, iface: number): void {
    const i = this.length;
    if (i === this.off.length) this.grow(i * 2);
    this.off[i] = off;
    this.caplen[i] = caplen;
    this.len[i] = len;
    this.ts[i] = ts;
    this.linktype[i] = linktype;
    this.iface[i] = iface;
    this.length = i + 1;
  }

  private grow(n: number): void {
    const grow = <T extends Int32Array | Float64Array>(a: T, make: (n: number) => T): T => {
      const b = make(n);
      b.set(a);
      return b;
    };
    this.off = grow(this.off, (k) => new Int32Array(k));
    this.caplen = grow(this.caplen, (k) => new Int32Array(k));
    this.len = grow(this.len, (k) => new Float64Array(k));
    this.ts = grow(this.ts, (k) => new Float64Array(k));
    this.linktype = grow(this.linktype, (k) => new Int32Array(k));
    this.iface = grow(this.iface, (k) => new Int32Array(k));
  }

  /** Frame i as an object whose data views this batch's bytes (allocates: not for the per-packet path). */
  frame(i: number): Frame {
    const o = this.off[i];
    return { ts: this.ts[i], len: this.len[i], data: this.data.subarray(o, o + this.caplen[i]), linktype: this.linktype[i], iface: this.iface[i] };
  }

  *[Symbol.iterator](): IterableIterator<Frame> {
    for (let i = 0; i < this.length; i++) yield this.frame(i);
  }

  /** Frames start..end (as Array.slice) sharing this batch's bytes and arrays: no copy. */
  slice(start = 0, end = this.length): FrameBatch {
    const s = Math.max(0, Math.min(this.length, start < 0 ? this.length + start : start));
    const e = Math.max(s, Math.min(this.length, end < 0 ? this.length + end : end));
    const b = new FrameBatch(this.data, 1);
    b.off = this.off.subarray(s, e);
    b.caplen = this.caplen.subarray(s, e);
    b.len = this.len.subarray(s, e);
    b.ts = this.ts.subarray(s, e);
    b.linktype = this.linktype.subarray(s, e);
    b.iface = this.iface.subarray(s, e);
    b.length = e - s;
    return b;
  }

  /** A batch of hand-built frames: their bytes are copied into one buffer. */
  static fromFrames(frames: readonly Frame[]): FrameBatch {
    let bytes = 0;
    for (const f of frames) bytes += f.data.length;
    const data = new Uint8Array(bytes);
    const b = new FrameBatch(data, frames.length);
    let o = 0;
    for (const f of frames) {
      data.set(f.data, o);
      b.add(o, f.data.length, f.len, f.ts, f.linktype, f.iface);
      o += f.data.length;
    }
    return b;
  }
}

/** A batch with no frames (a live source telling of new drops while no packet comes). */
export function emptyBatch(): FrameBatch {
  return new FrameBatch(new Uint8Array(0), 1);
}

export interface FrameSource extends AsyncIterable<FrameBatch> {
  readonly name: string;
  readonly stats: SourceStats;
  /** Stop reading (live sources: stop capturing); the iterator then ends. */
  close(): Promise<void> | void;
}

export function newSourceStats(): SourceStats {
  return { frames: 0, bytes: 0, bad_records: 0, dropped: null, error: null };
}
