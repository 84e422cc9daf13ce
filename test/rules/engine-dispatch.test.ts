// The engine's dispatch tree (rules sorted by the values of the fields they test for equality) sends every event to exactly the rules whose match holds, in rule order.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { RuleEngine } from '../../rules/engine/engine.js';
import { compileMatch, matches } from '../../rules/engine/compile.js';
import { parseRuleText } from '../../rules/engine/load.js';
import type { Rule } from '../../rules/engine/types.js';
import type { ConnEvent } from '../../sensor/events.js';
import { withText } from './text.js';

const S = 1_000_000;
const T0 = 1_700_000_000 * S;

function rule(id: string, match: string): Rule {
  const r = parseRuleText('t.yaml', withText(`id: ${id}\ntitle: Test rule\nseverity: high\nsummary: "{device}"\nmatch:\n  event: conn\n${match}\nthreshold: 1\n`));
  expect(r.errors).toEqual([]);
  return r.rule!;
}

// Equality on proto and dst_port in every form the engine accepts (scalar, list, eq, text vs number,
// nocase), and rules that test neither, so the index field is shared by some rules and not others.
const RULES = [
  rule('t.a-tcp', '  proto: tcp'),
  rule('t.b-any', '  orig_pkts: { gte: 0 }'),
  rule('t.c-ports', '  proto: [tcp, udp]\n  dst_port: [23, "2323"]'),
  rule('t.d-eq-text', '  proto: { eq: udp }\n  dst_port: "53"'),
  rule('t.e-nocase', '  proto: { eq: TCP, nocase: true }'),
  rule('t.f-ne', '  proto: { ne: icmp }'),
  rule('t.g-port-num', '  dst_port: 80'),
  rule('t.h-port-in-text', '  dst_port: { in: ["443", 8443] }'),
];

function conn(proto: unknown, dst_port: unknown, i: number): ConnEvent {
  return {
    type: 'conn', ts: T0 + i * S, end_ts: T0 + i * S, src_mac: `02:00:00:00:00:${(i % 256).toString(16).padStart(2, '0')}`,
    dst_mac: '02:00:00:00:01:01', src_ip: '192.168.1.40', dst_ip: '41.2.3.4', direction: 'outbound', src_port: 40000,
    dst_port, proto, ip_proto: 6, state: 'SF', orig_pkts: 1, orig_bytes: 60, resp_pkts: 1, resp_bytes: 60, reason: 'fin',
  } as unknown as ConnEvent;
}

describe('rule dispatch by field value', () => {
  it('raises, per event, exactly the rules whose match holds, in rule order', () => {
    const compiled = RULES.map((r) => compileMatch(r.match!));
    const ctx = { dhcpResolvers: () => undefined };
    const proto = fc.constantFrom<unknown>('tcp', 'udp', 'icmp', 'TCP', 'other', 6, undefined, null);
    const port = fc.constantFrom<unknown>(23, '23', 2323, '2323', 53, '53', 80, '80', 443, '443', 8443, '8443', 0, undefined);
    fc.assert(fc.property(fc.array(fc.tuple(proto, port), { minLength: 1, maxLength: 20 }), (pairs) => {
      const eng = new RuleEngine(RULES);
      const raised: string[] = [];
      eng.onAlert = (a, change) => { if (change === 'raised') raised.push(a.rule); };
      const want: string[] = [];
      pairs.forEach(([p, d], i) => {
        // A new device per event: every match raises a new alert (nothing is suppressed).
        const e = conn(p, d, i);
        RULES.forEach((r, k) => { if (matches(compiled[k]!, e as never, ctx)) want.push(r.id); });
        eng.observe(e);
      });
      expect(raised).toEqual(want);
    }), { numRuns: 200 });
  });

  it('long value lists on two fields stay within the route budget and still match exactly', () => {
    // 1000 values (2000 keys with their text forms): the first level splits, the budget runs out below it;
    // 3000 values: too many for the budget at the first level already.
    for (const n of [1000, 3000]) {
      const ports = Array.from({ length: n }, (_, i) => 10000 + i);
      const half = n / 2;
      const big = [
        rule('t.big-a', `  dst_port: [${ports.join(', ')}]\n  src_port: [${ports.join(', ')}]`),
        rule('t.big-b', `  src_port: [${ports.slice(0, half).join(', ')}]\n  dst_port: [${ports.slice(half).join(', ')}]`),
      ];
      const eng = new RuleEngine(big);
      const raised: string[] = [];
      eng.onAlert = (a, change) => { if (change === 'raised') raised.push(a.rule); };
      const e = (src: number, dst: unknown, i: number): ConnEvent => ({ ...conn('tcp', dst, i), src_port: src });
      eng.observe(e(10001, 10000 + half + 1, 1)); // both
      eng.observe(e(10000 + half + 1, 10001, 2)); // a only
      eng.observe(e(10001, 9999, 3)); // neither
      eng.observe(e(10001, String(10000 + n - 1), 4)); // the text form: both
      eng.observe(e(10000 + n - 1, 10000 + n - 1, 5)); // a only
      expect(raised).toEqual(['t.big-a', 't.big-b', 't.big-a', 't.big-a', 't.big-b', 't.big-a']);
    }
  });

  it('tells numbers and their text apart only where the rule does', () => {
    const eng = new RuleEngine(RULES);
    const raised: string[] = [];
    eng.onAlert = (a, change) => { if (change === 'raised') raised.push(a.rule); };
    eng.observe(conn('udp', 53, 1)); // "53" in the rule matches the number 53
    expect(raised).toEqual(['t.b-any', 't.d-eq-text', 't.f-ne']);
    raised.length = 0;
    eng.observe(conn('icmp', '80', 2)); // 80 in the rule matches the text "80"
    expect(raised).toEqual(['t.b-any', 't.g-port-num']);
  });
});
