// Fingerprint files: the shipped ones are valid; a bad entry is refused with file and reason, the rest load.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadFingerprints, validateFingerprints } from '../../../sensor/inventory/fingerprints.js';
import { scratchDir } from '../../helpers/scratch.js';

describe('fingerprint files', () => {
  it('the shipped fingerprints all validate', () => {
    const r = validateFingerprints();
    expect(r.errors).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.files).toBeGreaterThanOrEqual(8);
    expect(r.rules).toBeGreaterThan(200);
    expect(r.vendors).toBeGreaterThan(50);
  });

  it('refuses invalid entries with file and reason, and loads the rest', () => {
    const dir = scratchDir('wk-fp-');
    writeFileSync(path.join(dir, 'a.yaml'), [
      'kind: dhcp',
      'rules:',
      "  - { id: ok.one, match: { hostname: '^cam' }, category: camera, weight: 0.5 }",
      "  - { id: bad.regex, match: { hostname: '(' }, category: camera, weight: 0.5 }",
      "  - { id: bad.field, match: { colour: 'red' }, category: camera, weight: 0.5 }",
      "  - { id: bad.weight, match: { hostname: 'x' }, category: camera, weight: 3 }",
      "  - { id: bad.category, match: { hostname: 'x' }, category: toaster, weight: 0.3 }",
      "  - { id: says.nothing, match: { hostname: 'x' }, weight: 0.3 }",
      "  - { id: ok.one, match: { hostname: 'y' }, category: camera, weight: 0.5 }",
    ].join('\n'));
    writeFileSync(path.join(dir, 'b.yaml'), 'kind: dhcp\nrules: [\n');
    writeFileSync(path.join(dir, 'c.yaml'), 'kind: vendors\nvendors:\n  - { name: Acme, oui: ["^Acme"] }\n  - { oui: ["x"] }\n');
    const fp = loadFingerprints(dir);
    expect(fp.rules.map((r) => r.id)).toEqual(['ok.one']);
    expect(fp.vendors.map((v) => v.name)).toEqual(['Acme']);
    const reasons = fp.errors.map((e) => `${path.basename(e.file)}#${e.entry}:${e.id}:${e.reason}`);
    expect(reasons.find((r) => r.startsWith('a.yaml#1:bad.regex'))).toMatch(/bad regex/);
    expect(reasons.find((r) => r.startsWith('a.yaml#2:bad.field'))).toMatch(/unknown dhcp field/);
    expect(reasons.find((r) => r.startsWith('a.yaml#3:bad.weight'))).toMatch(/weight/);
    expect(reasons.find((r) => r.startsWith('a.yaml#4:bad.category'))).toMatch(/category/);
    expect(reasons.find((r) => r.startsWith('a.yaml#5:says.nothing'))).toMatch(/vendor, a model or a category/);
    expect(reasons.find((r) => r.startsWith('a.yaml#6:ok.one'))).toMatch(/duplicate id/);
    expect(reasons.find((r) => r.startsWith('b.yaml#null'))).toBeDefined();
    expect(reasons.find((r) => r.startsWith('c.yaml#1'))).toMatch(/name/);
    expect(validateFingerprints(dir).ok).toBe(false);
  });

  it('a missing folder is an error, not a crash', () => {
    const r = validateFingerprints('/nonexistent/wk-fingerprints');
    expect(r.ok).toBe(false);
    expect(r.errors[0].reason).toMatch(/cannot read/);
  });
});
