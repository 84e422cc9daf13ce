// Streaming parser for pcapng files: sections in either byte order, several interfaces, EPB/SPB and
// the obsolete Packet Block; other blocks are skipped by their length.
//
// Format: draft-ietf-opsawg-pcapng (block = type, total length, body, total length again).
import type { FrameBatch } from './frame.js';
import { ChunkParser, MAXIMUM_SNAPLEN, MAX_RECORD } from './chunked.js';

export const PCAPNG_SHB = 0x0a0d0d0a;
const BT_IDB = 0x00000001;
const BT_PB = 0x00000002; // Packet Block, obsolete (pcapng 4.6 appendix)
const BT_SPB = 0x00000003;
const BT_ISB = 0x00000005;
const BT_EPB = 0x00000006;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const BYTE_ORDER_MAGIC_SWAPPED = 0x4d3c2b1a;

const OPT_ENDOFOPT = 0;
const IF_TSRESOL = 9;
const IF_TSOFFSET = 14;
const ISB_IFDROP = 5;
const TWO32 = 4294967296;

interface Iface {
  linktype: number;
  snaplen: number;
  /** Largest acceptable captured length on this interface. */
  maxCap: number;
  /** Timestamp units: 'us' (default 10^-6), 'div' (finer power of ten: units/div), 'mul' (anything else: units*mul). */
  mode: 'us' | 'div' | 'mul';
  div: number;
  mul: number;
  /** if_tsoffset in microseconds. */
  offsetUs: number;
  /** Index over the whole file (interfaces of later sections follow those of earlier ones). */
  index: number;
}

export class PcapngParser extends ChunkParser {
  private inSection = false;
  private le = true;
  /** Interfaces of the current section, by interface id. */
  private ifaces: Iface[] = [];
  /** Interfaces seen in earlier sections (Frame.iface stays unique across sections). */
  private ifaceBase = 0;
  /** Timestamp of the last packet: an SPB carries none, so it takes this one. */
  private lastTs = 0;
  /** if_drop per interface from Interface Statistics Blocks (cumulative, so the latest wins). */
  private ifDrops = new Map<number, number>();
  /** Sum of Packet Block drops_count fields. */
  private pbDrops = 0;

  protected headerDone(): boolean {
    return this.inSection;
  }

  protected override truncatedWhat(): string {
    return 'truncated record (block)';
  }

  /** Linktypes of all interfaces seen so far, by Frame.iface. */
  interfaces(): { linktype: number; snaplen: number }[] {
    return this.allIfaces.map((i) => ({ linktype: i.linktype, snaplen: i.snaplen }));
  }
  private allIfaces: Iface[] = [];

