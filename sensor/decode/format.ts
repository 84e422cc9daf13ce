// Text forms of addresses, made only when an event is built (never per packet).

const HEX = '0123456789abcdef';

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
 * Text forms remembered by number (MACs as 48-bit integers, IPv4 addresses), emptied when full:
 * events name the same few addresses over and over, and a spoofed flood only costs the table's size.
 */
export class TextCache {
  private readonly map = new Map<number, string>();

  constructor(private readonly max: number, private readonly format: (v: number) => string) {}

  get(v: number): string {
    let s = this.map.get(v);
    if (s === undefined) {
      if (this.map.size >= this.max) this.map.clear();
      s = this.format(v);
      this.map.set(v, s);
    }
    return s;
  }
}
