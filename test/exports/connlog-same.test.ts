// The connection log keeps what abuse look-ups read, after its per-event work was cut (issue #15: no record
// object per connection, addresses read without a regular expression): a capture's outbound connections come
// back record for record, and the fast address readers agree with parseIpv4/macToNumber on any text.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseIpv4 } from '../../sensor/addr.js';
import { openCaptureFile } from '../../sensor/capture/file.js';
import { ConnLog, ipv4Number, macNumber, type ConnRecord } from '../../sensor/connlog.js';
import { macToNumber } from '../../sensor/decode/format.js';
import type { WaakhondEvent } from '../../sensor/events.js';
import { Pipeline } from '../../sensor/pipeline.js';
import { describeShared, pcap, PROJECT_ROOT } from '../helpers/shared.js';

describe('the connection log\'s address readers', () => {
  it('read an IPv4 address exactly as parseIpv4 does (-1 for none)', () => {
    const texts = ['1.2.3.4', '0.0.0.0', '255.255.255.255', '192.168.001.010', '256.1.1.1', '1.2.3.256', '1.2.3', '1.2.3.4.', '.1.2.3.4',
      '1..2.3', '1.2.3.4.5', '1234.1.1.1', '1.2.3.4444', ' 10.0.0.1', '10.0.0.1 ', '\t10.0.0.1\n', '10.0.0.1a', '::1', 'fe80::1', '::ffff:1.2.3.4',
      '', '.', '...', '1.2.3.', '999.999.999.999', '01.02.03.04', '000.000.000.000', '1.2.3.-4', '+1.2.3.4', '1,2,3,4', '１.2.3.4', '100.200.30.4',
      '0001.2.3.4', '1.2.3.0004', '1.0002.3.4'];
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0);
    const alphabet = '0123456789.. :a';
    for (let i = 0; i < 20000; i++) {
      let s = '';
      const n = rnd() % 18;
      for (let k = 0; k < n; k++) s += alphabet[rnd() % alphabet.length];
      texts.push(s);
      texts.push(`${rnd() % 300}.${rnd() % 300}.${rnd() % 300}.${rnd() % 300}`);
    }
    for (const t of texts) expect(ipv4Number(t), JSON.stringify(t)).toBe(parseIpv4(t) ?? -1);
  });

  it('read a MAC exactly as macToNumber does', () => {
    const texts: (string | null)[] = [null, 'b8:27:eb:c7:e9:c9', 'B8:27:EB:C7:E9:C9', 'ff:ff:ff:ff:ff:ff', '00:00:00:00:00:00', 'b8-27-eb-c7-e9-c9',
      'b827ebc7e9c9', 'b8:27:eb:c7:e9:c', 'b8:27:eb:c7:e9:c99', 'g8:27:eb:c7:e9:c9', 'b8:27:eb:c7:e9:-9', 'b8:27:eb:c7:e9::9', 'b8:27:eb:c7:e9-c9',
      'b8;27:eb:c7:e9:c9', 'b827:ebc7:e9c9:', ':b827ebc7e9c9::::', 'b8:27:eb:c7:e9:c ', '', 'b8:27:eb:c7:e9:c9:'];
    let seed = 11;
    const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0);
    const alphabet = '0123456789abcdefABCDEFg:-';
    for (let i = 0; i < 20000; i++) {
      let s = '';
      const n = i % 2 ? 17 : rnd() % 20;
      for (let k = 0; k < n; k++) s += i % 4 === 1 && k % 3 === 2 ? ':' : alphabet[rnd() % alphabet.length];
      texts.push(s);
    }
    for (const t of texts) expect(macNumber(t), JSON.stringify(t)).toBe(macToNumber(t));
  });
});

it('add() keeps a record as it always did: canonical IPv6 text, end never before start, MAC in lower case, unknown protocol as tcp', () => {
  const log = new ConnLog(10);
  const r = (over: Partial<ConnRecord>): ConnRecord => ({ ts: 5, end_ts: 9, mac: 'B8:27:EB:C7:E9:C9', local_ip: '192.168.1.2', local_port: 1, remote_ip: '8.8.8.8', remote_port: 53, proto: 'udp', ...over });
  log.add(r({}));
  log.add(r({ end_ts: 1, mac: null, proto: 'bogus' as ConnRecord['proto'] }));
  log.add(r({ local_ip: 'FD00:0:0::1', remote_ip: '2001:DB8:0:0:0:0:0:1', proto: 'icmpv6' }));
  log.add(r({ local_ip: ' 10.0.0.1', mac: 'b8-27-eb-c7-e9-ca', proto: 'icmp' }));
  expect(log.toJSON().records).toEqual([
    r({ mac: 'b8:27:eb:c7:e9:c9' }),
    r({ end_ts: 5, mac: null, proto: 'tcp' }),
    r({ mac: 'b8:27:eb:c7:e9:c9', local_ip: 'fd00::1', remote_ip: '2001:db8::1', proto: 'icmpv6' }),
    r({ local_ip: '10.0.0.1', mac: 'b8:27:eb:c7:e9:ca', proto: 'icmp' }),
  ]);
});

