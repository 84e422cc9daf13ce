// Address classification: which addresses are the home's own ("local"), parsed from CIDR text.

export interface Cidr4 { net: number; mask: number }
export interface Cidr6 { bytes: Uint8Array; bits: number }

/** RFC 1918 private ranges and RFC 3927 link-local: the home LAN unless configured otherwise. */
export const DEFAULT_LOCAL_NETS = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16', 'fe80::/10', 'fc00::/7'];

export function parseIpv4(text: string): number | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text.trim());
  if (!m) return null;
  let v = 0;
  for (let i = 1; i <= 4; i++) {
    const o = Number(m[i]);
    if (o > 255) return null;
    v = v * 256 + o;
  }
  return v >>> 0;
}

export function parseIpv6(text: string): Uint8Array | null {
  let s = text.trim().toLowerCase();
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  if (!/^[0-9a-f:.]+$/.test(s)) return null;
  const out = new Uint8Array(16);
  let tail4: number | null = null;
  const lastColon = s.lastIndexOf(':');
  if (s.includes('.')) {
    tail4 = parseIpv4(s.slice(lastColon + 1));
    if (tail4 === null) return null;
    s = s.slice(0, lastColon + 1) + '0:0';
  }
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  if (halves.length === 1 && head.length !== 8) return null;
  if (head.length + tail.length > (halves.length === 2 ? 7 : 8)) return null;
  const groups = [...head, ...Array(8 - head.length - tail.length).fill('0'), ...tail];
  for (let i = 0; i < 8; i++) {
    const g = groups[i];
    if (!/^[0-9a-f]{1,4}$/.test(g)) return null;
    const v = parseInt(g, 16);
    out[2 * i] = v >> 8;
    out[2 * i + 1] = v & 255;
  }
  if (tail4 !== null) {
    out[12] = tail4 >>> 24; out[13] = (tail4 >>> 16) & 255; out[14] = (tail4 >>> 8) & 255; out[15] = tail4 & 255;
  }
  return out;
}

export function parseCidr(text: string): Cidr4 | Cidr6 | null {
  const [addr, bitsText] = text.split('/');
  if (addr.includes(':')) {
    const bytes = parseIpv6(addr);
    const bits = bitsText === undefined ? 128 : Number(bitsText);
    if (!bytes || !Number.isInteger(bits) || bits < 0 || bits > 128) return null;
    return { bytes, bits };
  }
  const ip = parseIpv4(addr);
  const bits = bitsText === undefined ? 32 : Number(bitsText);
  if (ip === null || !Number.isInteger(bits) || bits < 0 || bits > 32) return null;
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return { net: (ip & mask) >>> 0, mask };
}

export function inCidr4(ip: number, c: Cidr4): boolean {
  return ((ip & c.mask) >>> 0) === c.net;
}

export function inCidr6(b: Uint8Array, off: number, c: Cidr6): boolean {
  let bits = c.bits;
  for (let i = 0; i < 16 && bits > 0; i++, bits -= 8) {
    const m = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((b[off + i] & m) !== (c.bytes[i] & m)) return false;
  }
  return true;
}

/** A set of local networks with fast membership tests for both families. */
export class LocalNets {
  readonly v4: Cidr4[] = [];
  readonly v6: Cidr6[] = [];

  /** The IPv4 networks as two flat int arrays: isLocal4 runs twice per packet. */
  private readonly v4Mask: Int32Array;
  private readonly v4Net: Int32Array;

  constructor(cidrs: readonly string[] = DEFAULT_LOCAL_NETS) {
    for (const text of cidrs) {
      const c = parseCidr(text);
      if (!c) throw new Error(`invalid network "${text}": expected CIDR such as 192.168.1.0/24 or fd00::/8`);
      if ('mask' in c) this.v4.push(c);
      else this.v6.push(c);
    }
    this.v4Mask = Int32Array.from(this.v4, (c) => c.mask | 0);
    this.v4Net = Int32Array.from(this.v4, (c) => c.net | 0);
  }

  /** Prefixes learned from Router Advertisements (bounded: a hostile RA flood cannot grow the list). */
  private learned = 0;
  static readonly MAX_LEARNED = 16;

  /**
   * Adds an IPv6 prefix the home's router advertises (RA Prefix Information): home devices' global
   * addresses are local too. Returns true if it was new. Link-local and multicast are never learned.
   */
  learn6(b: Uint8Array, off: number, bits: number): boolean {
    if (b[off] === 0xff || (b[off] === 0xfe && (b[off + 1] & 0xc0) === 0x80)) return false;
    if (this.isLocal6(b, off) || this.learned >= LocalNets.MAX_LEARNED) return false;
    this.v6.push({ bytes: b.slice(off, off + 16), bits });
    this.learned++;
    return true;
  }

  /** Local, or a destination that never leaves the LAN (multicast, broadcast, unspecified). */
  isLocal4(ip: number): boolean {
    if (ip >>> 28 === 0xe || ip === 0xffffffff || ip === 0) return true;
    const mask = this.v4Mask;
    const net = this.v4Net;
    for (let i = 0; i < mask.length; i++) if ((ip & mask[i]) === net[i]) return true;
    return false;
  }

  isLocal6(b: Uint8Array, off: number): boolean {
    if (b[off] === 0xff) return true; // multicast
    let zero = true;
    for (let i = 0; i < 16; i++) if (b[off + i] !== 0) { zero = false; break; }
    if (zero) return true;
    for (const c of this.v6) if (inCidr6(b, off, c)) return true;
    return false;
  }
}

/** RFC 1918 / RFC 6598 / loopback / link-local / reserved / multicast: never a scan target Mirai picks. */
export function isPrivateOrReserved4(ip: number): boolean {
  const a = ip >>> 24;
  const b = (ip >>> 16) & 255;
  return a === 0 || a === 10 || a === 127 || a >= 224 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b < 32) ||
    (a === 192 && b === 168) || (a === 100 && b >= 64 && b < 128) || (a === 192 && b === 0) || (a === 198 && (b === 18 || b === 19));
}
