// Engine semantics with hand-built rules and events: conditions, windows, thresholds, sequences, periodicity, suppression.
import { describe, expect, it } from 'vitest';
import { RuleEngine } from '../../rules/engine/engine.js';
import { parseRuleText } from '../../rules/engine/load.js';
import type { Rule } from '../../rules/engine/types.js';
import type { ConnEvent, DhcpEvent, DnsEvent, TcpSynEvent, TrafficEvent } from '../../sensor/events.js';
import { withText } from './text.js';

const S = 1_000_000;
const T0 = 1_700_000_000 * S;
const DEV = 'c0:56:e3:17:8a:4d';

function rule(yaml: string): Rule {
  const r = parseRuleText('t.yaml', withText(yaml));
  expect(r.errors).toEqual([]);
  return r.rule!;
}

function syn(o: Partial<TcpSynEvent> = {}): TcpSynEvent {
  return {
    type: 'tcp_syn', ts: T0, src_mac: DEV, dst_mac: 'e0:28:6d:4a:10:01', src_ip: '192.168.1.40', dst_ip: '41.2.3.4',
    direction: 'outbound', src_port: 40000, dst_port: 23, seq: 1, window: 5840, ttl: 64, options_length: 20,
    mirai_seq: false, ecn: false, ...o,
  };
}

function traffic(o: Partial<TrafficEvent>): TrafficEvent {
  return {
    type: 'traffic', ts: T0, interval: S, mac: DEV, ip: '192.168.1.40', out_pkts: 0, out_bytes: 0, out_tcp_syn: 0,
    out_tcp_ack_only: 0, out_udp: 0, out_udp_512: 0, out_gre: 0, out_icmp_echo: 0, out_udp_vse: 0, out_udp_vse_dst: 0, out_distinct_dst: 0,
    out_distinct_dport: 0, in_pkts: 0, in_bytes: 0, in_tcp_syn: 0, in_udp: 0, in_distinct_src: 0, ...o,
  };
}

const HEAD = 'title: Test rule\nseverity: high\nsummary: "{device} {events} {distinct}"\n';

describe('conditions', () => {
  const r = rule(`id: t.cond\n${HEAD}match:
  event: tcp_syn
  direction: outbound
  dst_port: { in: [23, 2323] }
  dst_ip: { public: true, not_cidr: [41.0.0.0/8] }
  ttl: { gte: 32, lt: 128 }
threshold: 1
`);
  const fires = (e: TcpSynEvent): boolean => {
    const eng = new RuleEngine([r]);
    eng.observe(e);
    return eng.alerts().length === 1;
  };
  it('all must hold', () => {
    expect(fires(syn({ dst_ip: '8.8.4.4' }))).toBe(true);
    expect(fires(syn({ dst_ip: '41.9.9.9' }))).toBe(false); // not_cidr
    expect(fires(syn({ dst_ip: '192.168.1.9' }))).toBe(false); // not public
    expect(fires(syn({ dst_ip: '198.51.100.7' }))).toBe(false); // documentation range is not public
    expect(fires(syn({ dst_ip: '8.8.4.4', dst_port: 80 }))).toBe(false);
    expect(fires(syn({ dst_ip: '8.8.4.4', direction: 'inbound' }))).toBe(false);
    expect(fires(syn({ dst_ip: '8.8.4.4', ttl: 128 }))).toBe(false);
  });
  it('regex, nocase, cidr for IPv6, multicast, gte_field', () => {
    const rr = rule(`id: t.more\n${HEAD}match:
  event: traffic
  out_tcp_ack_only: { gte: 100, gte_field: { field: in_pkts, times: 4 } }
threshold: 1
`);
    const eng = new RuleEngine([rr]);
    eng.observe(traffic({ out_tcp_ack_only: 1000, in_pkts: 300 }));
    expect(eng.alerts()).toHaveLength(0); // 1000 < 4 * 300: a download's ACKs
    eng.observe(traffic({ ts: T0 + S, out_tcp_ack_only: 1000, in_pkts: 10 }));
    expect(eng.alerts()).toHaveLength(1);
    const v6 = rule(`id: t.v6\n${HEAD}match:\n  event: tcp_syn\n  dst_ip: { cidr: "2001:db8::/32" }\n  src_ip: { regex: "^FE80", nocase: true }\nthreshold: 1\n`);
    const e2 = new RuleEngine([v6]);
    e2.observe(syn({ src_ip: 'fe80::1', dst_ip: '2001:db8:0:1::5' }));
    e2.observe(syn({ src_ip: 'fe80::1', dst_ip: '2001:db9::5', src_mac: 'aa:aa:aa:aa:aa:aa' }));
    expect(e2.alerts().map((a) => a.device)).toEqual([DEV]);
  });
});

