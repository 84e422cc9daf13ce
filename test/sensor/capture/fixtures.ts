// Hand-built pcap and pcapng captures for the capture tests: every field written explicitly, in
// either byte order, so the parsers are checked against the format specs rather than a library.
import { concat } from '../../gen/packets.js';

/** A packet to write: seconds + fraction in the file's units, bytes, and optional wire length. */
export interface Pkt {
  sec: number;
  frac: number;
  data: Uint8Array;
  orig?: number;
  iface?: number;
}

class W {
  private parts: number[] = [];
  constructor(readonly le: boolean) {}
  u8(v: number): this {
    this.parts.push(v & 0xff);
    return this;
  }
  u16(v: number): this {
    const b = [v & 0xff, (v >>> 8) & 0xff];
    this.parts.push(...(this.le ? b : b.reverse()));
    return this;
  }
  u32(v: number): this {
    const b = [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
    this.parts.push(...(this.le ? b : b.reverse()));
    return this;
  }
  bytes(d: Uint8Array | number[]): this {
    for (const x of d) this.parts.push(x);
    return this;
  }
  pad4(): this {
    while (this.parts.length % 4 !== 0) this.parts.push(0);
    return this;
  }
  get length(): number {
    return this.parts.length;
  }
  build(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

/** Deterministic packet bytes: an Ethernet-looking header followed by a counter pattern. */
export function payload(i: number, len: number): Uint8Array {
  const d = new Uint8Array(len);
  for (let k = 0; k < len; k++) d[k] = (i * 31 + k * 7) & 0xff;
  return d;
}

/** Classic pcap: magic written in the file's byte order (a1b2c3d4 us, a1b23c4d ns). */
export function buildPcap(opts: { le: boolean; nano?: boolean; linktype?: number; snaplen?: number; pkts: Pkt[]; version?: number }): Uint8Array {
  const w = new W(opts.le);
  w.u32(opts.nano ? 0xa1b23c4d : 0xa1b2c3d4).u16(opts.version ?? 2).u16(4).u32(0).u32(0).u32(opts.snaplen ?? 65535).u32(opts.linktype ?? 1);
  for (const p of opts.pkts) {
    w.u32(p.sec).u32(p.frac).u32(p.data.length).u32(p.orig ?? p.data.length).bytes(p.data);
  }
  return w.build();
}

/** pcapng block: type, total length, body (padded to 4), total length. */
function block(le: boolean, type: number, body: (w: W) => void): Uint8Array {
  const inner = new W(le);
  body(inner);
  inner.pad4();
  const b = inner.build();
  const w = new W(le);
  w.u32(type).u32(b.length + 12).bytes(b).u32(b.length + 12);
  return w.build();
}

export function shb(le: boolean): Uint8Array {
  return block(le, 0x0a0d0d0a, (w) => {
    w.u32(0x1a2b3c4d).u16(1).u16(0).u32(0xffffffff).u32(0xffffffff);
    // shb_userappl option, then opt_endofopt
    const app = new TextEncoder().encode('waakhond-test');
    w.u16(4).u16(app.length).bytes(app).pad4().u16(0).u16(0);
  });
}

export function idb(le: boolean, o: { linktype: number; snaplen: number; tsresol?: number; tsoffset?: number }): Uint8Array {
  return block(le, 1, (w) => {
    w.u16(o.linktype).u16(0).u32(o.snaplen);
    const name = new TextEncoder().encode('eth0');
    w.u16(2).u16(name.length).bytes(name).pad4(); // if_name
    if (o.tsresol !== undefined) w.u16(9).u16(1).u8(o.tsresol).pad4();
    if (o.tsoffset !== undefined) {
      w.u16(14).u16(8);
      // 64-bit value in the section's byte order
      if (w.le) w.u32(o.tsoffset).u32(0);
      else w.u32(0).u32(o.tsoffset);
    }
    w.u16(0).u16(0);
  });
}

/** EPB with a 64-bit timestamp given as high and low words. */
export function epb(le: boolean, iface: number, high: number, low: number, data: Uint8Array, orig?: number): Uint8Array {
  return block(le, 6, (w) => {
    w.u32(iface).u32(high).u32(low).u32(data.length).u32(orig ?? data.length).bytes(data).pad4();
    const c = new TextEncoder().encode('hi');
    w.u16(1).u16(c.length).bytes(c).pad4().u16(0).u16(0); // opt_comment
  });
}

export function spb(le: boolean, orig: number, data: Uint8Array): Uint8Array {
  return block(le, 3, (w) => {
    w.u32(orig).bytes(data);
  });
}

/** Obsolete Packet Block (type 2): 16-bit interface id and drops count. */
export function pb(le: boolean, iface: number, drops: number, high: number, low: number, data: Uint8Array): Uint8Array {
  return block(le, 2, (w) => {
    w.u16(iface).u16(drops).u32(high).u32(low).u32(data.length).u32(data.length).bytes(data);
  });
}

export function unknownBlock(le: boolean, type: number, bodyLen: number): Uint8Array {
  return block(le, type, (w) => {
    for (let i = 0; i < bodyLen; i++) w.u8(0xee);
  });
}

/** Interface Statistics Block with isb_ifdrop. */
export function isb(le: boolean, iface: number, ifdrop: number): Uint8Array {
  return block(le, 5, (w) => {
    w.u32(iface).u32(0).u32(0);
    w.u16(5).u16(8);
    if (w.le) w.u32(ifdrop).u32(0);
    else w.u32(0).u32(ifdrop);
    w.u16(0).u16(0);
  });
}

/** Joining byte arrays: the traffic generator's helper. */
export { concat };