  protected parse(buf: Uint8Array, out: FrameBatch): number {
    const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    const end = buf.length;
    let off = 0;
    let frames = 0;
    let bytes = 0;
    while (off + 12 <= end) {
      // The SHB type reads the same in both byte orders; its byte-order magic sets the section's order.
      let type = dv.getUint32(off, this.le);
      if (!this.inSection && type !== PCAPNG_SHB) {
        if (this.base + off === 0) this.fail(`not a pcapng file: bad magic 0x${dv.getUint32(0, false).toString(16).padStart(8, '0')}`);
        else this.corrupt(this.base + off, `block type 0x${type.toString(16)} before any section header`);
        break;
      }
      if (type === PCAPNG_SHB) {
        const bom = dv.getUint32(off + 8, true);
        if (bom === BYTE_ORDER_MAGIC) this.le = true;
        else if (bom === BYTE_ORDER_MAGIC_SWAPPED) this.le = false;
        else {
          if (this.base + off === 0) this.fail(`not a pcapng file: bad byte-order magic 0x${dv.getUint32(off + 8, false).toString(16)}`);
          else this.corrupt(this.base + off, `section header with bad byte-order magic 0x${dv.getUint32(off + 8, false).toString(16)}`);
          break;
        }
        type = PCAPNG_SHB;
      }
      const le = this.le;
      const blen = dv.getUint32(off + 4, le);
      if (blen < 12 || (blen & 3) !== 0 || blen > MAX_RECORD) {
        this.corrupt(this.base + off, `block length ${blen} (type 0x${type.toString(16)}) is not a multiple of 4 between 12 and ${MAX_RECORD}`);
        break;
      }
      if (off + blen > end) break; // wait for the rest of the block
      if (dv.getUint32(off + blen - 4, le) !== blen) {
        this.corrupt(this.base + off, `block total length ${blen} does not match its trailing copy ${dv.getUint32(off + blen - 4, le)}`);
        break;
      }
      if (type === BT_EPB || type === BT_PB) {
        // EPB: if_id(4) ts_high ts_low cap_len orig_len data; PB: if_id(2) drops_count(2) then the same.
        if (blen < 32) {
          this.corrupt(this.base + off, `packet block of ${blen} bytes is shorter than 32`);
          break;
        }
        let id: number;
        if (type === BT_EPB) id = dv.getUint32(off + 8, le);
        else {
          id = dv.getUint16(off + 8, le);
          const drops = dv.getUint16(off + 10, le);
          if (drops !== 0xffff) this.pbDrops += drops;
        }
        const ifc = this.ifaces[id];
        const cap = dv.getUint32(off + 20, le);
        const orig = dv.getUint32(off + 24, le);
        if (ifc === undefined) {
          this.corrupt(this.base + off, `packet for interface ${id}, but the section has ${this.ifaces.length}`);
          break;
        }
        if (cap > blen - 32 || cap > orig || cap > ifc.maxCap) {
          this.corrupt(this.base + off, cap > blen - 32 ? `captured length ${cap} exceeds block length ${blen}` : cap > orig ? `captured length ${cap} exceeds original length ${orig}` : `captured length ${cap} exceeds snaplen ${ifc.snaplen} and ${ifc.maxCap}`);
          break;
        }
        const high = dv.getUint32(off + 12, le);
        const low = dv.getUint32(off + 16, le);
        let ts: number;
        if (ifc.mode === 'us') ts = high * TWO32 + low + ifc.offsetUs;
        else ts = tsOf(ifc, high, low);
        this.lastTs = ts;
        out.add(off + 28, cap, orig, ts, ifc.linktype, ifc.index);
        frames++;
        bytes += orig;
      } else if (type === BT_SPB) {
        // SPB: orig_len then data; the captured length is implied: min(orig_len, snaplen, body) (pcapng 4.4).
        const ifc = this.ifaces[0];
        if (ifc === undefined) {
          this.corrupt(this.base + off, 'simple packet block before any interface description');
          break;
        }
        if (blen < 16) {
          this.corrupt(this.base + off, `simple packet block of ${blen} bytes is shorter than 16`);
          break;
        }
        const orig = dv.getUint32(off + 8, le);
        let cap = Math.min(orig, blen - 16);
        if (ifc.snaplen !== 0 && cap > ifc.snaplen) cap = ifc.snaplen;
        out.add(off + 12, cap, orig, this.lastTs, ifc.linktype, ifc.index);
        frames++;
        bytes += orig;
      } else if (type === PCAPNG_SHB) {
        if (blen < 28) {
          this.corrupt(this.base + off, `section header block of ${blen} bytes is shorter than 28`);
          break;
        }
        const major = dv.getUint16(off + 12, le);
        if (major !== 1) {
          this.fail(`unsupported pcapng version ${major}.${dv.getUint16(off + 14, le)} at byte ${this.base + off}`);
          break;
        }
        this.inSection = true;
        this.ifaceBase += this.ifaces.length;
        this.ifaces = [];
      } else if (type === BT_IDB) {
        if (blen < 20) {
          this.corrupt(this.base + off, `interface description block of ${blen} bytes is shorter than 20`);
          break;
        }
        const ifc = this.readIdb(dv, off, blen, le);
        this.ifaces.push(ifc);
        this.allIfaces.push(ifc);
      } else if (type === BT_ISB && blen >= 24) {
        this.readIsb(dv, off, blen, le);
      }
      off += blen;
    }
    this.stats.frames += frames;
    this.stats.bytes += bytes;
    if (this.pbDrops > 0 || this.ifDrops.size > 0) {
      let d = this.pbDrops;
      for (const v of this.ifDrops.values()) d += v;
      this.stats.dropped = d;
    }
    return off;
  }

