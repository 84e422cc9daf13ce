// The accept-only fast path gives exactly zod's answer: the same output for every value zod accepts, nothing otherwise.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parse } from 'yaml';
import { z } from 'zod';
import { compile, fastOnly, fastSafeParse } from '../../sensor/zod-fast.js';
import { ruleFileSchema, ruleSchema, vendorFileSchema, vendorSchema } from '../../sensor/inventory/fingerprints.js';
import { RuleDoc } from '../../rules/engine/schema.js';
import { listRuleFiles } from '../../rules/engine/load.js';
import { BaselineDoc, defaultBaselineFile } from '../../rules/engine/baseline-config.js';
import { PROJECT_ROOT } from '../helpers/shared.js';

/** fastOnly agrees with zod on v: accepts iff zod does, with the same output (key order and undefined keys too). */
function agrees(schema: z.ZodTypeAny, v: unknown): void {
  const slow = schema.safeParse(v);
  const fast = fastOnly(schema, v);
  expect(fast !== null).toBe(slow.success);
  if (fast && slow.success) {
    expect(fast.data).toStrictEqual(slow.data);
    expect(JSON.stringify(fast.data)).toBe(JSON.stringify(slow.data));
  }
  const both = fastSafeParse(schema, v);
  expect(both.success).toBe(slow.success);
  if (!both.success && !slow.success) expect(JSON.stringify(both.error.issues)).toBe(JSON.stringify(slow.error.issues));
}

const fpDir = path.join(PROJECT_ROOT, 'sensor', 'inventory', 'fingerprints');
const fpDocs = readdirSync(fpDir).filter((n) => /\.ya?ml$/.test(n)).map((n) => parse(readFileSync(path.join(fpDir, n), 'utf8')));
const fpRules: unknown[] = fpDocs.flatMap((d) => d.rules ?? []);
const fpVendors: unknown[] = fpDocs.flatMap((d) => d.vendors ?? []);
const baselineDoc: unknown = parse(readFileSync(defaultBaselineFile(), 'utf8'));
const ruleDocs: unknown[] = listRuleFiles([path.join(PROJECT_ROOT, 'rules', 'packs')]).files.map((f) => parse(readFileSync(f, 'utf8')));

/** A value from a pool with the boundaries the schemas test (lengths, 0..1, ints, durations, regexes). */
const leaf = fc.oneof(
  fc.constantFrom('', 'a', 'x.y-z', 'Bad Id', '10s', '1m', '500ms', '10 seconds', '(', '^foo$', 'camera', 'tcp_syn', 'device', 'update', 'dhcp', 'vendors'),
  fc.string({ maxLength: 5 }),
  fc.constantFrom('x'.repeat(60), 'x'.repeat(61), 'x'.repeat(200), 'x'.repeat(201), 'x'.repeat(400), 'x'.repeat(401)),
  fc.constantFrom(0, 1, -1, 0.5, 1.5, 2, 3, 1e6, 1_000_001, Number.NaN, Number.POSITIVE_INFINITY),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
);
const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('v'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom('count', 'min', 'size', 'kind', 'eq', 'in', 'regex', 'nocase', 'event', 'dst_port', 'hostname', 'x', '__proto__'), tie('v'), { maxKeys: 3 }),
  ),
})).v;

/** A shipped entry with a few random edits anywhere in it: keys removed, values replaced, keys added. */
function mutated(samples: unknown[]): fc.Arbitrary<unknown> {
  const edit = fc.tuple(fc.nat(), fc.nat(), fc.constantFrom('delete', 'set', 'add'), value);
  return fc.tuple(fc.constantFrom(...samples), fc.array(edit, { minLength: 1, maxLength: 3 })).map(([orig, edits]) => {
    const doc = structuredClone(orig);
    for (const [a, b, op, v] of edits) {
      // Walk to a random object inside the entry.
      const objects: Record<string, unknown>[] = [];
      const walk = (o: unknown) => {
        if (o && typeof o === 'object') {
          objects.push(o as Record<string, unknown>);
          for (const c of Object.values(o)) walk(c);
        }
      };
      walk(doc);
      const target = objects[a % objects.length]!;
      const keys = Object.keys(target);
      const k = keys.length ? keys[b % keys.length]! : 'x';
      if (op === 'delete') delete target[k];
      else if (op === 'set') target[k] = v;
      else target[['extra', 'note', 'weight', 'vendor', 'window', 'threshold', 'advice', 'nocase'][b % 8]!] = v;
    }
    return doc;
  });
}

