// IPv6 frames for tests: a Router Advertisement with one prefix (RFC 4861 4.2, 4.6.2) and a SYN.
import { parseIpv6 } from '../../sensor/addr.js';

export const ROUTER = 'e0286d0c1a2b';
export const DEVICE = 'c056e3178a4d';

export function eth(dst: string, src: string, payload: Buffer): Buffer {
  return Buffer.concat([Buffer.from(dst + src + '86dd', 'hex'), payload]);
}

export function ipv6(src: string, dst: string, next: number, payload: Buffer, hop = 64): Buffer {
  const h = Buffer.alloc(40);
  h[0] = 0x60;
  h.writeUInt16BE(payload.length, 4);
  h[6] = next;
  h[7] = hop;
  Buffer.from(parseIpv6(src)!).copy(h, 8);
  Buffer.from(parseIpv6(dst)!).copy(h, 24);
  return Buffer.concat([h, payload]);
}

/** Router Advertisement with one Prefix Information option (L and A flags set), from ROUTER. */
export function routerAdvert(prefix: string, bits: number): Buffer {
  const ra = Buffer.alloc(16);
  ra[0] = 134; // type RA
  ra[4] = 64; // cur hop limit
  ra.writeUInt16BE(1800, 6); // router lifetime
  const pio = Buffer.alloc(32);
  pio[0] = 3; // Prefix Information
  pio[1] = 4; // length in units of 8 bytes
  pio[2] = bits;
  pio[3] = 0xc0; // on-link + autonomous
  pio.writeUInt32BE(86400, 4);
  pio.writeUInt32BE(14400, 8);
  Buffer.from(parseIpv6(prefix)!).copy(pio, 16);
  const sll = Buffer.from('0101' + ROUTER, 'hex'); // source link-layer address option
  return eth('333300000001', ROUTER, ipv6('fe80::1', 'ff02::1', 58, Buffer.concat([ra, pio, sll]), 255));
}

/** A SYN from DEVICE (port 40000) through ROUTER to port 443. */
export function syn(src: string, dst: string): Buffer {
  const tcp = Buffer.alloc(20);
  tcp.writeUInt16BE(40000, 0);
  tcp.writeUInt16BE(443, 2);
  tcp.writeUInt32BE(1, 4);
  tcp[12] = 0x50;
  tcp[13] = 0x02;
  tcp.writeUInt16BE(64240, 14);
  return eth(ROUTER, DEVICE, ipv6(src, dst, 6, tcp));
}
