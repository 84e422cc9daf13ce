// Every condition operator of a rule's match, pinned value by value (text vs number, nocase, missing fields).
import { describe, expect, it } from 'vitest';
import { compileCondition, matches } from '../../rules/engine/compile.js';
import type { RuleCondition } from '../../rules/engine/types.js';

const ctx = { dhcpResolvers: () => undefined };
const MISSING = Symbol('missing');

/** Does `x` (and `y`, for gte_field) of a tcp_syn-typed event pass the condition on x? */
function passes(cond: RuleCondition, x: unknown, y: unknown = MISSING): boolean {
  const e: Record<string, unknown> = { type: 'tcp_syn', ts: 0 };
  if (x !== MISSING) e.x = x;
  if (y !== MISSING) e.y = y;
  return matches(compileCondition('x', cond), e as never, ctx);
}

const cases: [string, RuleCondition, [unknown, boolean][]][] = [
  ['scalar number', 23, [[23, true], ['23', true], [24, false], ['023', false], [MISSING, false]]],
  ['scalar text', 'tcp', [['tcp', true], ['TCP', false], [MISSING, false]]],
  ['scalar numeric text', '23', [[23, true], ['23', true], [23.5, false]]],
  ['scalar boolean', true, [[true, true], ['true', true], [1, false], [false, false]]],
  ['list', [23, 'abc'], [[23, true], ['23', true], ['abc', true], ['ABC', false], [MISSING, false]]],
  ['eq nocase', { eq: 'Abc', nocase: true }, [['aBC', true], ['abd', false], [5, false]]],
  ['ne', { ne: 23 }, [[24, true], ['23', false], [23, false], [MISSING, true]]],
  ['ne nocase', { ne: 'abc', nocase: true }, [['ABC', false], ['abd', true], [MISSING, true]]],
  ['in nocase', { in: ['A', 5], nocase: true }, [['a', true], ['5', true], [5, true], ['b', false]]],
  ['not_in', { not_in: [1, 2] }, [[3, true], ['1', false], [2, false], [MISSING, true]]],
  ['not_in nocase', { not_in: ['X'], nocase: true }, [['x', false], ['y', true]]],
  ['gt', { gt: 5 }, [[6, true], [5, false], ['6', false], [MISSING, false]]],
  ['gte and lt', { gte: 1, lt: 10 }, [[1, true], [9.5, true], [10, false], [0, false]]],
  ['lte', { lte: 40 }, [[40, true], [41, false], ['1', false]]],
  ['cidr', { cidr: '10.0.0.0/8' }, [['10.1.2.3', true], ['11.0.0.1', false], [5, false], [MISSING, false]]],
  ['not_cidr', { not_cidr: ['10.0.0.0/8', 'fe80::/10'] }, [['11.0.0.1', true], [5, true], ['10.1.1.1', false], ['fe80::1', false]]],
  ['regex', { regex: '^ab' }, [['abc', true], ['xab', false], [null, false], [MISSING, false]]],
  ['regex on a number', { regex: '^12' }, [[123, true], [312, false]]],
  ['regex nocase', { regex: '^ab', nocase: true }, [['ABc', true]]],
  ['not_regex', { not_regex: '^ab' }, [['xab', true], [null, true], [MISSING, true], ['abc', false]]],
  ['contains', { contains: 'bc' }, [['abcd', true], ['ABCD', false], [5, false]]],
  ['contains nocase', { contains: 'BC', nocase: true }, [['abcd', true]]],
  ['starts_with', { starts_with: '0000' }, [['00000001', true], ['10000', false], [0, false]]],
  ['ends_with nocase', { ends_with: '.SH', nocase: true }, [['bins.sh', true], ['bins.shx', false]]],
  ['private', { private: true }, [['192.168.1.1', true], ['8.8.8.8', false], ['fe80::1', true]]],
  ['not private', { private: false }, [['8.8.8.8', true], ['10.0.0.1', false], [5, false], [MISSING, false]]],
  ['multicast', { multicast: true }, [['224.0.0.251', true], ['ff02::fb', true], ['10.0.0.1', false]]],
  ['public', { public: true }, [['8.8.8.8', true], ['10.0.0.1', false], ['198.51.100.7', false], ['not an ip', false]]],
  ['exists', { exists: true }, [['x', true], [0, true], ['', false], [null, false], [MISSING, false]]],
  ['exists false', { exists: false }, [['', true], [MISSING, true], ['x', false]]],
];

describe('condition operators', () => {
  for (const [name, cond, values] of cases) {
    it(name, () => {
      for (const [x, want] of values) expect([x, passes(cond, x)]).toEqual([x, want]);
    });
  }
  it('gte_field compares with another field of the same event', () => {
    const cond: RuleCondition = { gte_field: { field: 'y', times: 2 } };
    expect(passes(cond, 10, 5)).toBe(true);
    expect(passes(cond, 9, 5)).toBe(false);
    expect(passes(cond, 10)).toBe(false);
    expect(passes(cond, '10', 5)).toBe(false);
  });
});
