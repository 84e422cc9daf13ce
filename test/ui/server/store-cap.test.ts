// The device cap evicts exactly the least recently seen device, also when traffic moved "last seen"
// after the device was stored (the store keeps a lazily updated heap instead of sorting per device).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Store } from '../../../ui/server/store/store.js';
import type { TrafficEvent } from '../../../sensor/events.js';
import { device } from './fixture.js';

const T0 = 1_700_000_000_000_000;
const mac = (i: number) => `02:00:00:00:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`;
const traffic = (m: string, ts: number): TrafficEvent => ({
  type: 'traffic', ts, interval: 1e6, mac: m, ip: null, out_pkts: 1, out_bytes: 100, out_tcp_syn: 0, out_tcp_ack_only: 0, out_udp: 0,
  out_udp_512: 0, out_gre: 0, out_icmp_echo: 0, out_udp_vse: 0, out_udp_vse_dst: 0, out_distinct_dst: 1, out_distinct_dport: 1,
  in_pkts: 1, in_bytes: 100, in_tcp_syn: 0, in_udp: 0, in_distinct_src: 1,
});

describe('Store device cap', () => {
  it('evicts the stalest by current last seen, as a full sort would, through random traffic and new devices', () => {
    const s = new Store({ dataDir: mkdtempSync(path.join(tmpdir(), 'waakhond-cap-')), fsync: false, maxDevices: 10 });
    s.load();
    let x = 7;
    const rand = (n: number) => { x = (x * 1103515245 + 12345) % 2 ** 31; return x % n; };
    let clock = T0;
    for (let i = 0; i < 400; i++) {
      clock += 1e6;
      const alive = Object.keys(s.data.devices);
      if (rand(3) === 0 && alive.length > 0) {
        s.recordTraffic(traffic(alive[rand(alive.length)], clock));
        continue;
      }
      // Who a full sort would evict: the stalest now.
      const before = Object.values(s.data.devices);
      const expected = before.length >= 10 ? before.reduce((a, b) => (b.last_seen < a.last_seen ? b : a)).mac : null;
      s.upsertDevice(device(mac(i), { last_seen: clock }));
      expect(Object.keys(s.data.devices).length).toBe(Math.min(10, before.length + 1));
      if (expected !== null) expect(s.data.devices[expected], `step ${i}`).toBeUndefined();
    }
  });
});