describe('thresholds and windows', () => {
  it('sliding count: events spread over more than the window do not add up', () => {
    const r = rule(`id: t.count\n${HEAD}match: { event: tcp_syn }\nwindow: 10s\nthreshold: { count: 3 }\n`);
    const eng = new RuleEngine([r]);
    eng.observe(syn({ ts: T0 }));
    eng.observe(syn({ ts: T0 + 6 * S }));
    eng.observe(syn({ ts: T0 + 12 * S })); // the first has left the window
    expect(eng.alerts()).toHaveLength(0);
    eng.observe(syn({ ts: T0 + 13 * S }));
    expect(eng.alerts()).toHaveLength(1);
  });
  it('tumbling count resets at window boundaries', () => {
    const r = rule(`id: t.tumble\n${HEAD}match: { event: tcp_syn }\nwindow: { size: 10s, kind: tumbling }\nthreshold: { count: 2 }\n`);
    const eng = new RuleEngine([r]);
    eng.observe(syn({ ts: 9 * S }));
    eng.observe(syn({ ts: 11 * S }));
    expect(eng.alerts()).toHaveLength(0);
    eng.observe(syn({ ts: 12 * S }));
    expect(eng.alerts()).toHaveLength(1);
  });
  it('sum threshold over traffic counters', () => {
    const r = rule(`id: t.sum\n${HEAD}match: { event: traffic }\nwindow: 10s\nthreshold: { sum: out_gre, min: 1000 }\n`);
    const eng = new RuleEngine([r]);
    for (let i = 0; i < 3; i++) eng.observe(traffic({ ts: T0 + i * S, out_gre: 300 }));
    expect(eng.alerts()).toHaveLength(0);
    eng.observe(traffic({ ts: T0 + 3 * S, out_gre: 100 }));
    expect(eng.alerts()).toHaveLength(1);
  });
  it('distinct: repeats of one value count once; the alert keeps a total', () => {
    const r = rule(`id: t.distinct\n${HEAD}match: { event: tcp_syn }\nwindow: 5m\nthreshold: { distinct: dst_ip, min: 10 }\n`);
    const eng = new RuleEngine([r]);
    for (let i = 0; i < 50; i++) eng.observe(syn({ ts: T0 + i * 1000, dst_ip: '41.0.0.1' }));
    for (let i = 0; i < 8; i++) eng.observe(syn({ ts: T0 + S + i * 1000, dst_ip: `41.0.1.${i}` }));
    expect(eng.alerts()).toHaveLength(0); // 9 distinct
    eng.observe(syn({ ts: T0 + 2 * S, dst_ip: '41.0.2.1' }));
    expect(eng.alerts()).toHaveLength(1);
    for (let i = 0; i < 25; i++) eng.observe(syn({ ts: T0 + 3 * S + i, dst_ip: `41.0.3.${i}` }));
    const a = eng.alerts()[0]!;
    expect(a.count).toBe(3);
    // Values are carried into the alert when it fires: 10 + 10 + 10 (5 are still in the window).
    expect(a.evidence[0]!.distinct).toBe(30);
    expect(a.summary).toBe(`${DEV} 79 30`); // 59 events to the first firing, then 10 + 10
  });
  it('periodic: a steady interval fires, jitter does not', () => {
    const r = rule(`id: t.beacon\n${HEAD}match: { event: tcp_syn }\ngroup_by: [device, remote_ip]\nwindow: 10m\nthreshold: { periodic: { min_count: 10, max_jitter: 0.1, min_interval: 1s } }\n`);
    const steady = new RuleEngine([r]);
    for (let i = 0; i < 10; i++) steady.observe(syn({ ts: T0 + i * 2 * S + (i % 2) * 50_000 }));
    expect(steady.alerts()).toHaveLength(1);
    const noisy = new RuleEngine([r]);
    let t = T0;
    for (let i = 0; i < 30; i++) noisy.observe(syn({ ts: (t += (i % 3 === 0 ? 1 : 4) * S) }));
    expect(noisy.alerts()).toHaveLength(0);
  });
});

