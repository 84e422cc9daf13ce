// Runs every test/cases/<name>/: build or find the capture, analyze it, check the expected alerts.
import { mkdtempSync, readdirSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { analyzeFiles } from '../../sensor/analyze.js';
import { SCENARIOS } from '../gen/scenarios.js';
import { writePcap } from '../gen/pcap.js';
import { HAVE_SHARED, PROJECT_ROOT, describeShared, pcap } from '../helpers/shared.js';
import { check, readCase } from './expect.js';

const CASES = path.join(PROJECT_ROOT, 'test', 'cases');
const tmp = mkdtempSync(path.join(tmpdir(), 'waakhond-cases-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const names = readdirSync(CASES, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
const specs = names.map((name) => ({ name, spec: readCase(path.join(CASES, name, 'expect.yaml')) }));

function run(name: string, spec: ReturnType<typeof readCase>): void {
  it(name, async () => {
    expect(existsSync(path.join(CASES, name, 'README.md')), 'each case has a README').toBe(true);
    let file: string;
    if ('generated' in spec.capture) {
      const gen = SCENARIOS[spec.capture.generated];
      expect(gen, `scenario ${spec.capture.generated}`).toBeDefined();
      file = path.join(tmp, `${name}.pcap`);
      writePcap(file, gen!());
    } else if ('shared' in spec.capture) {
      file = pcap(spec.capture.shared);
    } else {
      file = path.resolve(CASES, name, spec.capture.file);
    }
    const report = await analyzeFiles([file], { localNets: spec.local_nets });
    expect(report.stats.rule_errors).toEqual([]);
    expect(check(spec, report)).toEqual([]);
  });
}

describe('test cases (own captures)', () => {
  for (const { name, spec } of specs) if (!('shared' in spec.capture)) run(name, spec);
});

describeShared('test cases (../shared captures)', () => {
  for (const { name, spec } of specs) if ('shared' in spec.capture) run(name, spec);
});

it('has cases', () => {
  expect(specs.length).toBeGreaterThan(10);
  expect(HAVE_SHARED || specs.some((s) => !('shared' in s.spec.capture))).toBe(true);
});
