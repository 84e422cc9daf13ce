// Hand-built events for the issue #11 engine tests (severity_by_kind, periodic order: ts, baseline), shapes of sensor/events.ts.
import type { ArpEvent, BtDhtEvent, ConnEvent, DhcpEvent, TcpSynAckEvent, TcpSynEvent, TrafficEvent, WaakhondEvent } from '../../sensor/events.js';
import type { RuleEngine } from '../../rules/engine/engine.js';
import { parseRuleText } from '../../rules/engine/load.js';
import type { Rule } from '../../rules/engine/types.js';
import { withText } from './text.js';

export const S = 1_000_000;
export const MIN = 60 * S;
export const H = 60 * MIN;
export const T0 = 1_700_000_000 * S;
export const GW = 'e0:28:6d:4a:10:01';
export const CAM = 'c0:56:e3:17:8a:4d';
export const PC = '3c:22:fb:00:00:01';

export function rule(yaml: string): Rule {
  const r = parseRuleText('t.yaml', withText(yaml));
  if (r.errors.length) throw new Error(JSON.stringify(r.errors));
  return r.rule!;
}

export function syn(o: Partial<TcpSynEvent> = {}): TcpSynEvent {
  return {
    type: 'tcp_syn', ts: T0, src_mac: CAM, dst_mac: GW, src_ip: '192.168.1.40', dst_ip: '41.2.3.4',
    direction: 'outbound', src_port: 40000, dst_port: 443, seq: 1, window: 5840, ttl: 64, options_length: 20,
    mirai_seq: false, ecn: false, ...o,
  };
}

export function synack(o: Partial<TcpSynAckEvent> = {}): TcpSynAckEvent {
  return { type: 'tcp_synack', ts: T0, src_mac: CAM, dst_mac: GW, src_ip: '192.168.1.40', dst_ip: '41.2.3.4', direction: 'outbound', src_port: 554, dst_port: 50000, ...o };
}

export function conn(o: Partial<ConnEvent> = {}): ConnEvent {
  return {
    type: 'conn', ts: T0, end_ts: T0, src_mac: CAM, dst_mac: GW, src_ip: '192.168.1.40', dst_ip: '41.2.3.4',
    direction: 'outbound', src_port: 40000, dst_port: 443, proto: 'tcp', ip_proto: 6, state: 'S0', orig_pkts: 1,
    orig_bytes: 0, resp_pkts: 0, resp_bytes: 0, reason: 'idle', ...o,
  };
}

export function traffic(mac: string, ts: number, ip = '192.168.1.77'): TrafficEvent {
  return {
    type: 'traffic', ts, interval: S, mac, ip, out_pkts: 1, out_bytes: 60, out_tcp_syn: 0,
    out_tcp_ack_only: 0, out_udp: 0, out_udp_512: 0, out_gre: 0, out_icmp_echo: 0, out_udp_vse: 0, out_udp_vse_dst: 0, out_distinct_dst: 0,
    out_distinct_dport: 0, in_pkts: 0, in_bytes: 0, in_tcp_syn: 0, in_udp: 0, in_distinct_src: 0,
  };
}

export function arp(mac: string, ip: string, ts: number): ArpEvent {
  return { type: 'arp', ts, op: 'request', sender_mac: mac, sender_ip: ip, target_mac: '00:00:00:00:00:00', target_ip: '192.168.1.1', gratuitous: false };
}

export function dhcpReply(serverMac: string, ts: number): DhcpEvent {
  return {
    type: 'dhcp', ts, src_mac: serverMac, message_type: 'ack', op: 'reply', xid: 1, ciaddr: '0.0.0.0', yiaddr: '192.168.1.80',
    src_ip: '192.168.1.1', dst_ip: '255.255.255.255', hostname: null, fqdn: null, vendor_class: null, param_list: null,
    client_id: null, requested_ip: null, server_id: '192.168.1.1', routers: ['192.168.1.1'], dns_servers: ['192.168.1.1'],
    lease_time: 86400, max_message_size: null, options: [], client_mac: '02:11:22:33:44:55',
  };
}

export function dht(o: Partial<BtDhtEvent> = {}): BtDhtEvent {
  return {
    type: 'bt_dht', ts: T0, src_mac: CAM, dst_mac: GW, src_ip: '192.168.1.40', dst_ip: '41.2.3.4', direction: 'outbound',
    src_port: 6881, dst_port: 40123, kind: 'query', method: 'find_node', node_id: null, ...o,
  } as BtDhtEvent;
}

/** The sensor's once-a-minute counters: what keeps a quiet test home's watched clock going (a real home is never silent). */
export function stats(ts: number): WaakhondEvent {
  return { type: 'sensor_stats', ts, packets: 0, bytes: 0, malformed: 0, unsupported_link: 0, ip_fragments: 0, dropped: 0, flows_active: 0, flows_evicted: 0, tables_full: [] };
}

/**
 * Tests jump hours between events; a home sends something every few seconds. Before each event a
 * gap of more than 5 min since the newest one is filled with sensor_stats every 5 min, so the
 * baseline's watched clock (gaps count for 10 min at most) sees the time pass.
 */
export function withHeartbeat(eng: RuleEngine): RuleEngine {
  const observe = eng.observe.bind(eng);
  let last = -1;
  eng.observe = (e: WaakhondEvent) => {
    if (last >= 0) for (let t = last + 5 * MIN; t < e.ts; t += 5 * MIN) observe(stats(t));
    if (e.ts > last) last = e.ts;
    observe(e);
  };
  return eng;
}
