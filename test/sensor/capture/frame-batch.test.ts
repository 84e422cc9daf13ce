// FrameBatch (one buffer + typed arrays per chunk, sensor/capture/frame.ts): the Frame view of it,
// slices, and the decoders working at an offset inside it, never past the frame's end.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FrameBatch, type Frame } from '../../../sensor/capture/frame.js';
import { decodeFrame, decodeFrameAt } from '../../../sensor/decode/dispatch.js';
import { PcapLiveSource } from '../../../sensor/capture/live-pcap.js';
import { Packet } from '../../../sensor/decode/packet.js';
import { Pipeline } from '../../../sensor/pipeline.js';
import type { WaakhondEvent } from '../../../sensor/events.js';
import { arp, dnsPayload, httpRequest, tcpFrame, udpFrame } from '../../gen/packets.js';
import { wrapErspanII, wrapGreTeb, wrapVxlan } from '../../gen/tunnel.js';

const plain = (f: Frame) => ({ ts: f.ts, len: f.len, hex: Buffer.from(f.data).toString('hex'), linktype: f.linktype, iface: f.iface });

function someFrames(n: number): Frame[] {
  const out: Frame[] = [];
  for (let i = 0; i < n; i++) {
    const data = Uint8Array.from({ length: 20 + (i * 37) % 200 }, (_, k) => (k * 7 + i) & 0xff);
    out.push({ ts: 1_700_000_000_000_000 + i * 1013, len: data.length + (i % 3), data, linktype: i % 2 === 0 ? 1 : 101, iface: i % 4 });
  }
  return out;
}

describe('FrameBatch', () => {
  it('gives back the frames it was built from, growing past its first capacity', () => {
    const frames = someFrames(300);
    const b = FrameBatch.fromFrames(frames);
    expect(b).toHaveLength(300);
    expect([...b].map(plain)).toEqual(frames.map(plain));
    const grown = new FrameBatch(b.data, 1);
    for (let i = 0; i < b.length; i++) grown.add(b.off[i], b.caplen[i], b.len[i], b.ts[i], b.linktype[i], b.iface[i]);
    expect([...grown].map(plain)).toEqual(frames.map(plain));
  });

  it('slices like Array.slice, sharing the bytes and the arrays', () => {
    const frames = someFrames(10);
    const b = FrameBatch.fromFrames(frames);
    for (const [s, e] of [[0, 10], [3, 7], [7, 3], [-4, undefined], [0, -1], [8, 50], [12, 20]] as [number, number | undefined][]) {
      const got = [...b.slice(s, e)].map(plain);
      expect(got).toEqual(frames.slice(s, e).map(plain));
    }
    const part = b.slice(2, 5);
    expect(part.data).toBe(b.data);
    part.ts[0] = 42; // a replay rewrites times in place: the batch it came from sees it
    expect(b.ts[2]).toBe(42);
  });
});

/** The fields a decode fills, offsets made relative to the frame's start. */
function fields(p: Packet, start: number) {
  const rel = (o: number) => (o < 0 ? o : o - start);
  return {
    srcMac: p.srcMac, dstMac: p.dstMac, vlan: p.vlan, etherType: p.etherType, l3Off: rel(p.l3Off), ipVersion: p.ipVersion,
    ip4Src: p.ip4Src, ip4Dst: p.ip4Dst, ip6SrcOff: rel(p.ip6SrcOff), ip6DstOff: rel(p.ip6DstOff), ttl: p.ttl, ipProto: p.ipProto,
    fragment: p.fragment, l4Off: rel(p.l4Off), l4End: rel(p.l4End), srcPort: p.srcPort, dstPort: p.dstPort, tcpFlags: p.tcpFlags,
    seq: p.seq, window: p.window, icmpType: p.icmpType, payloadOff: rel(p.payloadOff), payloadLen: p.payloadLen,
    arpOp: p.arpOp, arpSha: p.arpSha, tunnelDepth: p.tunnelDepth, tunnelKinds: p.tunnelKinds, tunnelTooDeep: p.tunnelTooDeep,
  };
}

