// One interface for every capture source: an async iterable of batches of frames.
//
// Why batches: an async iteration step costs a promise; yielding one frame at a time would cap
// the reader far below tcpdump's rate. Sources yield arrays of frames read from one chunk.

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

export interface FrameSource extends AsyncIterable<Frame[]> {
  readonly name: string;
  readonly stats: SourceStats;
  /** Stop reading (live sources: stop capturing); the iterator then ends. */
  close(): Promise<void> | void;
}

export function newSourceStats(): SourceStats {
  return { frames: 0, bytes: 0, bad_records: 0, dropped: null, error: null };
}
