// Event signatures: equal signatures must mean equal observations, or the inventory would skip evidence.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { WaakhondEvent } from '../../../sensor/events.js';
import { dnsQuerySignature, forReceiver, observationSignature, observationsOf, observationTarget, synSignature, writeSignature } from '../../../sensor/inventory/observe.js';
import { Hash52, hash52 } from '../../../sensor/hash.js';
import { dhcp, dns, httpReq, httpResp, ssdp, tls } from './ev.js';

const A = 'b0:c5:54:25:5b:0e';
const B = '18:b4:30:00:00:01';

// Small alphabets so that different events often share a signature; some look like the signature's own
// length prefixes and separators ("4:ab", "|"), and like the names the mDNS parser splits.
const text = fc.constantFrom('', ' ', 'a', 'A', '4:ab', 'ab', '|', '-', 'md=X', 'MD=x', 'Hue.local', '_hap._tcp.local',
  'Lamp._hap._tcp.local', '_services._dns-sd._udp.local', 'example.com', 'Example.COM.', '1.in-addr.arpa', '/api?x=1');
const maybe = fc.option(text, { nil: null });
const direction = fc.constantFrom('outbound' as const, 'internal' as const, 'inbound' as const);
const mac = fc.constantFrom(A, B);
const record = fc.record({
  name: text, type: fc.constantFrom('PTR', 'SRV', 'TXT', 'A', 'AAAA', 'NSEC'), ttl: fc.constantFrom(120, 4500), data: text,
  txt: fc.option(fc.array(text, { maxLength: 3 }), { nil: undefined }),
  srv: fc.option(fc.record({ priority: fc.constant(0), weight: fc.constant(0), port: fc.constantFrom(80, 8080), target: text }), { nil: undefined }),
});

// DNS (mDNS above all) has the most fields: drawn three times as often as each other kind.
const event: fc.Arbitrary<WaakhondEvent> = fc.oneof(
  { weight: 3, arbitrary: fc.record({
    mac, direction, mdns: fc.boolean(), llmnr: fc.boolean(), response: fc.boolean(),
    questions: fc.array(fc.record({ name: text, type: fc.constantFrom('PTR', 'A', 'ANY') }), { maxLength: 3 }),
    answers: fc.array(record, { maxLength: 4 }),
  }).map(({ mac: m, ...p }): WaakhondEvent => dns({ src_mac: m, ...p })) },
  fc.record({
    mac, direction, method: fc.constantFrom('NOTIFY' as const, 'M-SEARCH' as const, 'RESPONSE' as const), server: maybe,
    user_agent: maybe, st: maybe, nt: maybe, usn: maybe, location: maybe,
    headers: fc.dictionary(fc.constantFrom('x-a', 'x-b', '01-nls'), text, { maxKeys: 2 }),
  }).map(({ mac: m, ...p }) => ssdp({ src_mac: m, ...p })),
  fc.record({ mac, op: fc.constantFrom('request' as const, 'reply' as const), hostname: maybe, fqdn: maybe, vendor_class: maybe,
    param_list: fc.option(fc.array(fc.constantFrom(1, 3, 6, 12, 15), { maxLength: 3 }), { nil: null }),
    ciaddr: fc.constantFrom('0.0.0.0', '192.168.1.7') }).map(({ mac: m, ...p }) => dhcp({ client_mac: m, ...p })),
  fc.record({ mac, direction, dst_mac: fc.option(mac, { nil: null }), user_agent: maybe, host: maybe, uri: text,
    method: fc.constantFrom('GET', 'POST'), dst_port: fc.constantFrom(80, 8080) }).map(({ mac: m, ...p }) => httpReq(m, p)),
  fc.record({ mac, direction, server: maybe }).map(({ mac: m, ...p }) => httpResp(m, p)),
  fc.record({ mac, direction, sni: maybe }).map(({ mac: m, direction: d, sni }) => ({ ...tls(m, ''), direction: d, sni })),
  fc.record({ mac, direction, kind: fc.constantFrom('query' as const, 'registration' as const), name: text }).map(({ mac: m, ...p }) => ({
    type: 'netbios' as const, ts: 1, src_mac: m, dst_mac: null, src_ip: '192.168.1.9', dst_ip: '192.168.1.255', suffix: 0, ...p,
  })),
  fc.record({ mac, direction, kind: fc.constantFrom('probe' as const, 'reply' as const), protocol: fc.constantFrom('edimax', 'a', '4:ab'),
    src_port: fc.constantFrom(20560, 9999), vendor: maybe, model: maybe, firmware: maybe, name: maybe })
    .map(({ mac: m, ...p }): WaakhondEvent => ({
      type: 'discovery', ts: 1, src_mac: m, dst_mac: null, src_ip: '192.168.1.9', dst_ip: '192.168.1.30', dst_port: 5000,
      device_mac: m, ...p,
    })),
  fc.record({ mac, direction, ttl: fc.constantFrom(64, 128), window: fc.constantFrom(1, 11, 111), options_length: fc.constantFrom(0, 1, 11) })
    .map(({ mac: m, ...p }) => ({
      type: 'tcp_syn' as const, ts: 1, src_mac: m, dst_mac: null, src_ip: '192.168.1.9', dst_ip: '1.2.3.4', src_port: 1, dst_port: 2,
      seq: 0, mirai_seq: false, ecn: false, ...p,
    }) as WaakhondEvent),
);