const VALID = [
  tcpFrame('b8:27:eb:00:00:01', 'aa:bb:cc:00:00:01', '192.168.1.5', '93.184.216.34', { sport: 40000, dport: 80, flags: 0x18, seq: 1, ack: 2 }, httpRequest('GET', '/', { Host: 'example.com' })),
  udpFrame('b8:27:eb:00:00:01', 'aa:bb:cc:00:00:01', '192.168.1.5', '192.168.1.1', 5353, 53, dnsPayload({ type: 'query', id: 7, questions: [{ type: 'A', name: 'example.com' }] })),
  arp(1, 'b8:27:eb:00:00:01', '192.168.1.5', '00:00:00:00:00:00', '192.168.1.1'),
];
const INNER = VALID[0];
/** Tunnels: each layer's length check must use the frame's end, not the buffer's. */
const TUNNELED = [wrapVxlan(INNER), wrapGreTeb(INNER), wrapErspanII(INNER)];

describe('decodeFrameAt', () => {
  it('decodes a frame inside a larger buffer exactly as the frame alone, never reading the bytes after it', () => {
    const frame = fc.oneof(
      fc.uint8Array({ minLength: 0, maxLength: 120 }),
      // Valid frames cut short (a snaplen, a truncated record): the next frame's bytes follow at once.
      fc.tuple(fc.constantFrom(...VALID, ...TUNNELED), fc.nat()).map(([f, n]) => f.subarray(0, n % (f.length + 1))),
    );
    fc.assert(fc.property(frame, fc.uint8Array({ maxLength: 64 }), fc.constantFrom(0xff, 0x00, 0x45), fc.constantFrom(0, 1, 101, 113, 276, 108),
      (bytes, before, fill, linktype) => {
        const alone = new Packet();
        alone.reset();
        alone.data = bytes;
        const r1 = decodeFrame(bytes, linktype, alone);
        // The frame between other bytes: whatever follows it (0xff, zeros, an IPv4 version byte) must not change the decode.
        const buf = new Uint8Array(before.length + bytes.length + 256).fill(fill);
        buf.set(before, 0);
        buf.set(bytes, before.length);
        const inside = new Packet();
        inside.reset();
        inside.data = buf;
        const r2 = decodeFrameAt(buf, before.length, before.length + bytes.length, linktype, inside);
        expect(r2).toBe(r1);
        expect(fields(inside, before.length)).toEqual(fields(alone, 0));
      }), { numRuns: 3000 });
  });
});

describe('Pipeline.push', () => {
  it('makes the same events and counters from a FrameBatch as from the same frames as objects', () => {
    const frames: Frame[] = [];
    for (let i = 0; i < 200; i++) {
      const f = VALID[i % VALID.length];
      // Some cut short, as a snaplen would.
      const data = i % 7 === 3 ? f.subarray(0, 30 + (i % 20)) : f;
      frames.push({ ts: 1_700_000_000_000_000 + i * 250_000, len: f.length, data, linktype: 1, iface: 0 });
    }
    const run = (push: (p: Pipeline) => void) => {
      const events: WaakhondEvent[] = [];
      const p = new Pipeline({ sinks: [(e) => events.push(e)] });
      push(p);
      p.finish();
      return { events, stats: p.stats };
    };
    const objects = run((p) => p.push(frames));
    const batch = FrameBatch.fromFrames(frames);
    const batched = run((p) => { p.push(batch.slice(0, 64)); p.pushBatch(batch.slice(64)); });
    // As the daemon hands a batch over: in pieces of 64 frames, the last one short.
    const pieces = run((p) => { for (let i = 0; i < batch.length; i += 64) p.pushBatch(batch, i, i + 64); });
    expect(objects.events.length).toBeGreaterThan(50);
    expect(batched.events).toEqual(objects.events);
    expect(batched.stats).toEqual(objects.stats);
    expect(pieces.events).toEqual(objects.events);
    expect(pieces.stats).toEqual(objects.stats);
  });
});

