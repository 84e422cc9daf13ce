// Engine unit tests with hand-built events: loading, matching, windows, thresholds, suppression, bounds.
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { RuleEngine, loadRulePacks, defaultPackDirs } from '../../rules/engine/engine.js';
import { parseRuleText } from '../../rules/engine/load.js';
import type { TcpSynEvent } from '../../sensor/events.js';
import { withText } from './text.js';

const S = 1_000_000;
const T0 = 1_700_000_000 * S;

function ipToInt(ip: string): number {
  return ip.split('.').reduce((a, b) => a * 256 + Number(b), 0);
}

export function syn(over: Partial<TcpSynEvent> = {}): TcpSynEvent {
  const dst = over.dst_ip ?? '41.2.3.4';
  return {
    type: 'tcp_syn', ts: T0, src_mac: 'a4:14:37:00:00:01', dst_mac: '00:11:22:33:44:55', src_ip: '192.168.1.20', dst_ip: dst,
    direction: 'outbound', src_port: 40000, dst_port: 23, seq: ipToInt(dst), window: 14600, ttl: 64, options_length: 0,
    mirai_seq: true, ecn: false, ...over,
  };
}

describe('rule engine', () => {
  it('loads the packs without errors', () => {
    const { rules, errors } = loadRulePacks(defaultPackDirs());
    expect(errors).toEqual([]);
    expect(rules.map((r) => r.id)).toContain('mirai.scan.seq-equals-dst');
    expect(path.isAbsolute(rules[0]!.source.file)).toBe(true);
  });

  it('raises the seq==dst rule at the third probe, then updates the same alert', () => {
    const { rules } = loadRulePacks(defaultPackDirs());
    const eng = new RuleEngine(rules.filter((r) => r.id === 'mirai.scan.seq-equals-dst'));
    const seen: string[] = [];
    eng.onAlert = (a, ch) => seen.push(`${ch}:${a.id}`);
    eng.observe(syn({ ts: T0, dst_ip: '41.0.0.1' }));
    eng.observe(syn({ ts: T0 + 5000, dst_ip: '41.0.0.2' }));
    expect(eng.alerts()).toHaveLength(0);
    eng.observe(syn({ ts: T0 + 10000, dst_ip: '41.0.0.3' }));
    const [a] = eng.alerts();
    expect(a!.rule).toBe('mirai.scan.seq-equals-dst');
    expect(a!.device).toBe('a4:14:37:00:00:01');
    expect(a!.first_seen).toBe(T0 + 10000);
    expect(a!.severity).toBe('critical');
    expect(a!.advice).toBe('infected-reset');
    expect(a!.summary).toContain('41.0.0.3:23');
    for (let i = 0; i < 30; i++) eng.observe(syn({ ts: T0 + 20000 + i * 1000, dst_ip: `41.0.1.${i}` }));
    expect(eng.alerts()).toHaveLength(1);
    expect(eng.alerts()[0]!.count).toBe(11);
    expect(seen).toEqual(['raised:mirai.scan.seq-equals-dst/a4:14:37:00:00:01']);
  });

  it('refuses a bad rule with file, line and reason; others keep working', () => {
    const text = 'id: x.bad.rule\ntitle: Bad\nseverity: urgent\nsummary: s\nmatch:\n  event: tcp_syn\n  dst_prot: 23\n';
    const res = parseRuleText('bad.yaml', withText(text));
    expect(res.rule).toBeNull();
    expect(res.errors[0]).toMatchObject({ file: 'bad.yaml', line: 3 });
    expect(res.errors[0]!.reason).toMatch(/severity/);
  });
});