/** What the ring must hold for a capture, read straight from its events: outbound SYNs, and outbound flows without a logged SYN or long-lived. */
function expected(events: WaakhondEvent[]): { records: ConnRecord[]; ignored: number } {
  const records: ConnRecord[] = [];
  let ignored = 0;
  for (const e of events) {
    if (e.type === 'tcp_syn') {
      if (e.direction !== 'outbound') { ignored++; continue; }
      records.push({ ts: e.ts, end_ts: e.ts, mac: e.src_mac, local_ip: e.src_ip, local_port: e.src_port, remote_ip: e.dst_ip, remote_port: e.dst_port, proto: 'tcp' });
    } else if (e.type === 'conn') {
      const synLogged = e.proto === 'tcp' && e.state !== 'OTH';
      if (e.direction !== 'outbound' || (synLogged && e.end_ts - e.ts < 60_000_000)) { ignored++; continue; }
      records.push({ ts: e.ts, end_ts: Math.max(e.ts, e.end_ts), mac: e.src_mac, local_ip: e.src_ip, local_port: e.src_port, remote_ip: e.dst_ip, remote_port: e.dst_port, proto: e.proto });
    }
  }
  return { records, ignored };
}

async function run(file: string, localNets?: string[]): Promise<{ log: ConnLog; events: WaakhondEvent[] }> {
  const log = new ConnLog(1_000_000);
  const events: WaakhondEvent[] = [];
  const pipeline = new Pipeline({ ...(localNets ? { localNets } : {}), sinks: [log.observe, (e) => { if (e.type === 'conn' || e.type === 'tcp_syn') events.push(e); }] });
  for await (const batch of openCaptureFile(file)) pipeline.push(batch);
  pipeline.finish();
  return { log, events };
}

function check(log: ConnLog, events: WaakhondEvent[]): ConnRecord[] {
  const want = expected(events);
  const got = log.toJSON().records;
  expect(got.length).toBe(want.records.length);
  for (let i = 0; i < got.length; i++) expect(got[i], String(i)).toEqual(want.records[i]);
  expect(log.stats.ignored).toBe(want.ignored);
  return got;
}

it('the connection log holds every outbound connection of the demo home, field for field', async () => {
  const { log, events } = await run(path.join(PROJECT_ROOT, 'firmware-scripts/demo/demo-home.pcap'));
  const got = check(log, events);
  expect(got.length).toBeGreaterThan(1000);
  expect(new Set(got.map((r) => r.proto)).size).toBeGreaterThan(1);
});

describeShared('the connection log on shared captures', () => {
  it('holds every outbound connection (IPv4 and IPv6, TCP and UDP), field for field', { timeout: 120_000 }, async () => {
    const all: ConnRecord[] = [];
    for (const f of ['slips/hide-and-seek_test7-malicious.pcap', 'ndpi/pcap/1kxun.pcap', 'ndpi/pcap/alexa-app.pcapng', 'ndpi/pcap/netflix.pcap', 'ndpi/pcap/teams.pcap']) {
      const { log, events } = await run(pcap(f));
      all.push(...check(log, events));
    }
    // IPv6 homes: these captures' own prefixes are the home.
    for (const [f, net] of [['ndpi/pcap/http_ipv6.pcap', '2a00:d40:1:3::/64'], ['ndpi/pcap/lru_ipv6_caches.pcapng', '3991:72d::/32']]) {
      const { log, events } = await run(pcap(f), [net]);
      all.push(...check(log, events));
    }
    // Not vacuous: both families and several protocols went through.
    expect(all.some((r) => r.local_ip.includes(':'))).toBe(true);
    expect(all.some((r) => !r.local_ip.includes(':'))).toBe(true);
    expect(new Set(all.map((r) => r.proto))).toEqual(new Set(['tcp', 'udp']));
  });
});