/**
 * A copy of e with one string or number leaf (not the event type) replaced: strings by value, numbers by
 * pick. The object is picked first, then its leaf, so that nested ones (an SRV target) are often changed.
 */
function mutate(e: WaakhondEvent, pick: number, value: string): WaakhondEvent {
  const copy = structuredClone(e) as unknown as Record<string, unknown>;
  const objects: [Record<string, unknown>, string[]][] = [];
  const walk = (o: Record<string, unknown>) => {
    const leaves: string[] = [];
    for (const [k, v] of Object.entries(o)) {
      if (o === copy && k === 'type') continue;
      if (typeof v === 'string' || typeof v === 'number') leaves.push(k);
      else if (v && typeof v === 'object') walk(v as Record<string, unknown>);
    }
    if (leaves.length) objects.push([o, leaves]);
  };
  walk(copy);
  const [o, leaves] = objects[pick % objects.length];
  const k = leaves[Math.floor(pick / objects.length) % leaves.length];
  o[k] = typeof o[k] === 'number' ? pick % 200 : value;
  return copy as unknown as WaakhondEvent;
}

/** Observations without what the signature leaves out (MAC, address, time), Maps as entry lists. */
function content(e: WaakhondEvent) {
  return observationsOf(e).map((o) => ({ kind: o.kind, source: o.source, label: o.label, receiver: forReceiver(o), fields: [...o.fields] }));
}

describe('observationSignature', () => {
  it('no signature, no observations; two events with one signature give the same observations', () => {
    fc.assert(fc.property(event, event, (a, b) => {
      const sa = observationSignature(a);
      if (sa === null) expect(observationsOf(a)).toEqual([]);
      if (sa !== null && sa === observationSignature(b)) expect(content(b)).toEqual(content(a));
    }), { numRuns: 2000 });
  });

  it('an event changed in one field keeps its signature only if its observations stay the same', () => {
    // Catches a field that observationsOf reads and the signature forgets.
    let kept = 0;
    let changed = 0;
    fc.assert(fc.property(event, fc.nat(), text, (a, pick, value) => {
      const b = mutate(a, pick, value);
      const sa = observationSignature(a);
      if (sa === null || sa !== observationSignature(b)) return;
      kept++;
      if (JSON.stringify(content(a)) !== JSON.stringify(content(b))) changed++;
      expect(content(b)).toEqual(content(a));
    }), { numRuns: 4000 });
    expect(kept).toBeGreaterThan(200);
    expect(changed).toBe(0);
  });

  it('the quick keys of SYNs and one-question DNS queries agree with the signatures they stand in for', () => {
    // Equal quick keys must mean equal signatures and unequal ones unequal (the inventory keeps quick
    // keys in tables of their own); a null SYN key means no observation, as a null signature does.
    const quick = (e: WaakhondEvent): number | string | null | undefined =>
      e.type === 'tcp_syn' ? synSignature(e) : e.type === 'dns' ? dnsQuerySignature(e) : undefined;
    let compared = 0;
    const quickEvent = event.filter((e) => quick(e) !== undefined);
    fc.assert(fc.property(quickEvent, quickEvent, (a, b) => {
      const qa = quick(a);
      if (qa === undefined) return;
      if (qa === null) { expect(observationSignature(a)).toBeNull(); return; }
      expect(observationSignature(a)).not.toBeNull();
      const qb = quick(b);
      if (qb === undefined || qb === null || a.type !== b.type) return;
      compared++;
      expect(qa === qb).toBe(observationSignature(a) === observationSignature(b));
    }), { numRuns: 4000 });
    expect(compared).toBeGreaterThan(100);
  });

  it('hashed as it is written, a signature is hash52 of its text, and as long', () => {
    // The inventory keys its templates by this hash (no string per event): it must be the text's.
    const h = new Hash52();
    let hashed = 0;
    fc.assert(fc.property(event, (e) => {
      const text = observationSignature(e);
      const wrote = writeSignature(e, h.reset());
      expect(wrote).toBe(text !== null);
      if (text === null) return;
      hashed++;
      expect(h.value()).toBe(hash52(text));
      expect(h.length).toBe(text.length);
    }), { numRuns: 3000 });
    expect(hashed).toBeGreaterThan(1000);
    for (const n of [0, 7, 10, 99, 100, 65535, 4294967295, 4294967296, 1.5, -3]) {
      h.reset().digits(n);
      expect(h.value(), String(n)).toBe(hash52(String(n)));
    }
  });

  it('observationTarget names the MAC and address each observation speaks for', () => {
    fc.assert(fc.property(event, (e) => {
      for (const o of observationsOf(e)) expect(observationTarget(e, forReceiver(o))).toEqual({ mac: o.mac, ip: o.ip });
    }), { numRuns: 1000 });
  });

  it('ignores what observations do not read (time, addresses, record TTLs)', () => {
    const ann = (ts: number, src_ip: string, ttl: number) => dns({
      src_mac: A, ts, src_ip, mdns: true, response: true,
      answers: [{ name: 'Lamp._hap._tcp.local', type: 'TXT', ttl, data: '', txt: ['md=Lamp'] }],
    });
    expect(observationSignature(ann(1, '192.168.1.2', 120))).toBe(observationSignature(ann(2, '192.168.1.3', 4500)));
    expect(observationSignature(ann(1, '192.168.1.2', 120))).not.toBeNull();
  });
});
