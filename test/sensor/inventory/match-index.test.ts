// The matcher's index of dns rules by plain domain must find exactly what running every rule finds.
import { describe, expect, it } from 'vitest';
import { loadFingerprints, type Rule } from '../../../sensor/inventory/fingerprints.js';
import { Matcher } from '../../../sensor/inventory/match.js';
import type { Observation } from '../../../sensor/inventory/observe.js';

/** A matcher that cannot use the index: the same rules with their `domain` taken off. */
function unindexed(rules: Rule[]): Matcher {
  return new Matcher(rules.map(({ domain: _domain, ...r }) => r));
}

const obs = (names: string[]): Observation => ({ kind: 'dns', source: 'dns', mac: '02:00:00:00:00:01', ip: null, ts: 1, fields: new Map([['domain', names]]) });

describe('dns rules indexed by domain', () => {
  const fp = loadFingerprints();
  const plain = fp.rules.filter((r) => r.domain !== undefined);

  it('the shipped dns rules are mostly plain domains (the index is used)', () => {
    expect(plain.length).toBeGreaterThan(50);
  });

  it('finds the same evidence, in the same order, as every rule run in turn', () => {
    const indexed = new Matcher(fp.rules);
    const scan = unindexed(fp.rules);
    const names: string[][] = [];
    for (const r of plain) {
      const d = r.domain!;
      names.push([d], [`a.b.${d}`], [`${d}.`], [d.toUpperCase()], [`x${d}`], [`${d}..`], [`${d}.evil.example`], [`.${d}`], [`sub.${d}`, 'other.example']);
    }
    // Names that only look alike to a Unicode lower-casing (KELVIN SIGN, dotted I) must not match any more than before.
    names.push(['\u212Aasa.com'], ['tuya\u0130.com'], [''], ['.'], ['..'], ['com'], ['a'.repeat(300) + '.tuya.com']);
    let hits = 0;
    for (const n of names) {
      const a = indexed.match(obs(n));
      expect(a).toEqual(scan.match(obs(n)));
      hits += a.length;
    }
    expect(hits).toBeGreaterThan(plain.length);
  });

  it('an observation without names still meets the rules that are not indexed', () => {
    const extra: Rule = { id: 't.any', kind: 'dns', match: [['domain', /^zz$/i]], weight: 0.5, file: 't' };
    const m = new Matcher([...fp.rules, extra]);
    expect(m.match(obs(['zz'])).map((x) => x.rule)).toEqual(['t.any']);
    expect(m.match({ ...obs([]), fields: new Map() })).toEqual([]);
  });
});
