// The connection ring behind abuse-report lookups: bounded, honest about what it overwrote, merges SYN retransmits,
// and the report parsers (remote IP[:PORT], time, window).
import { describe, expect, it } from 'vitest';
import { ConnLog, CONNLOG_ENTRY_BYTES } from '../../sensor/connlog.js';
import type { ConnEvent, TcpSynEvent } from '../../sensor/events.js';
import { parseRemote, parseTime, parseWindow } from '../../ui/server/exports/lookup.js';

const S = 1_000_000;
const T0 = 1_520_629_000 * S;
const PI = 'b8:27:eb:c7:e9:c9';

function syn(ts: number, dst: string, dport: number, over: Partial<TcpSynEvent> = {}): TcpSynEvent {
  return {
    type: 'tcp_syn', ts, src_mac: PI, dst_mac: '00:00:5e:00:01:01', src_ip: '192.168.2.16', dst_ip: dst, direction: 'outbound',
    src_port: 40006, dst_port: dport, seq: 1, window: 29200, ttl: 64, options_length: 20, mirai_seq: false, ecn: false, ...over,
  };
}

function conn(ts: number, end: number, proto: ConnEvent['proto'], state: ConnEvent['state'], over: Partial<ConnEvent> = {}): ConnEvent {
  return {
    type: 'conn', ts, end_ts: end, src_mac: PI, dst_mac: null, src_ip: '192.168.2.16', dst_ip: '8.8.8.8', direction: 'outbound',
    proto, ip_proto: proto === 'udp' ? 17 : 6, src_port: 5353, dst_port: 53, state, orig_pkts: 1, orig_bytes: 60, resp_pkts: 1,
    resp_bytes: 90, reason: 'idle', ...over,
  };
}

