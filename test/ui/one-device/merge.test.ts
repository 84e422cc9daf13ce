// The pure merge of linked private MACs (sensor/inventory/one-device.ts): groups, the key, what the merged device shows.
import { describe, expect, it } from 'vitest';
import { groupOf, keyOf, mergeGroup, oneDevicePerDevice, SEEN_AS_MAX } from '../../../sensor/inventory/one-device.js';
import type { Device } from '../../../sensor/inventory/types.js';

const T0 = 1_700_000_000_000_000;
const H = 3_600_000_000;

function dev(mac: string, over: Partial<Device> = {}): Device {
  return {
    mac, ips: [], ipv6: [], vendor: null, model: null, category: 'other', name: null, hostname: null, confidence: 0,
    evidence: [], first_seen: T0, last_seen: T0 + H, private_mac: true, ...over,
  };
}

describe('one device per device', () => {
  it('follows links transitively, only to devices still known, and never beyond SEEN_AS_MAX', () => {
    const a = dev('02:00:00:00:00:01', { same_device_as: ['02:00:00:00:00:02'] });
    const b = dev('02:00:00:00:00:02', { same_device_as: ['02:00:00:00:00:01', '02:00:00:00:00:03', '02:00:00:00:00:09'] });
    const c = dev('02:00:00:00:00:03', { same_device_as: ['02:00:00:00:00:02'] });
    const all = new Map([a, b, c].map((d) => [d.mac, d]));
    expect(groupOf(a.mac, (m) => all.get(m)).map((d) => d.mac).sort()).toEqual([a.mac, b.mac, c.mac]);
    expect(groupOf('02:00:00:00:00:09', (m) => all.get(m))).toEqual([]);
    // A chain of 40 linked MACs stops at the bound.
    const chain = Array.from({ length: 40 }, (_, i) => dev(`02:00:00:00:01:${i.toString(16).padStart(2, '0')}`));
    chain.forEach((d, i) => { d.same_device_as = [chain[i - 1], chain[i + 1]].filter(Boolean).map((x) => x!.mac); });
    const byMac = new Map(chain.map((d) => [d.mac, d]));
    expect(groupOf(chain[0].mac, (m) => byMac.get(m))).toHaveLength(SEEN_AS_MAX);
  });

  it('keys a group by its first-seen MAC (ties: the smaller MAC), whatever the order it is given in', () => {
    const early = dev('fa:00:00:00:00:01', { first_seen: T0 });
    const late = dev('02:00:00:00:00:02', { first_seen: T0 + H });
    expect(keyOf([late, early])).toBe(early.mac);
    const tie = dev('06:00:00:00:00:03', { first_seen: T0 });
    expect(keyOf([early, tie])).toBe(tie.mac);
  });

  it('merges: identity from the surest member, addresses and name from the newest, span of times, evidence once, links hidden', () => {
    const old = dev('9a:00:00:00:00:01', {
      first_seen: T0, last_seen: T0 + H, ips: ['192.168.1.50'], hostname: 'old-name', confidence: 0.8, vendor: 'Apple', category: 'phone', name: 'Apple iPhone (private address)',
      evidence: [{ source: 'dhcp', detail: 'DHCP hostname Annes-iPhone', vendor: 'Apple', weight: 0.8 }], same_device_as: ['d6:00:00:00:00:02'],
    });
    const now = dev('d6:00:00:00:00:02', {
      first_seen: T0 + 24 * H, last_seen: T0 + 25 * H, ips: ['192.168.1.51'], hostname: 'Annes-iPhone', confidence: 0.3,
      evidence: [{ source: 'dhcp', detail: 'DHCP hostname Annes-iPhone', vendor: 'Apple', weight: 0.8 }, { source: 'dns', detail: 'DNS gateway.icloud.com', vendor: 'Apple', weight: 0.3 }],
      same_device_as: ['9a:00:00:00:00:01'],
    });
    const m = mergeGroup([now, old]);
    expect(m).toMatchObject({
      mac: old.mac, seen_as: [old.mac, now.mac], vendor: 'Apple', category: 'phone', confidence: 0.8, name: 'Apple iPhone (private address)',
      ips: ['192.168.1.51', '192.168.1.50'], hostname: 'Annes-iPhone', first_seen: T0, last_seen: T0 + 25 * H, private_mac: true,
    });
    expect(m.same_device_as).toBeUndefined();
    expect(m.evidence.map((e) => e.detail)).toEqual([`seen as ${old.mac}, ${now.mac} (private addresses)`, 'DHCP hostname Annes-iPhone', 'DNS gateway.icloud.com']);
    // A device on its own is itself, with no "seen as" line.
    const alone = mergeGroup([dev('a4:14:37:11:22:33', { private_mac: false, evidence: [{ source: 'oui', detail: 'OUI a4:14:37', weight: 0.35 }] })]);
    expect(alone.seen_as).toEqual(['a4:14:37:11:22:33']);
    expect(alone.evidence.map((e) => e.detail)).toEqual(['OUI a4:14:37']);
  });

  it('lists every device once, and maps each MAC to its key', () => {
    const a = dev('02:00:00:00:00:01', { first_seen: T0, same_device_as: ['02:00:00:00:00:02'] });
    const b = dev('02:00:00:00:00:02', { first_seen: T0 + H, same_device_as: ['02:00:00:00:00:01'] });
    const c = dev('a4:14:37:11:22:33', { private_mac: false });
    const r = oneDevicePerDevice([b, c, a]);
    expect(r.devices.map((d) => d.mac)).toEqual([a.mac, c.mac]);
    expect(Object.fromEntries(r.aliases)).toEqual({ [a.mac]: a.mac, [b.mac]: a.mac, [c.mac]: c.mac });
  });
});
