// Which shard a frame goes to (sensor/shard/key.ts): the device it belongs to, the same for a packet
// and its reply, with a copy for the other side of traffic inside the home. Frames are built here
// (test/gen/packets.ts): these check the rules as written, the agreement on real captures is measured
// by test/sensor/shard/shards.test.ts and test/rules/tools/shard-compare.ts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LOCAL_NETS, LocalNets } from '../../../sensor/addr.js';
import { LINKTYPE_ETHERNET, LINKTYPE_RAW } from '../../../sensor/capture/frame.js';
import { copyTo, macHashOf, ownerHash, shardOf } from '../../../sensor/shard/key.js';
import { arp, dhcpPayload, tcpFrame, udpFrame } from '../../../test/gen/packets.js';
import { DEVICE, ROUTER as RA_ROUTER, routerAdvert, syn } from '../../helpers/ipv6-frames.js';

const CAM = '00:1a:22:00:00:01';
const NAS = '00:1a:22:00:00:02';
const ROUTER = '00:1a:22:00:00:fe';

function owner(frame: Uint8Array, local = new LocalNets(DEFAULT_LOCAL_NETS)): { hash: number; copy: number } {
  const hash = ownerHash(frame, 0, frame.length, LINKTYPE_ETHERNET, local);
  return { hash, copy: copyTo.hash };
}

const SYN = 0x02;
const SYNACK = 0x12;

describe('shard key', () => {
  it('gives a packet to the internet and its reply to the home device, with no copy for the router', () => {
    const out = owner(tcpFrame(CAM, ROUTER, '192.168.1.10', '203.0.113.5', { sport: 40000, dport: 443, seq: 1, flags: SYN }));
    const back = owner(tcpFrame(ROUTER, CAM, '203.0.113.5', '192.168.1.10', { sport: 443, dport: 40000, seq: 9, ack: 2, flags: SYNACK }));
    expect(out.hash).toBe(macHashOf(CAM));
    expect(back.hash).toBe(macHashOf(CAM));
    expect(out.copy).toBe(-1);
    expect(back.copy).toBe(-1);
  });

  it('gives traffic inside the home to the client (the ephemeral port) and a copy to the server', () => {
    const req = owner(tcpFrame(CAM, NAS, '192.168.1.10', '192.168.1.20', { sport: 51000, dport: 445, seq: 1, flags: SYN }));
    const rep = owner(tcpFrame(NAS, CAM, '192.168.1.20', '192.168.1.10', { sport: 445, dport: 51000, seq: 5, ack: 2, flags: SYNACK }));
    expect(req.hash).toBe(macHashOf(CAM));
    expect(rep.hash).toBe(macHashOf(CAM));
    expect(req.copy).toBe(macHashOf(NAS));
    expect(rep.copy).toBe(macHashOf(NAS));
  });

  it('gives DHCP to the client named in chaddr, whoever sends it, and a copy of a reply to the server', () => {
    const discover = udpFrame(CAM, 'ff:ff:ff:ff:ff:ff', '0.0.0.0', '255.255.255.255', 68, 67, dhcpPayload({ op: 1, xid: 7, chaddr: CAM, type: 1, options: [] }));
    const offer = udpFrame(ROUTER, 'ff:ff:ff:ff:ff:ff', '192.168.1.1', '255.255.255.255', 67, 68, dhcpPayload({ op: 2, xid: 7, chaddr: CAM, type: 2, yiaddr: '192.168.1.10', options: [] }));
    const ack = udpFrame(ROUTER, CAM, '192.168.1.1', '192.168.1.10', 67, 68, dhcpPayload({ op: 2, xid: 7, chaddr: CAM, type: 5, yiaddr: '192.168.1.10', options: [] }));
    expect(owner(discover).hash).toBe(macHashOf(CAM));
    for (const reply of [offer, ack]) {
      const o = owner(reply);
      expect(o.hash).toBe(macHashOf(CAM));
      expect(o.copy).toBe(macHashOf(ROUTER));
    }
  });

  it('gives broadcasts and ARP to their sender', () => {
    expect(owner(arp(1, NAS, '192.168.1.20', '00:00:00:00:00:00', '192.168.1.1')).hash).toBe(macHashOf(NAS));
    const reply = owner(arp(2, ROUTER, '192.168.1.1', NAS, '192.168.1.20'));
    expect(reply.hash).toBe(macHashOf(ROUTER));
    expect(reply.copy).toBe(-1);
    const ssdp = owner(udpFrame(CAM, '01:00:5e:7f:ff:fa', '192.168.1.10', '239.255.255.250', 50000, 1900, new Uint8Array(20)));
    expect(ssdp.hash).toBe(macHashOf(CAM));
    expect(ssdp.copy).toBe(-1);
  });

  it('follows the home networks it is given', () => {
    const f = tcpFrame(CAM, ROUTER, '100.64.0.10', '203.0.113.5', { sport: 40000, dport: 443, seq: 1, flags: SYN });
    // 100.64/10 is not a default home network: two outside addresses, so the lower MAC, copied to the other.
    const outside = owner(f);
    expect(outside.hash).toBe(macHashOf(CAM));
    expect(outside.copy).toBe(macHashOf(ROUTER));
    const home = owner(f, new LocalNets(['100.64.0.0/10']));
    expect(home.hash).toBe(macHashOf(CAM));
    expect(home.copy).toBe(-1);
  });

  it('learns the home\'s IPv6 prefix from router advertisements, unless the home networks were given', () => {
    const mac = (hex: string) => hex.match(/../g)!.join(':');
    const out = syn('2001:db8:1::10', '2a00:1450::1');
    for (const learn of [true, false]) {
      const local = new LocalNets(DEFAULT_LOCAL_NETS);
      // Before the advertisement the global address is nobody's home: the lower MAC, copied to the other.
      expect(ownerHash(out, 0, out.length, LINKTYPE_ETHERNET, local, learn)).toBe(macHashOf(mac(RA_ROUTER) < mac(DEVICE) ? mac(RA_ROUTER) : mac(DEVICE)));
      expect(copyTo.hash).not.toBe(-1);
      const ra = routerAdvert('2001:db8:1::', 64);
      ownerHash(ra, 0, ra.length, LINKTYPE_ETHERNET, local, learn);
      const after = ownerHash(out, 0, out.length, LINKTYPE_ETHERNET, local, learn);
      if (learn) {
        expect(after).toBe(macHashOf(mac(DEVICE)));
        expect(copyTo.hash).toBe(-1);
      } else {
        expect(copyTo.hash).not.toBe(-1);
      }
    }
  });

  it('spreads devices over the shards', () => {
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 4000; i++) {
      const m = `00:1a:22:${(i >> 16).toString(16).padStart(2, '0')}:${((i >> 8) & 255).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`;
      counts[shardOf(macHashOf(m), 4)]++;
    }
    for (const c of counts) expect(c).toBeGreaterThan(850);
  });

  it('never throws on any bytes, and frames without a MAC go to the first shard', () => {
    const local = new LocalNets(DEFAULT_LOCAL_NETS);
    fc.assert(fc.property(fc.uint8Array({ maxLength: 120 }), fc.nat(130), (bytes, cut) => {
      const end = Math.min(bytes.length, cut);
      const h = ownerHash(bytes, 0, end, LINKTYPE_ETHERNET, local);
      expect(Number.isInteger(h) && h >= 0 && h < 2 ** 32).toBe(true);
      expect(ownerHash(bytes, 0, end, LINKTYPE_RAW, local)).toBe(0);
    }), { numRuns: 2000 });
  });
});
