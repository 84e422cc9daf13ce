// The home's global IPv6 prefix is learned from the router's Router Advertisement (RFC 4861 4.6.2),
// so a device's connection from its global address counts as outbound, not as transit traffic.
import { describe, expect, it } from 'vitest';
import type { Frame } from '../../sensor/capture/frame.js';
import type { WaakhondEvent } from '../../sensor/events.js';
import { Pipeline } from '../../sensor/pipeline.js';
import { parseIpv6 } from '../../sensor/addr.js';

const ROUTER = 'e0286d0c1a2b';
const DEVICE = 'c056e3178a4d';

function eth(dst: string, src: string, payload: Buffer): Buffer {
  return Buffer.concat([Buffer.from(dst + src + '86dd', 'hex'), payload]);
}

function ipv6(src: string, dst: string, next: number, payload: Buffer, hop = 64): Buffer {
  const h = Buffer.alloc(40);
  h[0] = 0x60;
  h.writeUInt16BE(payload.length, 4);
  h[6] = next;
  h[7] = hop;
  Buffer.from(parseIpv6(src)!).copy(h, 8);
  Buffer.from(parseIpv6(dst)!).copy(h, 24);
  return Buffer.concat([h, payload]);
}

/** Router Advertisement with one Prefix Information option (L and A flags set). */
function routerAdvert(prefix: string, bits: number): Buffer {
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

function syn(src: string, dst: string): Buffer {
  const tcp = Buffer.alloc(20);
  tcp.writeUInt16BE(40000, 0);
  tcp.writeUInt16BE(443, 2);
  tcp.writeUInt32BE(1, 4);
  tcp[12] = 0x50;
  tcp[13] = 0x02;
  tcp.writeUInt16BE(64240, 14);
  return eth(ROUTER, DEVICE, ipv6(src, dst, 6, tcp));
}

function run(frames: Buffer[], localNets?: string[]): WaakhondEvent[] {
  const out: WaakhondEvent[] = [];
  const p = new Pipeline({ sinks: [(e) => out.push(e)], localNets });
  p.push(frames.map((data, i): Frame => ({ ts: 1_700_000_000_000_000 + i * 1000, len: data.length, data, linktype: 1, iface: 0 })));
  p.finish();
  return out;
}

const synDirection = (events: WaakhondEvent[]) => events.filter((e) => e.type === 'tcp_syn').map((e) => (e as { direction: string }).direction);

describe('IPv6 prefixes from Router Advertisements', () => {
  it('a global address inside the advertised prefix is local', () => {
    const events = run([routerAdvert('2001:db8:1::', 64), syn('2001:db8:1::10', '2a00:1450::1')]);
    const ra = events.find((e) => e.type === 'ndp');
    expect(ra).toMatchObject({ kind: 'router_advert', router: true, lladdr: 'e0:28:6d:0c:1a:2b' });
    expect(synDirection(events)).toEqual(['outbound']);
  });

  it('without the advertisement (or outside the prefix) the same address is not local', () => {
    expect(synDirection(run([syn('2001:db8:1::10', '2a00:1450::1')]))).toEqual(['external']);
    expect(synDirection(run([routerAdvert('2001:db8:1::', 64), syn('2001:db8:2::10', '2a00:1450::1')]))).toEqual(['external']);
  });

  it('configured home networks are not extended by advertisements', () => {
    const events = run([routerAdvert('2001:db8:1::', 64), syn('2001:db8:1::10', '2a00:1450::1')], ['192.168.0.0/16', 'fe80::/10']);
    expect(synDirection(events)).toEqual(['external']);
  });

  it('learns at most 16 prefixes (a flood of advertisements cannot grow the list)', () => {
    const ras = Array.from({ length: 40 }, (_, i) => routerAdvert(`2001:db8:${(i + 1).toString(16)}::`, 64));
    const events = run([...ras, syn('2001:db8:10::5', '2a00:1450::1'), syn('2001:db8:11::5', '2a00:1450::1')]);
    // Prefixes 1..16 were learned (0x10 = 16), the 17th (0x11) was not.
    expect(synDirection(events)).toEqual(['outbound', 'external']);
  });
});