/** A stand-in for node_pcap's session: each 'packet' callback reads header + buf as libpcap left them. */
function standIn(bufBytes: number) {
  const buf = Buffer.alloc(bufBytes);
  const header = Buffer.alloc(16);
  let callback: () => void = () => {};
  const session = {
    link_type: 'LINKTYPE_ETHERNET', buf, header,
    session: { dispatch: () => 0, read_callback: () => {}, stats: () => ({ ps_recv: 0, ps_drop: 0, ps_ifdrop: 0 }) },
    on: (_ev: 'packet', fn: () => void) => { callback = fn; },
    close: () => {},
    stats: () => ({ ps_recv: 0, ps_drop: 0, ps_ifdrop: 0 }),
  };
  return { buf, header, session, onPacket: () => callback() };
}

describe('PcapLiveSource batches', () => {
  it('hands every frame over byte for byte when batches fill and overflow its slabs', async () => {
    const { buf, header, session, onPacket } = standIn(262144);
    const src = new PcapLiveSource(session, 'fake0');
    const sent: string[] = [];
    const packet = (i: number, size: number) => {
      for (let k = 0; k < size; k++) buf[k] = (i * 31 + k) & 0xff;
      header.writeUInt32LE(1_700_000_000 + i, 0);
      header.writeUInt32LE(i % 1_000_000, 4);
      header.writeUInt32LE(size, 8);
      header.writeUInt32LE(size + 4, 12);
      onPacket();
      sent.push(Buffer.from(buf.subarray(0, size)).toString('hex'));
    };
    const got: { hex: string; ts: number; len: number }[] = [];
    const batches: FrameBatch[] = [];
    const it = src[Symbol.asyncIterator]();
    let i = 0;
    // Bursts of different sizes: small ones, and ones of several MB that overflow a 1 MiB slab mid-batch.
    for (const [count, size] of [[3, 60], [2000, 1514], [1, 9000], [5000, 700], [10, 200_000], [50, 64]] as [number, number][]) {
      for (let k = 0; k < count; k++) packet(i++, size);
      const r = await it.next();
      expect(r.done).toBe(false);
      const b = r.value as FrameBatch;
      expect(b.length).toBe(count);
      batches.push(b);
    }
    src.close();
    // Read only now: a batch's bytes stay put while later ones fill the slab (or a new one).
    for (const b of batches) for (const f of b) got.push({ hex: Buffer.from(f.data).toString('hex'), ts: f.ts, len: f.len });
    expect(got.map((g) => g.hex)).toEqual(sent);
    expect(got.map((g) => g.ts)).toEqual(sent.map((_, k) => (1_700_000_000 + k) * 1e6 + (k % 1_000_000)));
    expect(got.map((g) => g.len)).toEqual(sent.map((h) => h.length / 2 + 4));
  });

  it('holds no more bytes than its ring for a consumer that is behind: the rest is counted as dropped', async () => {
    const { header, session, onPacket } = standIn(2048);
    const ring = 1 << 20;
    const src = new PcapLiveSource(session, 'fake0', ring);
    // 2,000 full-size frames (2.9 MiB) arrive while nobody reads: a 1 MiB ring's worth is kept.
    for (let i = 0; i < 2000; i++) {
      header.writeUInt32LE(1_700_000_000, 0);
      header.writeUInt32LE(i, 4);
      header.writeUInt32LE(1514, 8);
      header.writeUInt32LE(1514, 12);
      onPacket();
    }
    const kept = Math.floor(ring / 1514);
    const r = await src[Symbol.asyncIterator]().next();
    expect((r.value as FrameBatch).length).toBe(kept);
    expect(src.stats.dropped).toBe(2000 - kept);
    expect(src.stats.frames).toBe(kept);
    src.close();
  });
});