describe('sequences and alerts as events', () => {
  it('A then B within T on the same device', () => {
    const r = rule(`id: t.seq\n${HEAD}sequence:
  within: 1m
  steps:
    - { event: tcp_syn, dst_port: 23 }
    - { event: tcp_syn, dst_port: 48101 }
`);
    const eng = new RuleEngine([r]);
    eng.observe(syn({ ts: T0, dst_port: 48101 })); // B before A: nothing
    eng.observe(syn({ ts: T0 + S, dst_port: 23 }));
    eng.observe(syn({ ts: T0 + 2 * S, dst_port: 48101, src_mac: 'aa:aa:aa:aa:aa:aa' })); // other device
    expect(eng.alerts()).toHaveLength(0);
    eng.observe(syn({ ts: T0 + 90 * S, dst_port: 48101 })); // too late
    expect(eng.alerts()).toHaveLength(0);
    eng.observe(syn({ ts: T0 + 100 * S, dst_port: 23 }));
    eng.observe(syn({ ts: T0 + 110 * S, dst_port: 48101 }));
    expect(eng.alerts()).toHaveLength(1);
  });
  it('a sequence over other rules\' alerts', () => {
    const a = rule(`id: t.a\n${HEAD}match: { event: tcp_syn, dst_port: 23 }\n`);
    const b = rule(`id: t.b\n${HEAD}match: { event: tcp_syn, dst_port: 48101 }\n`);
    const chain = rule(`id: t.chain\n${HEAD}sequence:\n  within: 10m\n  steps:\n    - { event: alert, rule: t.a }\n    - { event: alert, rule: t.b }\n`);
    const eng = new RuleEngine([a, b, chain]);
    eng.observe(syn({ ts: T0, dst_port: 23 }));
    eng.observe(syn({ ts: T0 + 60 * S, dst_port: 48101 }));
    expect(eng.alerts().map((x) => x.rule).sort()).toEqual(['t.a', 't.b', 't.chain']);
  });
});

