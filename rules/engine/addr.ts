// Address predicates for rule conditions: IPv4/IPv6 parsing without allocation, CIDR, private, multicast, public.

/** Parse a dotted-quad IPv4 address to an unsigned 32-bit number, or -1 (no allocation). */
export function ipv4ToInt(s: string): number {
  let n = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || part > 255) return -1;
      n = n * 256 + part;
      part = 0;
      digits = 0;
      dots++;
      if (dots > 3) return -1;
    } else if (c >= 48 && c <= 57) {
      part = part * 10 + (c - 48);
      digits++;
      if (digits > 3) return -1;
    } else {
      return -1;
    }
  }
  if (dots !== 3 || digits === 0 || part > 255) return -1;
  return n * 256 + part;
}

/** Expand an IPv6 text address into 8 16-bit groups, or null. Handles "::" and an embedded IPv4 tail. */
export function ipv6ToGroups(s: string): number[] | null {
  const pct = s.indexOf('%');
  if (pct >= 0) s = s.slice(0, pct);
  if (s.indexOf(':') < 0) return null;
  const lastColon = s.lastIndexOf(':');
  const maybeV4 = s.slice(lastColon + 1);
  if (maybeV4.includes('.')) {
    // RFC 4291 2.2 form 3: x:x:x:x:x:x:d.d.d.d -> rewrite the tail as two hex groups.
    const v4 = ipv4ToInt(maybeV4);
    if (v4 < 0) return null;
    s = s.slice(0, lastColon + 1) + Math.floor(v4 / 65536).toString(16) + ':' + (v4 % 65536).toString(16);
  }
  const dbl = s.indexOf('::');
  if (dbl !== s.lastIndexOf('::')) return null;
  const parse = (p: string): number[] | null => {
    if (p === '') return [];
    const out: number[] = [];
    for (const g of p.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  let groups: number[];
  if (dbl >= 0) {
    const head = parse(s.slice(0, dbl));
    const rest = parse(s.slice(dbl + 2));
    if (!head || !rest) return null;
    const fill = 8 - head.length - rest.length;
    if (fill < 1) return null;
    groups = [...head, ...new Array<number>(fill).fill(0), ...rest];
  } else {
    const all = parse(s);
    if (!all) return null;
    groups = all;
  }
  return groups.length === 8 ? groups : null;
}

export interface Cidr {
  v6: boolean;
  /** IPv4: network and mask as uint32. */
  net: number;
  mask: number;
  /** IPv6: groups and prefix length. */
  groups: number[];
  bits: number;
}

/** Parse "a.b.c.d/n", "x::/n" or a bare address; null if invalid. */
export function parseCidr(text: string): Cidr | null {
  const slash = text.indexOf('/');
  const addr = slash >= 0 ? text.slice(0, slash) : text;
  const bitsText = slash >= 0 ? text.slice(slash + 1) : null;
  if (bitsText !== null && !/^\d{1,3}$/.test(bitsText)) return null;
  const v4 = ipv4ToInt(addr);
  if (v4 >= 0) {
    const bits = bitsText === null ? 32 : Number(bitsText);
    if (bits > 32) return null;
    const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    return { v6: false, net: (v4 & mask) >>> 0, mask, groups: [], bits };
  }
  const g = ipv6ToGroups(addr);
  if (!g) return null;
  const bits = bitsText === null ? 128 : Number(bitsText);
  if (bits > 128) return null;
  return { v6: true, net: 0, mask: 0, groups: g, bits };
}

function v6InPrefix(g: number[], c: Cidr): boolean {
  let bits = c.bits;
  for (let i = 0; i < 8 && bits > 0; i++) {
    const take = bits >= 16 ? 16 : bits;
    const m = take === 16 ? 0xffff : (0xffff << (16 - take)) & 0xffff;
    if ((g[i]! & m) !== (c.groups[i]! & m)) return false;
    bits -= take;
  }
  return true;
}

/** Does address text fall in any of the CIDRs? */
export function inCidrs(ip: string, cidrs: readonly Cidr[]): boolean {
  const v4 = ipv4ToInt(ip);
  if (v4 >= 0) {
    for (const c of cidrs) if (!c.v6 && ((v4 & c.mask) >>> 0) === c.net) return true;
    return false;
  }
  let g: number[] | null | undefined;
  for (const c of cidrs) {
    if (!c.v6) continue;
    if (g === undefined) g = ipv6ToGroups(ip);
    if (!g) return false;
    if (v6InPrefix(g, c)) return true;
  }
  return false;
}

const cidrs = (list: string[]): Cidr[] => list.map((t) => parseCidr(t)!);

/** RFC 1918, RFC 6598 (CGNAT), loopback, link-local; RFC 4193 ULA, fe80::/10, ::1. */
const PRIVATE = cidrs([
  '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16',
  'fc00::/7', 'fe80::/10', '::1/128',
]);
/** 224.0.0.0/4 (RFC 5771), ff00::/8 (RFC 4291 2.7), and the IPv4 limited broadcast. */
const MULTICAST = cidrs(['224.0.0.0/4', '255.255.255.255/32', 'ff00::/8']);
/**
 * Special-purpose ranges that are never a real remote host (RFC 6890), plus the ranges Mirai's
 * scanner skips in get_random_ip() (scanner.c: 0/8, 3/8, 15/8, 16/8, 56/8, DoD 6,7,11,21,22,26,28,29,30,33,55,214,215).
 */
const RESERVED = cidrs([
  '0.0.0.0/8', '192.0.0.0/24', '192.0.2.0/24', '198.18.0.0/15', '198.51.100.0/24', '203.0.113.0/24',
  '240.0.0.0/4', '::/128', '2001:db8::/32', '64:ff9b::/96',
]);

function inV4(n: number, list: readonly Cidr[]): boolean {
  for (const c of list) if (!c.v6 && ((n & c.mask) >>> 0) === c.net) return true;
  return false;
}

export function isPrivate(ip: string): boolean {
  const n = ipv4ToInt(ip);
  return n >= 0 ? inV4(n, PRIVATE) : inCidrs(ip, PRIVATE);
}
export function isMulticast(ip: string): boolean {
  const n = ipv4ToInt(ip);
  return n >= 0 ? inV4(n, MULTICAST) : inCidrs(ip, MULTICAST);
}
/** A globally routable unicast address: not private, multicast or special-purpose. */
export function isPublic(ip: string): boolean {
  // Several rules ask about the same event's address in a row: the last answer is kept.
  if (ip === lastPublicIp) return lastPublic;
  lastPublicIp = ip;
  return (lastPublic = publicUncached(ip));
}
let lastPublicIp: string | null = null;
let lastPublic = false;

/**
 * Not-public IPv4 ranges by first octet: 1 when a /8 or wider range covers the octet, else the
 * narrower ranges starting in it (most octets: none). A scanner asks about a fresh random address
 * per SYN; one table read answers most of them without walking the three lists.
 */
const V4_WHOLE_OCTET = new Uint8Array(256);
const V4_BY_OCTET: (Cidr[] | undefined)[] = new Array(256);
for (const c of [...PRIVATE, ...MULTICAST, ...RESERVED]) {
  if (c.v6) continue;
  const first = c.net >>> 24;
  if (c.bits <= 8) {
    const span = 2 ** (8 - c.bits);
    for (let o = first; o < first + span; o++) V4_WHOLE_OCTET[o] = 1;
  } else {
    (V4_BY_OCTET[first] ??= []).push(c);
  }
}

/** isPublic() of an IPv4 address as a number (the packet path's form). */
export function isPublicV4(n: number): boolean {
  const o = n >>> 24;
  if (V4_WHOLE_OCTET[o] === 1) return false;
  const list = V4_BY_OCTET[o];
  return list === undefined || !inV4(n, list);
}

function publicUncached(ip: string): boolean {
  // IPv4 fast path: parse once, one table read (scanners make this the hottest condition).
  const n = ipv4ToInt(ip);
  if (n >= 0) return isPublicV4(n);
  if (ipv6ToGroups(ip) === null) return false;
  return !inCidrs(ip, PRIVATE) && !inCidrs(ip, MULTICAST) && !inCidrs(ip, RESERVED);
}
