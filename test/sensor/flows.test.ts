// The flow table: direction, Zeek-style states, idle expiry, the cap with eviction, and memory bounds.
import { describe, expect, it } from 'vitest';
import { FlowTable, type FlowEndReason } from '../../sensor/flows.js';
import { Packet, TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN } from '../../sensor/decode/packet.js';

function pkt(ts: number, src: number, sport: number, dst: number, dport: number, flags: number, payload = 0, proto = 6): Packet {
  const p = new Packet();
  p.reset();
  p.ts = ts;
  p.ipVersion = 4;
  p.ip4Src = src;
  p.ip4Dst = dst;
  p.srcPort = sport;
  p.dstPort = dport;
  p.ipProto = proto;
  p.tcpFlags = flags;
  p.payloadLen = payload;
  p.srcMac = src;
  p.dstMac = dst;
  return p;
}

function table(cap = 64) {
  const t = new FlowTable({ capacity: cap, tcpIdle: 300e6, otherIdle: 60e6, closedLinger: 5e6 });
  const ended: { flow: number; reason: FlowEndReason; state: string; op: number; rp: number; ob: number }[] = [];
  t.onEnd = (f, reason) => ended.push({ flow: f, reason, state: t.connState(f), op: t.origPkts[f], rp: t.respPkts[f], ob: t.origBytes[f] });
  return { t, ended };
}

const A = 0xc0a80210; // 192.168.2.16
const B = 0x29020304; // 41.2.3.4

describe('FlowTable', () => {
  it('tracks a full handshake and close as SF, both directions in one flow', () => {
    const { t, ended } = table();
    expect(t.update(pkt(1, A, 40000, B, 80, TCP_SYN))).toBe(1);
    expect(t.update(pkt(2, B, 80, A, 40000, TCP_SYN | TCP_ACK))).toBe(-1);
    t.update(pkt(3, A, 40000, B, 80, TCP_ACK, 100));
    t.update(pkt(4, A, 40000, B, 80, TCP_FIN | TCP_ACK));
    expect(ended).toHaveLength(0);
    t.update(pkt(5, B, 80, A, 40000, TCP_FIN | TCP_ACK));
    expect(ended).toEqual([{ flow: 0, reason: 'closed', state: 'SF', op: 3, rp: 2, ob: 100 }]);
    // The last ACK is absorbed by the closed flow, not a new one.
    t.update(pkt(6, A, 40000, B, 80, TCP_ACK));
    expect(t.active).toBe(0);
    t.drain();
    expect(ended).toHaveLength(1);
  });

  it('classifies S0, REJ and flips a flow first seen at its SYN-ACK', () => {
    const { t, ended } = table();
    t.update(pkt(1, A, 1, B, 23, TCP_SYN));
    t.update(pkt(1, A, 2, B, 23, TCP_SYN));
    t.update(pkt(2, B, 23, A, 2, TCP_RST | TCP_ACK));
    expect(t.update(pkt(3, B, 443, A, 3, TCP_SYN | TCP_ACK))).toBe(-3);
    t.drain();
    const byState = ended.map((e) => e.state).sort();
    expect(byState).toEqual(['OTH', 'REJ', 'S0'].sort());
  });

  it('expires idle flows by protocol timeout', () => {
    const { t, ended } = table();
    t.update(pkt(0, A, 1, B, 53, 0, 30, 17)); // UDP: 60 s
    t.update(pkt(0, A, 2, B, 80, TCP_SYN)); // an attempt nobody answers: 40 s after its last SYN
    t.update(pkt(0, A, 3, B, 81, TCP_SYN)); // answered: a connection, 5 min
    t.update(pkt(1, B, 81, A, 3, TCP_SYN | TCP_ACK));
    t.update(pkt(32e6, A, 2, B, 80, TCP_SYN)); // a retransmission 32 s later is the same attempt
    t.expire(71e6);
    expect(ended.map((e) => e.reason)).toEqual(['idle']); // the UDP flow
    t.expire(73e6);
    expect(ended).toHaveLength(2);
    expect(ended[1]!.state).toBe('S0');
    t.expire(299e6);
    expect(ended).toHaveLength(2);
    t.expire(301e6);
    expect(ended).toHaveLength(3);
    expect(t.expired).toBe(3);
  });

  it('never grows past its capacity under a spoofed SYN flood, evicting the oldest', () => {
    const { t, ended } = table(64);
    for (let i = 0; i < 100_000; i++) t.update(pkt(i, (0x0a000000 + i) >>> 0, 1000 + (i % 5000), A, 80, TCP_SYN));
    expect(t.active).toBe(64);
    expect(t.evicted).toBe(100_000 - 64);
    expect(ended).toHaveLength(100_000 - 64);
    // The flows left are the newest ones, and lookups still find them.
    const last = 99_999;
    expect(t.update(pkt(last + 1, A, 80, (0x0a000000 + last) >>> 0, 1000 + (last % 5000), TCP_SYN | TCP_ACK))).toBeLessThan(0);
  });

  it('finds every live flow after many deletions (backward-shift keeps probe chains)', () => {
    const t = new FlowTable({ capacity: 256, otherIdle: 100 });
    const lastSeen = new Map<number, number>();
    let seed = 7;
    const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
    for (let i = 0; i < 20000; i++) {
      t.expire(i);
      const port = rnd() % 400;
      t.update(pkt(i, A, port, B, 9999, 0, 0, 17));
      lastSeen.set(port, i);
      // Every flow touched within the idle time must still be in the table: a lookup adds nothing.
      if (i % 97 === 0) {
        for (const [p2, ts] of lastSeen) {
          // Only flows touched within half the idle time (a lookup refreshes them; the map keeps
          // the older time so they are not looked up again and can still expire).
          if (i - ts >= 50 || p2 === port) continue;
          const before = t.active;
          t.update(pkt(i, B, 9999, A, p2, 0, 0, 17));
          expect(t.active).toBe(before);
        }
      }
    }
    expect(t.active).toBeLessThanOrEqual(256);
    expect(t.expired).toBeGreaterThan(1000);
  });
});
