// Text forms of addresses, made only when an event is built (never per packet).

const HEX = '0123456789abcdef';

/** "aa:bb:cc:dd:ee:ff" (or with dashes, any case) -> 48-bit integer; -1 for null or anything else. */
export function macToNumber(mac: string | null): number {
  if (mac === null) return -1;
  const hex = mac.replace(/[:-]/g, '');
  if (!/^[0-9a-fA-F]{12}$/.test(hex)) return -1;
  return parseInt(hex, 16);
}

/** 48-bit integer -> "aa:bb:cc:dd:ee:ff". */
export function macToString(mac: number): string {
  let s = '';
  for (let shift = 40; shift >= 0; shift -= 8) {
    const byte = Math.floor(mac / 2 ** shift) & 0xff;
    s += (shift === 40 ? '' : ':') + HEX[byte >> 4] + HEX[byte & 15];
  }
  return s;
}

export function ipv4ToString(ip: number): string {
  return `${ip >>> 24}.${(ip >>> 16) & 255}.${(ip >>> 8) & 255}.${ip & 255}`;
}

/** 16 bytes at off -> RFC 5952 text: lower case, longest run of >= 2 zero groups as "::", IPv4-mapped kept dotted. */
export function ipv6ToString(b: Uint8Array, off: number): string {
  const g: number[] = [];
  for (let i = 0; i < 8; i++) g.push((b[off + 2 * i] << 8) | b[off + 2 * i + 1]);
  if (g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff) {
    return `::ffff:${b[off + 12]}.${b[off + 13]}.${b[off + 14]}.${b[off + 15]}`;
  }
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  if (bestLen < 2) bestStart = -1;
  let s = '';
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      s += '::';
      i += bestLen - 1;
      continue;
    }
    if (s !== '' && !s.endsWith(':')) s += ':';
    s += g[i].toString(16);
  }
  return s;
}

/** Locally administered bit (IEEE 802: bit 1 of the first octet): randomised "private" MACs. */
export function isLocallyAdministered(mac: number): boolean {
  return (Math.floor(mac / 2 ** 40) & 0x02) !== 0;
}

/** Group bit (bit 0 of the first octet): multicast and broadcast destinations. */
export function isGroupMac(mac: number): boolean {
  return (Math.floor(mac / 2 ** 40) & 0x01) !== 0;
}

/**
 * Text forms remembered by number (MACs as 48-bit integers, IPv4 addresses): events name the same few
 * addresses over and over. Direct-mapped (a slot per hash, the newcomer takes it): a scan naming a
 * million destinations costs one slot write each, never a table sweep, and only the addresses that
 * share a slot with it are made again; no Map to grow, clear and collect.
 */
export class TextCache {
  private readonly keys: Float64Array;
  private readonly vals: string[];
  private readonly mask: number;

  constructor(max: number, private readonly format: (v: number) => string) {
    let size = 16;
    while (size < max) size *= 2;
    this.mask = size - 1;
    this.keys = new Float64Array(size).fill(NaN); // empty: NaN equals no number
    this.vals = new Array<string>(size).fill('');
  }

  get(v: number): string {
    const h = Math.imul((v | 0) ^ ((v / 4294967296) | 0), 0x9e3779b1);
    const i = (h ^ (h >>> 15)) & this.mask;
    if (this.keys[i] === v) return this.vals[i]!;
    const s = this.format(v);
    this.keys[i] = v;
    this.vals[i] = s;
    return s;
  }
}
