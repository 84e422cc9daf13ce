// A synthetic spoofed flood for the memory bound: N distinct spoofed sources hit a home device, and transit SYNs fan out.
import { RuleEngine } from '../../rules/engine/engine.js';
import type { ConnEvent, TcpSynEvent, TrafficEvent } from '../../sensor/events.js';

const S = 1_000_000;
const T0 = 1_700_000_000 * S;
const VICTIM = 'c0:56:e3:17:8a:4d';

/** Feed `sources` spoofed sources (3 events each: inbound SYN, a finished telnet/SSH-like conn, a transit SYN). */
export function spoofedFlood(engine: RuleEngine, sources: number, from = 0, onProgress?: (i: number) => void): void {
  // One mutable event of each kind: the flood must not measure the test's own allocations.
  const syn: TcpSynEvent = {
    type: 'tcp_syn', ts: T0, src_mac: 'e0:28:6d:4a:10:01', dst_mac: VICTIM, src_ip: '', dst_ip: '192.168.1.40',
    direction: 'inbound', src_port: 1024, dst_port: 23, seq: 0, window: 512, ttl: 240, options_length: 0, mirai_seq: false, ecn: false,
  };
  const transit: TcpSynEvent = { ...syn, src_mac: 'aa:bb:cc:00:00:01', dst_mac: 'e0:28:6d:4a:10:01', direction: 'external', dst_port: 443 };
  const conn: ConnEvent = {
    type: 'conn', ts: T0, end_ts: T0, src_mac: 'e0:28:6d:4a:10:01', dst_mac: VICTIM, src_ip: '', dst_ip: '192.168.1.40',
    direction: 'inbound', proto: 'tcp', ip_proto: 6, src_port: 1024, dst_port: 22, state: 'SF', orig_pkts: 3, orig_bytes: 0,
    resp_pkts: 2, resp_bytes: 0, reason: 'closed',
  };
  const traffic: TrafficEvent = {
    type: 'traffic', ts: T0, interval: S, mac: VICTIM, ip: '192.168.1.40', out_pkts: 0, out_bytes: 0, out_tcp_syn: 0,
    out_tcp_ack_only: 0, out_udp: 0, out_udp_512: 0, out_gre: 0, out_icmp_echo: 0, out_udp_vse: 0, out_udp_vse_dst: 0, out_distinct_dst: 0, out_distinct_dport: 0,
    in_pkts: 50_000, in_bytes: 3_000_000, in_tcp_syn: 50_000, in_udp: 0, in_distinct_src: 1024,
  };
  for (let i = from; i < from + sources; i++) {
    // 50 000 spoofed sources per second of capture time.
    const ts = T0 + Math.floor(i / 50) * 1000;
    const ip = `${11 + ((i >>> 24) & 127)}.${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}`;
    syn.ts = ts; syn.src_ip = ip; syn.src_port = 1024 + (i & 0x7fff); syn.seq = i;
    engine.observe(syn);
    conn.ts = ts; conn.end_ts = ts + 1000; conn.src_ip = ip;
    engine.observe(conn);
    transit.ts = ts; transit.src_ip = '10.9.9.9'; transit.dst_ip = ip; transit.dst_port = 1 + (i & 0xffff);
    engine.observe(transit);
    if (i % 50_000 === 0) {
      traffic.ts = ts;
      engine.observe(traffic);
    }
    if (onProgress && i % 100_000 === 0) onProgress(i);
  }
}
