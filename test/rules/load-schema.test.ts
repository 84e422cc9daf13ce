// The rule schema's typed unions give exactly what plain z.union gives (same output, same issues), valid or not.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { z } from 'zod';
import { Condition, RuleDoc, TypedUnion } from '../../rules/engine/schema.js';

/** The TypedUnion under a RuleDoc field (through .default()), e.g. threshold, window. */
function fieldUnion(name: string): TypedUnion<z.ZodUnionOptions> {
  const obj = (RuleDoc as unknown as z.ZodEffects<z.AnyZodObject>)._def.schema;
  let s = obj.shape[name] as z.ZodTypeAny;
  while (s instanceof z.ZodDefault || s instanceof z.ZodOptional) s = s._def.innerType as z.ZodTypeAny;
  expect(s).toBeInstanceOf(TypedUnion);
  return s as TypedUnion<z.ZodUnionOptions>;
}

/** TypedUnions under Condition: itself, Scalar, the string|number list element, cidr's string|list. */
function unionsUnderCondition(): TypedUnion<z.ZodUnionOptions>[] {
  const [scalar, list, ops] = Condition.options as unknown as [z.ZodTypeAny, z.ZodArray<z.ZodTypeAny>, z.ZodEffects<z.AnyZodObject>];
  const cidr = (ops._def.schema.shape.cidr as z.ZodOptional<z.ZodTypeAny>)._def.innerType;
  return [Condition as unknown as TypedUnion<z.ZodUnionOptions>, scalar, list.element, cidr] as TypedUnion<z.ZodUnionOptions>[];
}

const summary = (r: z.SafeParseReturnType<unknown, unknown>) =>
  r.success ? { ok: true, data: r.data } : { ok: false, issues: JSON.parse(JSON.stringify(r.error.issues)) };

const value = fc.letrec((tie) => ({
  any: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom('10s', '1m', '500ms', '10 seconds', '', '(', 'x'),
    fc.oneof(fc.integer({ min: -3, max: 10 }), fc.double(), fc.constant(0.5)),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('any'), { maxLength: 3 }),
    fc.dictionary(
      fc.constantFrom('count', 'sum', 'distinct', 'min', 'periodic', 'min_count', 'max_jitter', 'size', 'kind', 'eq', 'in', 'regex', 'nocase', 'gte', 'cidr', 'x'),
      tie('any'),
      { maxKeys: 3 },
    ),
  ),
})).any;

describe('TypedUnion', () => {
  const unions = [...unionsUnderCondition(), fieldUnion('threshold'), fieldUnion('window')];

  it('agrees with z.union over the same options on random values', () => {
    for (const u of unions) expect(u).toBeInstanceOf(TypedUnion);
    fc.assert(
      fc.property(value, (v) => {
        for (const u of unions) {
          const plain = z.union(u.options as unknown as [z.ZodTypeAny, z.ZodTypeAny]);
          expect(summary(u.safeParse(v))).toEqual(summary(plain.safeParse(v)));
        }
      }),
      { numRuns: 400 },
    );
  });

  it('agrees on the shapes rule files use', () => {
    const samples: unknown[] = [
      23, 'tcp', true, [23, 2323], ['a', 1], { in: [23, 'x'] }, { regex: 'busybox', nocase: true }, { regex: '(' },
      { gte: 3 }, { nocase: true }, {}, { cidr: ['10.0.0.0/8'] }, { cidr: [] },
      { count: 3 }, { sum: 'orig_bytes', min: 1e6 }, { distinct: 'dst_ip', min: 20 }, { distinct: 'dst_ip', min: 0 },
      { periodic: { min_count: 5, max_jitter: 0.2, min_interval: '30s' } }, { count: 1, sum: 'x' }, 0, 2.5,
      { size: '10m', kind: 'tumbling' }, { size: '10m' }, { size: 'ten' }, '1h', 'soon',
    ];
    for (const v of samples) {
      for (const u of unions) {
        const plain = z.union(u.options as unknown as [z.ZodTypeAny, z.ZodTypeAny]);
        expect(summary(u.safeParse(v))).toEqual(summary(plain.safeParse(v)));
      }
    }
  });
});