  private readIdb(dv: DataView, off: number, blen: number, le: boolean): Iface {
    const linktype = dv.getUint16(off + 8, le);
    const snaplen = dv.getUint32(off + 12, le);
    const ifc: Iface = {
      linktype,
      snaplen,
      maxCap: snaplen === 0 ? MAX_RECORD : Math.max(MAXIMUM_SNAPLEN, Math.min(snaplen, MAX_RECORD)),
      mode: 'us',
      div: 1,
      mul: 1,
      offsetUs: 0,
      index: this.ifaceBase + this.ifaces.length,
    };
    forEachOption(dv, off + 16, off + blen - 4, le, (code, at, len) => {
      if (code === IF_TSRESOL && len >= 1) {
        // MSB clear: 10^-v seconds; MSB set: 2^-(v & 0x7f) seconds (pcapng 4.2, if_tsresol).
        const v = dv.getUint8(at);
        if (v & 0x80) {
          ifc.mode = 'mul';
          ifc.mul = 1e6 / 2 ** (v & 0x7f);
        } else if (v > 6) {
          ifc.mode = 'div';
          ifc.div = 10 ** (v - 6);
        } else if (v < 6) {
          ifc.mode = 'mul';
          ifc.mul = 10 ** (6 - v);
        }
      } else if (code === IF_TSOFFSET && len >= 8) {
        // 64-bit signed seconds added to every timestamp of the interface.
        const hi = le ? dv.getInt32(at + 4, true) : dv.getInt32(at, false);
        const lo = le ? dv.getUint32(at, true) : dv.getUint32(at + 4, false);
        ifc.offsetUs = (hi * TWO32 + lo) * 1e6;
      }
    });
    return ifc;
  }

  private readIsb(dv: DataView, off: number, blen: number, le: boolean): void {
    const id = dv.getUint32(off + 8, le);
    const ifc = this.ifaces[id];
    if (ifc === undefined) return;
    forEachOption(dv, off + 20, off + blen - 4, le, (code, at, len) => {
      if (code === ISB_IFDROP && len >= 8) {
        const hi = le ? dv.getUint32(at + 4, true) : dv.getUint32(at, false);
        const lo = le ? dv.getUint32(at, true) : dv.getUint32(at + 4, false);
        this.ifDrops.set(ifc.index, hi * TWO32 + lo);
      }
    });
  }
}

/** Timestamp in microseconds for interfaces whose units are not microseconds. */
function tsOf(ifc: Iface, high: number, low: number): number {
  if (ifc.mode === 'div') {
    // Split the 64-bit division so nanosecond values (> 2^53) stay exact: (h*2^32 + l) / d.
    const d = ifc.div;
    const hq = Math.floor(high / d);
    const hr = high - hq * d;
    return hq * TWO32 + Math.floor((hr * TWO32 + low) / d) + ifc.offsetUs;
  }
  return Math.floor((high * TWO32 + low) * ifc.mul) + ifc.offsetUs;
}

/** Walk the options of a block body: code(2) length(2) value padded to 4; malformed options end the walk. */
function forEachOption(dv: DataView, start: number, end: number, le: boolean, fn: (code: number, at: number, len: number) => void): void {
  let o = start;
  while (o + 4 <= end) {
    const code = dv.getUint16(o, le);
    const len = dv.getUint16(o + 2, le);
    if (code === OPT_ENDOFOPT) return;
    if (o + 4 + len > end) return;
    fn(code, o + 4, len);
    o += 4 + ((len + 3) & ~3);
  }
}