describe('suppression and notifications', () => {
  it('repeats within suppress_for update; later ones start a new alert', () => {
    const r = rule(`id: t.sup\n${HEAD}match: { event: tcp_syn }\nsuppress_for: 1m\n`);
    const eng = new RuleEngine([r], { updateIntervalUs: 10 * S });
    const seen: string[] = [];
    eng.onAlert = (a, ch) => seen.push(`${ch} ${a.id} ${a.count}`);
    eng.observe(syn({ ts: T0 }));
    eng.observe(syn({ ts: T0 + S }));
    eng.observe(syn({ ts: T0 + 20 * S }));
    eng.observe(syn({ ts: T0 + 200 * S }));
    eng.flush();
    // The update held back at 1 s goes out when the clock reaches 20 s; the one at 20 s when it reaches 200 s.
    expect(seen).toEqual([`raised t.sup/${DEV} 1`, `updated t.sup/${DEV} 2`, `updated t.sup/${DEV} 3`, `raised t.sup/${DEV}/2 1`]);
    expect(eng.alerts()).toHaveLength(2);
  });
  it('a held-back update is sent once due, on any later event', () => {
    const r = rule(`id: t.held\n${HEAD}match: { event: tcp_syn, dst_port: 23 }\n`);
    const eng = new RuleEngine([r], { updateIntervalUs: 10 * S });
    const seen: string[] = [];
    eng.onAlert = (a, ch) => seen.push(`${ch} ${a.count}`);
    eng.observe(syn({ ts: T0 }));
    eng.observe(syn({ ts: T0 + S }));
    eng.observe(syn({ ts: T0 + 5 * S, dst_port: 80 }));
    expect(seen).toEqual(['raised 1']);
    eng.observe(syn({ ts: T0 + 11 * S, dst_port: 80 })); // not matching, but the clock moved on
    expect(seen).toEqual(['raised 1', 'updated 2']);
  });
  it('DHCP-assigned resolvers decide dhcp_dns', () => {
    const r = rule(`id: t.dns\n${HEAD}match: { event: dns, dhcp_dns: not_assigned }\n`);
    const eng = new RuleEngine([r]);
    const q = (ts: number, dst: string): DnsEvent => ({
      type: 'dns', ts, src_mac: DEV, dst_mac: 'e0:28:6d:4a:10:01', src_ip: '192.168.1.40', dst_ip: dst, direction: 'outbound',
      mdns: false, llmnr: false, transport: 'udp', src_port: 5000, dst_port: 53, id: 1, response: false, opcode: 0, rcode: 0,
      questions: [{ name: 'cnc.changeme.com', type: 'A' }], answers: [],
    });
    eng.observe(q(T0, '8.8.8.8')); // no lease seen: unknown, not flagged
    expect(eng.alerts()).toHaveLength(0);
    const ack: DhcpEvent = {
      type: 'dhcp', ts: T0 + S, src_mac: 'e0:28:6d:4a:10:01', client_mac: DEV, message_type: 'ack', op: 'reply', xid: 1,
      ciaddr: '0.0.0.0', yiaddr: '192.168.1.40', src_ip: '192.168.1.1', dst_ip: '192.168.1.40', hostname: null, fqdn: null,
      vendor_class: null, param_list: null, client_id: null, requested_ip: null, server_id: '192.168.1.1',
      routers: ['192.168.1.1'], dns_servers: ['192.168.1.1'], lease_time: 86400, max_message_size: null, options: [53],
    };
    eng.observe(ack);
    eng.observe(q(T0 + 2 * S, '192.168.1.1'));
    expect(eng.alerts()).toHaveLength(0);
    eng.observe(q(T0 + 3 * S, '8.8.8.8'));
    expect(eng.alerts()).toHaveLength(1);
  });
});

