// The home's global IPv6 prefix is learned from the router's Router Advertisement (RFC 4861 4.6.2),
// so a device's connection from its global address counts as outbound, not as transit traffic.
import { describe, expect, it } from 'vitest';
import type { Frame } from '../../sensor/capture/frame.js';
import type { WaakhondEvent } from '../../sensor/events.js';
import { Pipeline } from '../../sensor/pipeline.js';
import { routerAdvert, syn } from '../helpers/ipv6-frames.js';

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
