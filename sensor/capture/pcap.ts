// Streaming parser for classic libpcap files (both byte orders, micro- and nanosecond timestamps).
//
// Format: draft-ietf-opsawg-pcap (File Header 24 bytes, Packet Record header 16 bytes), plus
// Kuznetzov's "modified" pcap (magic a1b2cd34, 24-byte record header) which tcpdump also reads.
import type { FrameBatch } from './frame.js';
import { ChunkParser, MAXIMUM_SNAPLEN, MAX_RECORD } from './chunked.js';

/** Magic numbers as read big-endian from the first 4 bytes. */
export const PCAP_MAGIC_US = 0xa1b2c3d4;
export const PCAP_MAGIC_NS = 0xa1b23c4d;
export const PCAP_MAGIC_MODIFIED = 0xa1b2cd34;
const PCAP_MAGIC_US_SWAPPED = 0xd4c3b2a1;
const PCAP_MAGIC_NS_SWAPPED = 0x4d3cb2a1;
const PCAP_MAGIC_MODIFIED_SWAPPED = 0x34cdb2a1;

const FILE_HEADER_LEN = 24;

/** True if the first 4 bytes (read big-endian) are a classic pcap magic in either byte order. */
export function isPcapMagic(m: number): boolean {
  return (
    m === PCAP_MAGIC_US || m === PCAP_MAGIC_NS || m === PCAP_MAGIC_MODIFIED ||
    m === PCAP_MAGIC_US_SWAPPED || m === PCAP_MAGIC_NS_SWAPPED || m === PCAP_MAGIC_MODIFIED_SWAPPED
  );
}

export class PcapParser extends ChunkParser {
  private haveHeader = false;
  /** Byte order of the file, fixed once from the magic. */
  private le = true;
  private nano = false;
  private recHeaderLen = 16;
  /** Largest acceptable incl_len: libpcap accepts up to 256 KiB whatever the snaplen, more only if the header's snaplen says so. */
  private maxCapLen = MAXIMUM_SNAPLEN;
  linktype = -1;
  snaplen = 0;

  protected headerDone(): boolean {
    return this.haveHeader;
  }

  protected parse(buf: Uint8Array, out: FrameBatch): number {
    const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    let off = 0;
    if (!this.haveHeader) {
      if (buf.length >= 4 && !isPcapMagic(dv.getUint32(0, false))) {
        this.fail(`not a pcap file: bad magic 0x${dv.getUint32(0, false).toString(16).padStart(8, '0')}`);
        return 0;
      }
      if (buf.length < FILE_HEADER_LEN) return 0;
      this.readHeader(dv);
      if (this.failed) return 0;
      off = FILE_HEADER_LEN;
    }
    // Hot loop: locals only, no object and no view per record (FrameBatch.add writes typed arrays).
    const le = this.le;
    const nano = this.nano;
    const hl = this.recHeaderLen;
    const maxCap = this.maxCapLen;
    const linktype = this.linktype;
    const end = buf.length;
    let frames = 0;
    let bytes = 0;
    while (off + hl <= end) {
      const sec = dv.getUint32(off, le);
      const frac = dv.getUint32(off + 4, le);
      const incl = dv.getUint32(off + 8, le);
      const orig = dv.getUint32(off + 12, le);
      if (incl > maxCap || incl > orig) {
        this.corrupt(this.base + off, incl > maxCap ? `incl_len ${incl} exceeds snaplen ${this.snaplen} and ${maxCap}` : `incl_len ${incl} exceeds orig_len ${orig}`);
        break;
      }
      const next = off + hl + incl;
      if (next > end) break;
      out.add(off + hl, incl, orig, sec * 1e6 + (nano ? Math.floor(frac / 1000) : frac), linktype, 0);
      frames++;
      bytes += orig;
      off = next;
    }
    this.stats.frames += frames;
    this.stats.bytes += bytes;
    return off;
  }

  private readHeader(dv: DataView): void {
    const m = dv.getUint32(0, false);
    this.le = m === PCAP_MAGIC_US_SWAPPED || m === PCAP_MAGIC_NS_SWAPPED || m === PCAP_MAGIC_MODIFIED_SWAPPED;
    this.nano = m === PCAP_MAGIC_NS || m === PCAP_MAGIC_NS_SWAPPED;
    if (m === PCAP_MAGIC_MODIFIED || m === PCAP_MAGIC_MODIFIED_SWAPPED) this.recHeaderLen = 24;
    const major = dv.getUint16(4, this.le);
    // libpcap accepts 2.x and 543.0 (written by a broken tool, sf-pcap.c); anything else is not pcap.
    if (major !== 2 && major !== 543) {
      this.fail(`unsupported pcap version ${major}.${dv.getUint16(6, this.le)}`);
      return;
    }
    this.snaplen = dv.getUint32(16, this.le);
    // LinkType field: link type in the low 16 bits; the top bits may carry the FCS length.
    this.linktype = dv.getUint32(20, this.le) & 0xffff;
    this.maxCapLen = Math.max(MAXIMUM_SNAPLEN, Math.min(this.snaplen, MAX_RECORD));
    this.haveHeader = true;
  }
}
