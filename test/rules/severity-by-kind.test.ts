// severity_by_kind: the same behaviour is high from a camera and medium from a computer, decided at raise, update and on deviceChanged.
import { describe, expect, it } from 'vitest';
import { RuleEngine } from '../../rules/engine/engine.js';
import { parseRuleText } from '../../rules/engine/load.js';
import type { Alert } from '../../rules/engine/types.js';
import { CAM, PC, S, T0, rule, syn } from './issue11-events.js';

const SCAN = `id: t.vscan
title: Vertical scan
severity: medium
severity_by_kind: { camera: high, smart-plug: high, router: high }
summary: "{device} scans {distinct} ports"
match: { event: tcp_syn, direction: outbound }
window: 1m
threshold: { distinct: dst_port, min: 5 }
suppress_for: 1h
`;

/** Five SYNs to five ports from one device, starting at t. */
function scan(eng: RuleEngine, mac: string, t: number): void {
  for (let p = 0; p < 5; p++) eng.observe(syn({ src_mac: mac, ts: t + p * S, dst_port: 1000 + p }));
}

describe('severity_by_kind', () => {
  it('is validated against the inventory categories at load', () => {
    const bad = parseRuleText('t.yaml', SCAN.replace('smart-plug: high', 'toaster: high'));
    expect(bad.rule).toBeNull();
    expect(bad.errors[0]!.reason).toMatch(/severity_by_kind: keys are device categories/);
    const badSev = parseRuleText('t.yaml', SCAN.replace('camera: high', 'camera: huge'));
    expect(badSev.rule).toBeNull();
  });

  it('gives the severity of the device kind at raise, the default for other kinds and unknown devices', () => {
    const kinds: Record<string, string> = { [CAM]: 'camera', [PC]: 'computer' };
    const eng = new RuleEngine([rule(SCAN)], { deviceKind: (m) => kinds[m] ?? null });
    scan(eng, CAM, T0);
    scan(eng, PC, T0);
    scan(eng, '02:00:00:00:00:09', T0);
    const by: Record<string, Alert> = Object.fromEntries(eng.alerts().map((a) => [a.device!, a]));
    expect(by[CAM]!.severity).toBe('high');
    expect(by[CAM]!.evidence.some((e) => e.kind === 'severity' && /camera/.test(e.detail))).toBe(true);
    expect(by[PC]!.severity).toBe('medium');
    expect(by['02:00:00:00:00:09']!.severity).toBe('medium');
    expect(by[PC]!.evidence.some((e) => e.kind === 'severity')).toBe(false);
  });

  it('without a deviceKind option (or one that throws) the rule severity holds', () => {
    const eng = new RuleEngine([rule(SCAN)], { deviceKind: () => { throw new Error('inventory down'); } });
    scan(eng, CAM, T0);
    expect(eng.alerts()[0]!.severity).toBe('medium');
    const eng2 = new RuleEngine([rule(SCAN)]);
    scan(eng2, CAM, T0);
    expect(eng2.alerts()[0]!.severity).toBe('medium');
  });

  it('escalates an open alert at its next update once the device is identified, with an evidence line', () => {
    let kind: string | null = null;
    const seen: [string, string][] = [];
    const eng = new RuleEngine([rule(SCAN)], { deviceKind: () => kind, updateIntervalUs: 3600 * S });
    eng.onAlert = (a, change) => seen.push([change, a.severity]);
    scan(eng, CAM, T0);
    expect(eng.alerts()[0]!.severity).toBe('medium');
    kind = 'camera';
    scan(eng, CAM, T0 + 60 * S); // fires again within suppress_for: an update
    const a = eng.alerts()[0]!;
    expect(a.severity).toBe('high');
    expect(a.count).toBe(2);
    const note = a.evidence.find((e) => e.kind === 'severity')!;
    expect(note.detail).toBe('severity medium -> high: the device is a camera');
    expect(note.from).toBe('medium');
    expect(note.to).toBe('high');
    // Sent at once although the update interval (1 h) would hold an ordinary update back.
    expect(seen).toEqual([['raised', 'medium'], ['updated', 'high']]);
    expect(eng.stats.alerts_escalated).toBe(1);
  });

  it('deviceChanged escalates open alerts of that device only, and never lowers a severity', () => {
    const kinds: Record<string, string | null> = { [CAM]: null, [PC]: null };
    const seen: Alert[] = [];
    const eng = new RuleEngine([rule(SCAN)], { deviceKind: (m) => kinds[m] ?? null });
    eng.onAlert = (a, change) => { if (change === 'updated') seen.push(structuredClone(a)); };
    scan(eng, CAM, T0);
    scan(eng, PC, T0);
    eng.deviceChanged(CAM); // nothing known yet: nothing changes
    expect(seen).toEqual([]);
    kinds[CAM] = 'camera';
    kinds[PC] = 'computer';
    eng.deviceChanged(CAM);
    eng.deviceChanged(PC);
    eng.deviceChanged('02:00:00:00:00:77');
    expect(seen.map((a) => [a.device, a.severity])).toEqual([[CAM, 'high']]);
    // A camera later seen as a computer (a wrong guess corrected) keeps its alert high.
    kinds[CAM] = 'computer';
    eng.deviceChanged(CAM);
    scan(eng, CAM, T0 + 120 * S);
    expect(eng.alerts().find((a) => a.device === CAM)!.severity).toBe('high');
    expect(eng.stats.alerts_escalated).toBe(1);
  });

  it('a flood of updates asks the inventory once a second at most, and not at all once the top severity is reached', () => {
    const once = rule(`id: t.each\ntitle: Each SYN\nseverity: medium\nseverity_by_kind: { camera: high }\nsummary: "{device}"\nmatch: { event: tcp_syn }\n`);
    let asked = 0;
    let kind: string | null = null;
    const eng = new RuleEngine([once], { deviceKind: () => { asked++; return kind; } });
    for (let i = 0; i < 10_000; i++) eng.observe(syn({ ts: T0 + i * 1000 })); // 1000 per second for 10 s
    expect(asked).toBe(1 + 9); // at raise, then once per second of updates
    kind = 'camera';
    for (let i = 0; i < 3000; i++) eng.observe(syn({ ts: T0 + 10 * S + i * 1000 }));
    expect(eng.alerts()[0]!.severity).toBe('high');
    const before = asked;
    for (let i = 0; i < 5000; i++) eng.observe(syn({ ts: T0 + 20 * S + i * 1000 }));
    expect(asked).toBe(before); // high is the most this rule gives
  });

  it('an evicted alert is forgotten by deviceChanged (no growth, no stale updates)', () => {
    const eng = new RuleEngine([rule(SCAN)], { deviceKind: () => 'camera', maxAlerts: 16 });
    let updates = 0;
    eng.onAlert = (_a, change) => { if (change === 'updated') updates++; };
    for (let i = 0; i < 64; i++) scan(eng, `02:00:00:00:01:${i.toString(16).padStart(2, '0')}`, T0 + i * 10 * S);
    expect(eng.alerts().length).toBeLessThanOrEqual(16);
    expect(eng.stats.alerts_evicted).toBeGreaterThan(0);
    for (let i = 0; i < 64; i++) eng.deviceChanged(`02:00:00:00:01:${i.toString(16).padStart(2, '0')}`);
    expect(updates).toBe(0); // all were raised high already: nothing to escalate
    const map = (eng as unknown as { byKindAlerts: Map<string, Set<unknown>> }).byKindAlerts;
    let n = 0;
    for (const s of map.values()) n += s.size;
    expect(n).toBe(eng.alerts().length);
  });
});
