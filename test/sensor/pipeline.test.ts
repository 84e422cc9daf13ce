// The pipeline on real captures: the events it emits, checked against what tshark dissects in the
// same files (the expected numbers below were read with tshark 4.0 from ../shared/pcaps).
import { expect, it } from 'vitest';
import { openCaptureFile } from '../../sensor/capture/file.js';
import type { WaakhondEvent } from '../../sensor/events.js';
import { Pipeline } from '../../sensor/pipeline.js';
import { describeShared, pcap } from '../helpers/shared.js';

async function events(file: string, localNets?: string[]): Promise<{ all: WaakhondEvent[]; pipeline: Pipeline }> {
  const all: WaakhondEvent[] = [];
  const pipeline = new Pipeline({ sinks: [(e) => all.push(e)], localNets });
  for await (const batch of openCaptureFile(file)) pipeline.push(batch);
  pipeline.finish();
  return { all, pipeline };
}

function ofType<T extends WaakhondEvent['type']>(all: WaakhondEvent[], type: T): Extract<WaakhondEvent, { type: T }>[] {
  return all.filter((e) => e.type === type) as Extract<WaakhondEvent, { type: T }>[];
}

describeShared('pipeline events on real captures', () => {
  it('DHCP: every message of a full exchange, in order, with the hostname', async () => {
    const { all } = await events(pcap('zeek-traces/dhcp_dhcp.pcap'));
    const dhcp = ofType(all, 'dhcp');
    // tshark: dhcp.option.dhcp = 1 2 3 6 3 5 4 7 8
    expect(dhcp.map((d) => d.message_type)).toEqual(['discover', 'offer', 'request', 'nak', 'request', 'ack', 'decline', 'release', 'inform']);
    expect(dhcp[0].client_mac).toBe('90:b1:1c:99:49:29');
    expect(dhcp[0].hostname).toBe('btest.is.cool');
  });

  it('DHCP: option 55 in order, option 61 client id', async () => {
    const { all } = await events(pcap('zeek-traces/dhcp_dhcp_discover_param_req_and_client_id.pcap'));
    const d = ofType(all, 'dhcp')[0];
    // tshark: Parameter Request List 1, 3, 6, 42; Host Name test0000; client id 01 00:0b:82:01:fc:42
    expect(d.param_list).toEqual([1, 3, 6, 42]);
    expect(d.hostname).toBe('test0000');
    expect(d.client_id).toMatch(/^01:?000b8201fc42$|^01:00:0b:82:01:fc:42$/);
  });

  it('telnet scanning of the Hide and Seek bot: 383 outbound SYNs to 81 hosts on 23/2323, none Mirai-seq', async () => {
    const { all } = await events(pcap('slips/hide-and-seek_test7-malicious.pcap'));
    const syns = ofType(all, 'tcp_syn').filter((s) => s.src_ip === '192.168.2.16' && (s.dst_port === 23 || s.dst_port === 2323));
    // tshark -Y '!icmp && tcp.flags.syn==1 && tcp.flags.ack==0 && ip.src==192.168.2.16 && (tcp.dstport==23 || tcp.dstport==2323)'
    // gives 383 SYNs to 81 addresses (without !icmp it also counts 2 SYNs quoted inside ICMP errors).
    expect(syns).toHaveLength(383);
    expect(new Set(syns.map((s) => s.dst_ip)).size).toBe(81);
    expect(syns.every((s) => s.direction === 'outbound' && s.src_mac === 'b8:27:eb:c7:e9:c9')).toBe(true);
    expect(syns.some((s) => s.mirai_seq)).toBe(false);
    // Unanswered probes end as S0 connections.
    const s0 = ofType(all, 'conn').filter((c) => c.src_ip === '192.168.2.16' && c.dst_port === 23 && c.state === 'S0');
    expect(s0.length).toBeGreaterThan(50);
    // Per-device traffic counters see the sweep.
    const traffic = ofType(all, 'traffic').filter((t) => t.mac === 'b8:27:eb:c7:e9:c9');
    expect(Math.max(...traffic.map((t) => t.out_distinct_dst))).toBeGreaterThan(1);
  });

  it('telnet payload: server banner text from both sides, IAC negotiation removed', async () => {
    const { all } = await events(pcap('ndpi/pcap/telnet.pcap'));
    const t = ofType(all, 'telnet_data');
    expect(t.some((e) => e.from === 'client')).toBe(true);
    const server = t.filter((e) => e.from === 'server').map((e) => e.text).join('');
    expect(server).toContain('OpenBSD/i386 (oof) (ttyp2)');
    expect(t.every((e) => !e.text.includes('\xff'))).toBe(true);
  });

  it('TLS: the ClientHello SNI', async () => {
    const { all } = await events(pcap('ndpi/pcap/tls_alert.pcap'));
    const hello = ofType(all, 'tls_client_hello');
    expect(hello.length).toBeGreaterThan(0);
    // tshark: tls.handshake.extensions_server_name
    expect(hello[0].sni).toBe('www.google-analytics.com');
    expect(hello[0].ja3_hash).toMatch(/^[0-9a-f]{32}$/);
  });

  it('TLS: a ClientHello split over two TCP segments is joined', async () => {
    const { all } = await events(pcap('ndpi/pcap/dingtalk.pcap'));
    const hello = ofType(all, 'tls_client_hello');
    // tshark -Y 'tls.handshake.type==1 && tcp.segments': one reassembled hello, SNI static.dingtalk.com
    const h = hello.find((x) => x.sni === 'static.dingtalk.com');
    expect(h).toBeDefined();
    // Complete (not truncated): the fingerprints are filled in.
    expect(h!.ja4).toMatch(/^t1/);
    expect(h!.ja3_hash).toMatch(/^[0-9a-f]{32}$/);
  });

  it('TLS: JA4 marks an unknown supported_versions value as 00', async () => {
    const { all } = await events(pcap('ndpi/pcap/tls_2_reasms.pcapng'));
    // tshark: supported_versions 0x0304, 0xfb1a (not a known TLS version): JA4 spec says "00".
    const h = ofType(all, 'tls_client_hello').find((x) => x.sni === 'i.instagram.com');
    expect(h!.ja4).toMatch(/^t00d/);
  });

  it('QUIC: the SNI of an Initial packet', async () => {
    const { all } = await events(pcap('ndpi/pcap/quic-23.pcap'));
    const hello = ofType(all, 'tls_client_hello');
    // tshark: tls.handshake.extensions_server_name quic.aiortc.org (IETF draft 23)
    expect(hello.map((h) => h.sni)).toContain('quic.aiortc.org');
    expect(hello[0].ja4).toMatch(/^q/);
  });

  it('SSDP: a MiniUPnPd NOTIFY with SERVER, USN and LOCATION', async () => {
    const { all } = await events(pcap('suricata-verify/sip-ssdp-pm__ssdp.pcap'));
    const s = ofType(all, 'ssdp');
    expect(s.length).toBeGreaterThan(0);
    expect(s[0].server).toBe('UPnP/Tomato 1.28.7500 MIPSR2Toastman-RT K26 USB Ext UPnP/1.0 MiniUPnPd/1.6');
    expect(s[0].location).toBe('http://192.168.1.1:7406/rootDesc.xml');
    expect(s[0].usn).toBe('uuid:04645c3d-e6b4-4eea-bd35-5c320c12969f::upnp:rootdevice');
  });

  it('mDNS: queries and answers with the multicast flag', async () => {
    const { all } = await events(pcap('zeek-traces/dns_mdns.pcap'));
    const dns = ofType(all, 'dns');
    expect(dns.every((d) => d.mdns)).toBe(true);
    expect(dns.some((d) => d.questions.some((q) => q.name === '_ipp._tcp.local'))).toBe(true);
    expect(dns.some((d) => d.answers.some((a) => a.name === 'johanna-QEMU-Virtual-Machine.local'))).toBe(true);
  });

  it('a spoofed SYN flood stays within the flow table cap and is counted per victim', async () => {
    const victim = '0.0.0.0/0';
    const { all, pipeline } = await events(pcap('stopddos/pkt.TCP.synflood.spoofed.pcap'), [victim]);
    expect(pipeline.flows.active).toBe(0); // drained at the end
    expect(pipeline.stats.packets).toBeGreaterThan(1000);
    const conns = ofType(all, 'conn');
    expect(conns.length).toBeGreaterThan(100);
    const stats = ofType(all, 'sensor_stats');
    expect(stats.at(-1)!.packets).toBe(pipeline.stats.packets);
  });
});
