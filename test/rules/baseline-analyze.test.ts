// The baseline in offline analyze, on the demo capture (firmware-scripts/demo: a synthetic home whose camera Mirai infects after a minute).
import { describe, expect, it } from 'vitest';
import { analyzeFiles } from '../../sensor/analyze.js';
import { formatReport } from '../../sensor/cli.js';
import { projectPath } from '../../sensor/paths.js';
import { TEXT_YAML } from './text.js';

const DEMO = projectPath('firmware-scripts', 'demo', 'demo-home.pcap');
const CAMERA = 'c0:56:e3:17:8a:4d';

describe('baseline in analyze', () => {
  it('a 4-minute capture is shorter than the 24 h learning: no baseline alert, and the report says so', async () => {
    const r = await analyzeFiles([DEMO]);
    expect(r.alerts.filter((a) => a.rule.startsWith('baseline.'))).toEqual([]);
    expect(r.stats.baseline!.devices_learnt).toBe(0);
    expect(r.stats.baseline!.note).toMatch(/none past its 24 h learning period: no baseline alerts from this capture; new-device alerts only once the install has watched 24 h \(4 min so far\)$/);
    expect(r.stats.baseline!.watched_s).toBe(225); // 19:00:00.2 .. 19:03:45.2
    expect(formatReport(r)).toMatch(/\nbaseline: \d+ device\(s\), none past its 24 h learning period/);
  });

  it('with a one-minute learning period the infected camera is caught without a Mirai signature: telnet is new, and a burst of destinations', async () => {
    const r = await analyzeFiles([DEMO], { baselineLearningUs: 60_000_000 });
    const base = r.alerts.filter((a) => a.rule.startsWith('baseline.'));
    expect(base.map((a) => [a.rule, a.device, a.severity]).sort()).toEqual([
      ['baseline.destination-burst', CAMERA, 'high'],
      ['baseline.new-family', CAMERA, 'high'], // severity_by_kind: the inventory says camera
    ]);
    expect(base.find((a) => a.rule === 'baseline.new-family')!.group.family).toBe('telnet');
    // Every device of the home appears in its first minute: no new-device alert.
    expect(r.alerts.some((a) => a.rule === 'baseline.new-device')).toBe(false);
  });

  it('no rules, no baseline', async () => {
    const r = await analyzeFiles([DEMO], { ruleDirs: [], baselineLearningUs: 60_000_000 });
    expect(r.alerts).toEqual([]);
    expect(r.stats.baseline).toBeNull();
  });
});

describe('severity_by_kind in analyze', () => {
  // Escalation of an alert raised before the device was known is tested with hand-built events
  // (severity-by-kind.test.ts): in the demo the inventory knows every device from its first packets.
  it('the alert severity agrees with the report\'s category, with the reason as evidence', async () => {
    const { parseRuleText } = await import('../../rules/engine/load.js');
    const r1 = parseRuleText('t.yaml', `id: t.first-arp
title: First ARP of a device
severity: low
severity_by_kind: { camera: critical }
summary: "{device} sent ARP"
match: { event: arp }
suppress_for: 1d
${TEXT_YAML}`);
    const r = await analyzeFiles([DEMO], { rules: { rules: [r1.rule!], errors: [] }, baseline: null });
    const cam = r.devices.find((d) => d.mac === CAMERA)!;
    expect(cam.category).toBe('camera');
    const a = r.alerts.find((x) => x.device === CAMERA)!;
    expect(a.severity).toBe('critical');
    const note = a.evidence.find((e) => e.kind === 'severity')!;
    expect(note.detail).toMatch(/^severity (low -> critical|critical \(not low\)): the device is a camera$/);
    // Devices the inventory does not call a camera keep the rule's severity.
    for (const x of r.alerts) {
      const d = r.devices.find((dd) => dd.mac === x.device);
      expect(x.severity, `${x.device} ${d?.category}`).toBe(d?.category === 'camera' ? 'critical' : 'low');
    }
  });
});