describe('ConnLog', () => {
  it('keeps outbound SYNs and SYN-less outbound flows, ignores the rest', () => {
    const log = new ConnLog(100);
    log.observe(syn(T0, '67.189.205.92', 23));
    log.observe(syn(T0, '192.168.2.1', 22, { direction: 'internal' }));
    log.observe(syn(T0, '192.168.2.16', 22, { direction: 'inbound' }));
    log.observe(conn(T0, T0 + 2 * S, 'tcp', 'SF', { dst_ip: '67.189.205.92', dst_port: 23 })); // its SYN is logged
    log.observe(conn(T0, T0 + 2 * S, 'udp', 'OTH'));
    log.observe(conn(T0, T0 + 2 * S, 'tcp', 'OTH', { dst_ip: '1.1.1.1', dst_port: 443 })); // mid-stream: no SYN seen
    expect(log.stats).toMatchObject({ entries: 3, ignored: 3, overwritten: 0 });
    expect(log.query({ remote_ip: '8.8.8.8', remote_port: 53, at: T0 + S, window_s: 0 }).matches[0]).toMatchObject({ proto: 'udp', mac: PI, local_port: 5353 });
    expect(log.query({ remote_ip: '1.1.1.1', at: T0, window_s: 1 }).matches).toHaveLength(1);
  });

  it('finds by remote, port, time window and protocol', () => {
    const log = new ConnLog(100);
    log.observe(syn(T0, '67.189.205.92', 23));
    log.observe(syn(T0 + 10 * S, '67.189.205.92', 2323, { src_port: 40010 }));
    log.observe(syn(T0 + 10 * S, '67.189.205.93', 23));
    const q = (over: object) => log.query({ remote_ip: '67.189.205.92', at: T0, window_s: 5, ...over });
    expect(q({}).matches.map((m) => m.remote_port)).toEqual([23]);
    expect(q({ window_s: 10 }).matches.map((m) => m.remote_port)).toEqual([23, 2323]);
    expect(q({ window_s: 10, remote_port: 2323 }).matches).toHaveLength(1);
    expect(q({ at: T0 + 20 * S }).matches).toHaveLength(0);
    expect(q({ at: T0 + 20 * S, window_s: 10 }).matches[0]!.offset_s).toBe(10);
    expect(q({ proto: 'udp' }).matches).toHaveLength(0);
    expect(q({ window_s: 10 }).devices).toEqual([{ mac: PI, local_ips: ['192.168.2.16'], connections: 2, first_ts: T0, last_ts: T0 + 10 * S }]);
  });

  it('merges SYN retransmits into one connection; the same 5-tuple minutes later is another', () => {
    const log = new ConnLog(100);
    for (const dt of [0, 1, 3, 7]) log.observe(syn(T0 + dt * S, '4.122.214.96', 23));
    log.observe(syn(T0 + 600 * S, '4.122.214.96', 23));
    const r = log.query({ remote_ip: '4.122.214.96', at: T0, window_s: 3600 });
    expect(r.matches.map((m) => [m.records, (m.end_ts - m.ts) / S])).toEqual([[4, 7], [1, 0]]);
    expect(r.devices[0]!.connections).toBe(2);
  });

  it('a long-lived TCP flow matches a report made while it was open', () => {
    const log = new ConnLog(100);
    log.observe(syn(T0, '52.1.2.3', 443, { src_port: 50000 }));
    log.observe(conn(T0, T0 + 3600 * S, 'tcp', 'SF', { dst_ip: '52.1.2.3', dst_port: 443, src_port: 50000 }));
    const r = log.query({ remote_ip: '52.1.2.3', remote_port: 443, at: T0 + 1800 * S, window_s: 60 });
    expect(r.matches).toHaveLength(1);
    expect(r.matches[0]).toMatchObject({ offset_s: 0, records: 1, ts: T0, end_ts: T0 + 3600 * S });
    // Queried near its start, the SYN and the flow record merge into one connection.
    expect(log.query({ remote_ip: '52.1.2.3', at: T0, window_s: 1 }).matches).toMatchObject([{ records: 2 }]);
  });

  it('IPv6: the report may write the address in another form', () => {
    const log = new ConnLog(10);
    log.observe(syn(T0, '2001:db8::1', 443, { src_ip: 'fd00::16' }));
    const r = log.query({ remote_ip: '2001:0DB8:0:0:0:0:0:0001', remote_port: 443, at: T0, window_s: 0 });
    expect(r.matches[0]).toMatchObject({ local_ip: 'fd00::16', remote_ip: '2001:db8::1', mac: PI });
  });

  it('is bounded: overwrites the oldest, counts it, and says when a window is no longer complete', () => {
    const log = new ConnLog(10);
    for (let i = 0; i < 25; i++) log.observe(syn(T0 + i * S, `1.2.3.${i}`, 23));
    expect(log.stats).toMatchObject({ entries: 10, overwritten: 15, capacity: 10 });
    expect(log.fixedBytes).toBe(10 * CONNLOG_ENTRY_BYTES);
    const old = log.query({ remote_ip: '1.2.3.3', at: T0 + 3 * S, window_s: 1 });
    expect(old).toMatchObject({ complete: false, matches: [] });
    const recent = log.query({ remote_ip: '1.2.3.24', at: T0 + 24 * S, window_s: 1 });
    expect(recent.complete).toBe(true);
    expect(recent.matches).toHaveLength(1);
    expect(recent.oldest_ts).toBe(T0 + 15 * S);
  });

  it('round-trips through JSON; bad records are counted, not fatal', () => {
    const log = new ConnLog(5);
    for (let i = 0; i < 7; i++) log.observe(syn(T0 + i * S, `9.9.9.${i}`, 80));
    const data = JSON.parse(JSON.stringify(log.toJSON()));
    data.records.push({ ts: 'x' }, null, { ...data.records[0], remote_ip: 'not-an-ip' });
    const back = ConnLog.fromJSON(data);
    expect(back.stats).toMatchObject({ entries: 5, ignored: 3, overwritten: 2 });
    expect(back.query({ remote_ip: '9.9.9.6', at: T0 + 6 * S, window_s: 0 }).matches).toHaveLength(1);
    expect(back.query({ remote_ip: '9.9.9.0', at: T0, window_s: 0 }).complete).toBe(false);
    expect(() => ConnLog.fromJSON({ version: 2 })).toThrow(/version 1/);
  });

  it('throws clear errors for a bad query', () => {
    const log = new ConnLog(5);
    expect(() => log.query({ remote_ip: 'example.com', at: T0, window_s: 1 })).toThrow(/not an IP/);
    expect(() => log.query({ remote_ip: '1.2.3.4', at: T0, window_s: -1 })).toThrow(/window/);
  });
});

describe('abuse report parsing', () => {
  it('remote IP[:PORT]', () => {
    expect(parseRemote('67.189.205.92:23')).toEqual({ ip: '67.189.205.92', port: 23 });
    expect(parseRemote('67.189.205.92')).toEqual({ ip: '67.189.205.92', port: null });
    expect(parseRemote('[2001:DB8::1]:443')).toEqual({ ip: '2001:db8::1', port: 443 });
    expect(parseRemote('2001:db8::1')).toEqual({ ip: '2001:db8::1', port: null });
    expect(() => parseRemote('1.2.3.4:99999')).toThrow(/port/);
    expect(() => parseRemote('evil.example:23')).toThrow(/not an IP/);
  });

  it('time: ISO-8601 with or without zone (UTC), Unix seconds', () => {
    expect(parseTime('2018-03-09T20:57:44Z')).toBe(1_520_629_064 * S);
    expect(parseTime('2018-03-09 20:57:44')).toBe(1_520_629_064 * S);
    expect(parseTime('2018-03-09T21:57:44+01:00')).toBe(1_520_629_064 * S);
    expect(parseTime('2018-03-09T20:57:44.781449Z')).toBe(1_520_629_064_781_449);
    expect(parseTime('1520629064.781449')).toBe(1_520_629_064_781_449);
    expect(() => parseTime('yesterday')).toThrow(/ISO-8601/);
    expect(() => parseTime('2018-13-45T99:00:00Z')).toThrow(/valid date/);
    expect(parseWindow(undefined)).toBe(300);
    expect(() => parseWindow('-5')).toThrow(/window/);
  });
});