describe('bounded state', () => {
  it('evicts keys past max_keys, counts it and warns', () => {
    const r = rule(`id: t.keys\n${HEAD}match: { event: conn }\ngroup_by: [remote_ip]\nwindow: 5m\nthreshold: { count: 5 }\nmax_keys: 100\n`);
    const eng = new RuleEngine([r]);
    const c = (i: number): ConnEvent => ({
      type: 'conn', ts: T0 + i, end_ts: T0 + i, src_mac: null, dst_mac: DEV, src_ip: `1.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
      dst_ip: '192.168.1.40', direction: 'inbound', proto: 'tcp', ip_proto: 6, src_port: 1234, dst_port: 22, state: 'S0',
      orig_pkts: 1, orig_bytes: 0, resp_pkts: 0, resp_bytes: 0, reason: 'idle',
    });
    for (let i = 0; i < 5000; i++) eng.observe(c(i));
    expect(eng.ruleStats()[0]!.keys).toBeLessThanOrEqual(100);
    expect(eng.stats.keys_evicted).toBeGreaterThan(4000);
    expect(eng.stats.tables_full).toContain('rules.keys:t.keys');
    expect(eng.health().join('\n')).toMatch(/t\.keys: state table full \(100 keys\)/);
  });
  it('caps alerts', () => {
    const r = rule(`id: t.alerts\n${HEAD}match: { event: tcp_syn }\ngroup_by: [dst_ip]\n`);
    const eng = new RuleEngine([r], { maxAlerts: 50 });
    for (let i = 0; i < 500; i++) eng.observe(syn({ ts: T0 + i, dst_ip: `41.0.${i >> 8}.${i & 255}` }));
    const kept = eng.alerts().length;
    // Evicted in batches of maxAlerts/16: between 47 and 50 remain.
    expect(kept).toBeLessThanOrEqual(50);
    expect(kept).toBeGreaterThanOrEqual(47);
    expect(eng.stats.alerts_evicted).toBe(500 - kept);
    expect(eng.health().join('\n')).toMatch(/alert table full/);
  });
  it('distinct counts switch to HyperLogLog past the cap and stay within a few percent', () => {
    const r = rule(`id: t.hll\n${HEAD}match: { event: tcp_syn }\nwindow: 1h\nthreshold: { distinct: dst_ip, min: 20000 }\n`);
    const eng = new RuleEngine([r], { distinctCap: 256 });
    for (let i = 0; i < 20000; i++) eng.observe(syn({ ts: T0 + i, dst_ip: `${1 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}.7` }));
    // HLL with 1024 registers: ~3% standard error; the threshold crosses within +-10%.
    const fired = eng.alerts().length;
    for (let i = 20000; i < 22000; i++) eng.observe(syn({ ts: T0 + i, dst_ip: `${1 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}.7` }));
    expect(fired + eng.alerts().length).toBeGreaterThanOrEqual(1);
    const a = eng.alerts()[0]!;
    expect(a.evidence[0]!.distinct_approximate).toBe(true);
    expect(Math.abs((a.evidence[0]!.distinct as number) - 20000) / 20000).toBeLessThan(0.1);
  });
});

describe('rule files', () => {
  const bad: [string, string, number | null, RegExp][] = [
    ['unknown field', 'id: x.a1\ntitle: Test\nseverity: low\nsummary: sum\nmatch:\n  event: tcp_syn\n  dst_prot: 23\n', 7, /unknown field "dst_prot"/],
    ['bad duration', 'id: x.a2\ntitle: Test\nseverity: low\nsummary: sum\nwindow: 10 seconds\nmatch: { event: tcp_syn }\n', 5, /duration/],
    ['bad regex', 'id: x.a3\ntitle: Test\nseverity: low\nsummary: sum\nmatch:\n  event: telnet_data\n  text: { regex: "(" }\n', 7, /regular expression/],
    ['no match', 'id: x.a4\ntitle: Test\nseverity: low\nsummary: sum\n', 1, /exactly one of/],
    ['bad advice', 'id: x.a5\ntitle: Test\nseverity: low\nsummary: sum\nadvice: reboot\nmatch: { event: tcp_syn }\n', 5, /advice/],
    ['bad group_by', 'id: x.a6\ntitle: Test\nseverity: low\nsummary: sum\ngroup_by: [qname]\nmatch: { event: tcp_syn }\n', 5, /group_by "qname"/],
    ['YAML error', 'id: x.a7\nid: x.a8\n', 2, /YAML/],
    ['unknown event', 'id: x.a8\ntitle: Test\nseverity: low\nsummary: sum\nmatch: { event: smtp }\n', 5, /event/],
  ];
  for (const [what, text, line, reason] of bad) {
    it(`refuses ${what} with line and reason`, () => {
      const r = parseRuleText('f.yaml', withText(text));
      expect(r.rule).toBeNull();
      expect(r.errors[0]!.file).toBe('f.yaml');
      expect(r.errors[0]!.line).toBe(line);
      expect(r.errors[0]!.reason).toMatch(reason);
    });
  }
});
