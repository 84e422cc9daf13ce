// The baseline in offline analyze, on the demo capture (firmware-scripts/demo: a synthetic home whose camera Mirai infects after a minute).
import { describe, expect, it } from 'vitest';
import { analyzeFiles } from '../../sensor/analyze.js';
import { formatReport } from '../../sensor/cli.js';
import { projectPath } from '../../sensor/paths.js';

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