describe('fast zod path', () => {
  it('knows every loader schema (else start-up takes the slow path again)', () => {
    for (const s of [ruleSchema, ruleFileSchema, vendorSchema, vendorFileSchema, RuleDoc, BaselineDoc]) expect(compile(s)).not.toBeNull();
  });

  it('agrees with zod on every shipped fingerprint, vendor and rule', () => {
    expect(fpRules.length).toBeGreaterThan(100);
    expect(ruleDocs.length).toBeGreaterThan(10);
    for (const r of fpRules) agrees(ruleSchema, r);
    for (const v of fpVendors) agrees(vendorSchema, v);
    for (const d of fpDocs) agrees(d.kind === 'vendors' ? vendorFileSchema : ruleFileSchema, d);
    for (const d of ruleDocs) agrees(RuleDoc, d);
    agrees(BaselineDoc, baselineDoc);
    // They are valid, so all of them took the fast path.
    expect(fpRules.every((r) => fastOnly(ruleSchema, r))).toBe(true);
    expect(ruleDocs.every((d) => fastOnly(RuleDoc, d))).toBe(true);
    expect(fastOnly(BaselineDoc, baselineDoc)).not.toBeNull();
  });

  it('agrees with zod on edited fingerprints and rules', () => {
    fc.assert(fc.property(mutated(fpRules), (v) => agrees(ruleSchema, v)), { numRuns: 300 });
    fc.assert(fc.property(mutated(fpVendors), (v) => agrees(vendorSchema, v)), { numRuns: 150 });
    fc.assert(fc.property(mutated(ruleDocs), (v) => agrees(RuleDoc, v)), { numRuns: 300 });
    fc.assert(fc.property(mutated([baselineDoc]), (v) => agrees(BaselineDoc, v)), { numRuns: 300 });
  });

  it('agrees with zod node by node on random values', () => {
    const schemas: z.ZodTypeAny[] = [
      z.string().min(1).max(3), z.string().length(2), z.string().regex(/^a/), z.number().int().min(0).max(5),
      z.number().gt(0).lt(1), z.number().finite(), z.boolean(), z.enum(['a', 'b']), z.literal('a'), z.unknown(),
      z.string().optional(), z.number().nullable(), z.array(z.string()).default(['x']), z.array(z.number()).min(1).max(2),
      z.array(z.boolean()).length(1), z.record(z.string(), z.number()), z.object({ a: z.string(), b: z.number().optional() }),
      z.object({ a: z.string() }).strict(), z.object({ a: z.string() }).passthrough(), z.object({ count: z.number() }).catchall(z.boolean()),
      z.union([z.string(), z.array(z.number())]), z.string().refine((s) => s.length !== 2, 'not 2'),
      z.string().superRefine((s, ctx) => { if (s === 'a') ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'no a' }); }),
      z.number().transform((n) => ({ n })), z.object({ x: z.number().default(3), y: z.string().nullable().default(null) }),
    ];
    for (const s of schemas) expect(compile(s)).not.toBeNull();
    fc.assert(fc.property(value, (v) => { for (const s of schemas) agrees(s, v); }), { numRuns: 500 });
  });

  it('leaves schemas it does not know to zod', () => {
    for (const s of [z.string().email(), z.coerce.number(), z.preprocess((x) => x, z.string()), z.lazy(() => z.string()), z.string().trim()]) {
      expect(compile(s)).toBeNull();
      expect(fastOnly(s, 'a@b.c')).toBeNull();
      const [a, b] = [fastSafeParse(s, 'a@b.c'), s.safeParse('a@b.c')];
      expect(JSON.stringify(a.success ? a.data : a.error.issues)).toBe(JSON.stringify(b.success ? b.data : b.error.issues));
    }
  });
});
