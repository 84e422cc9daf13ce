// Hostile input never crashes the engine: random events with odd values through the full packs; JSON rule files load.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { RuleEngine, defaultPackDirs, loadRulePacks, validateRulePacks } from '../../rules/engine/engine.js';
import { EVENT_TYPES, type WaakhondEvent } from '../../sensor/events.js';
import { EVENT_FIELDS } from '../../rules/engine/fields.js';
import { TEXT_JSON, TEXT_YAML } from './text.js';

const odd = fc.oneof(
  fc.constant(null), fc.constant(undefined), fc.constant(''), fc.constant(Number.NaN), fc.constant(-1), fc.constant(2 ** 40),
  fc.integer({ min: 0, max: 65535 }), fc.boolean(), fc.string({ maxLength: 40 }), fc.ipV4(), fc.ipV6(),
  fc.constantFrom('outbound', 'inbound', 'internal', 'external', 'client', 'server', 'S0', 'SF', 'tcp', 'udp', 'icmp', '00000001', '0000'),
);

it('random events with odd field values never throw', () => {
  const { rules } = loadRulePacks(defaultPackDirs());
  const engine = new RuleEngine(rules, { maxKeysPerRule: 64, maxAlerts: 64 });
  fc.assert(
    fc.property(fc.constantFrom(...EVENT_TYPES), fc.dictionary(fc.constantFrom(...new Set(Object.values(EVENT_FIELDS).flat())), odd),
      fc.integer({ min: 0, max: 2 ** 52 }), (type, fields, ts) => {
        const e = { ...fields, type, ts, questions: [{ name: 'X.example.com', type: 'A' }], answers: [], dns_servers: [], routers: [] } as unknown as WaakhondEvent;
        engine.observe(e);
        engine.alerts();
        engine.health();
      }),
    { numRuns: 3000 },
  );
  expect(engine.stats.events).toBeGreaterThanOrEqual(3000);
});

it('loads JSON rule files and reports broken ones with their line', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'waakhond-rules-'));
  try {
    writeFileSync(path.join(dir, 'ok.json'), JSON.stringify({
      id: 'json.ok', title: 'JSON rule', severity: 'low', summary: '{device} did it', text: TEXT_JSON, match: { event: 'tcp_syn', dst_port: 22 },
    }, null, 2));
    writeFileSync(path.join(dir, 'bad.json'), '{\n  "id": "json.bad",\n  "title": "Bad",\n  "severity": "loud",\n  "summary": "x y z",\n  "match": { "event": "tcp_syn" }\n}\n');
    writeFileSync(path.join(dir, 'dup.yaml'), 'id: json.ok\ntitle: Duplicate\nseverity: low\nsummary: dup dup\nmatch: { event: arp }\n' + TEXT_YAML);
    const v = validateRulePacks([dir]);
    expect(v.rules).toBe(1);
    expect(v.ok).toBe(false);
    // Files load in name order: dup.yaml claims the id first, so ok.json is the duplicate.
    expect(v.errors.map((e) => [path.basename(e.file), e.line])).toEqual([['bad.json', 4], ['ok.json', 2]]);
    expect(v.lines.at(-1)).toBe('1 rule(s) valid in 3 file(s), 2 error(s)');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it('the per-device baseline takes random events with odd values without throwing, and its state still validates', async () => {
  const { loadBaselineConfig } = await import('../../rules/engine/baseline-config.js');
  const { checkState } = await import('../../rules/engine/baseline.js');
  const base = loadBaselineConfig().config!;
  const kinds = ['camera', 'router', 'computer', null, 'x'.repeat(300)];
  let n = 0;
  const engine = new RuleEngine([], {
    baseline: { ...base, learningUs: 0, installLearningUs: 0, newDeviceConfirmUs: 0, maxDevices: 16, maxKnownMacs: 16 },
    deviceKind: () => kinds[n++ % kinds.length]!,
  });
  fc.assert(
    fc.property(fc.constantFrom(...EVENT_TYPES), fc.dictionary(fc.constantFrom(...new Set(Object.values(EVENT_FIELDS).flat()), 'mac', 'irc_commands'), odd),
      fc.integer({ min: 0, max: 2 ** 52 }), fc.constantFrom('outbound', 'inbound', 'external', null), (type, fields, ts, direction) => {
        // Half the events claim a direction, so the baseline's internet paths see odd addresses and ports too.
        engine.observe({ ...fields, ...(direction ? { direction } : {}), type, ts } as unknown as WaakhondEvent);
        engine.alerts();
      }),
    { numRuns: 3000 },
  );
  engine.flush();
  const st = JSON.parse(JSON.stringify(engine.baseline!.serialize()));
  expect(checkState(st)).toBeNull();
  expect(engine.baseline!.stats.devices).toBeLessThanOrEqual(16);
});
