// Which IPv4 addresses count as the home's: the default private ranges, configured networks, and
// destinations that never leave the LAN. Addresses with the top bit set matter (signed 32-bit compares).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { LocalNets } from '../../sensor/addr.js';

const ip = (s: string): number => s.split('.').reduce((a, o) => a * 256 + Number(o), 0);

describe('LocalNets.isLocal4', () => {
  it('knows the default private ranges, multicast, broadcast and the unspecified address', () => {
    const nets = new LocalNets();
    for (const a of ['10.1.2.3', '172.16.0.1', '172.31.255.254', '192.168.178.20', '169.254.1.1', '224.0.0.251', '239.255.255.250', '255.255.255.255', '0.0.0.0']) {
      expect(nets.isLocal4(ip(a)), a).toBe(true);
    }
    for (const a of ['8.8.8.8', '172.32.0.1', '192.169.0.1', '93.184.216.34', '203.0.113.9', '11.0.0.1']) {
      expect(nets.isLocal4(ip(a)), a).toBe(false);
    }
  });

  it('agrees with a plain prefix comparison for configured networks, high addresses included', () => {
    const cidrs = ['192.168.0.0/16', '203.0.113.0/24', '128.0.0.0/1', '10.0.0.0/8'];
    const nets = new LocalNets(cidrs);
    const parsed = cidrs.map((c) => { const [a, b] = c.split('/'); return { net: ip(a), bits: Number(b) }; });
    fc.assert(fc.property(fc.integer({ min: 0, max: 0xffffffff }), (v) => {
      const never = v >>> 28 === 0xe || v === 0xffffffff || v === 0;
      const inNet = parsed.some(({ net, bits }) => Math.floor(v / 2 ** (32 - bits)) === Math.floor(net / 2 ** (32 - bits)));
      return nets.isLocal4(v) === (never || inNet);
    }), { numRuns: 20000 });
  });
});
