// An accept-only fast path for zod schemas: compiled once from the schema itself, it returns zod's output for a
// valid value and gives up on anything else, so zod runs and reports the issues (same messages, same paths).
//
// Why: at start-up the loaders validate ~450 fingerprint and rule entries, and zod (v3) spends most of that time on
// its generic machinery (contexts, lazy paths, status objects) while V8 has not optimised it yet: ~25 ms of a
// ~100 ms start-up. The checks below are the same checks, in the same order, on the same values (zod v3 types.js),
// and refinements and transforms are zod's own functions, so a schema change is picked up without a second copy.
// Anything this file does not know (a new check kind, coerce, preprocess, lazy, ...) makes the whole schema take
// zod's path.
import { z } from 'zod';

const FAIL = Symbol('fail');
type Fast = (data: unknown) => unknown;

const compiledSchemas = new WeakMap<z.ZodTypeAny, Fast | null>();

/** schema.safeParse(data), answered without zod when the value is valid and the schema is one this file knows. */
export function fastSafeParse<T extends z.ZodTypeAny>(schema: T, data: unknown): z.SafeParseReturnType<z.input<T>, z.output<T>> {
  const fast = fastOnly(schema, data);
  return fast ? { success: true, data: fast.data } : schema.safeParse(data);
}

/** The fast path alone: zod's output for a value it accepts, or null (refused, or a schema this file does not know). */
export function fastOnly<T extends z.ZodTypeAny>(schema: T, data: unknown): { data: z.output<T> } | null {
  let fast = compiledSchemas.get(schema);
  if (fast === undefined) {
    fast = compile(schema);
    compiledSchemas.set(schema, fast);
  }
  if (!fast) return null;
  const out = fast(data);
  return out === FAIL ? null : { data: out as z.output<T> };
}

/** What zod's getParsedType calls "object" (util.js): not null, an array, a promise-like, Map, Set or Date. */
function isZodObject(d: unknown): d is Record<string, unknown> {
  if (typeof d !== 'object' || d === null || Array.isArray(d)) return false;
  const o = d as { then?: unknown; catch?: unknown };
  if (o.then && typeof o.then === 'function' && o.catch && typeof o.catch === 'function') return false;
  return !(d instanceof Map || d instanceof Set || d instanceof Date);
}

/** The checker of one schema node, or null when zod must do it (then so must every schema containing it). */
export function compile(schema: z.ZodTypeAny): Fast | null {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const def = schema._def as any;
  switch (def.typeName as string) {
    case 'ZodString': {
      if (def.coerce) return null;
      const checks: { kind: string; value?: number; regex?: RegExp }[] = def.checks;
      if (!checks.every((c) => c.kind === 'min' || c.kind === 'max' || c.kind === 'length' || c.kind === 'regex')) return null;
      return (d) => {
        if (typeof d !== 'string') return FAIL;
        for (const c of checks) {
          if (c.kind === 'min') { if (d.length < c.value!) return FAIL; }
          else if (c.kind === 'max') { if (d.length > c.value!) return FAIL; }
          else if (c.kind === 'length') { if (d.length !== c.value!) return FAIL; }
          else {
            c.regex!.lastIndex = 0;
            if (!c.regex!.test(d)) return FAIL;
          }
        }
        return d;
      };
    }
    case 'ZodNumber': {
      if (def.coerce) return null;
      const checks: { kind: string; value?: number; inclusive?: boolean }[] = def.checks;
      if (!checks.every((c) => c.kind === 'int' || c.kind === 'min' || c.kind === 'max' || c.kind === 'finite')) return null;
      return (d) => {
        if (typeof d !== 'number' || Number.isNaN(d)) return FAIL;
        for (const c of checks) {
          if (c.kind === 'int') { if (!Number.isInteger(d)) return FAIL; }
          else if (c.kind === 'min') { if (c.inclusive ? d < c.value! : d <= c.value!) return FAIL; }
          else if (c.kind === 'max') { if (c.inclusive ? d > c.value! : d >= c.value!) return FAIL; }
          else if (!Number.isFinite(d)) return FAIL;
        }
        return d;
      };
    }
    case 'ZodBoolean':
      return def.coerce ? null : (d) => (typeof d === 'boolean' ? d : FAIL);
    case 'ZodEnum': {
      const values = new Set<unknown>(def.values);
      return (d) => (typeof d === 'string' && values.has(d) ? d : FAIL);
    }
    case 'ZodLiteral': {
      const value = def.value;
      return (d) => (d === value ? d : FAIL);
    }
    case 'ZodAny':
    case 'ZodUnknown':
      return (d) => d;
    case 'ZodOptional': {
      const inner = compile(def.innerType);
      return inner && ((d) => (d === undefined ? undefined : inner(d)));
    }
    case 'ZodNullable': {
      const inner = compile(def.innerType);
      return inner && ((d) => (d === null ? null : inner(d)));
    }
    case 'ZodDefault': {
      const inner = compile(def.innerType);
      const dflt: () => unknown = def.defaultValue;
      return inner && ((d) => inner(d === undefined ? dflt() : d));
    }
    case 'ZodArray': {
      const item = compile(def.type);
      if (!item) return null;
      const exact: number | null = def.exactLength?.value ?? null;
      const min: number | null = def.minLength?.value ?? null;
      const max: number | null = def.maxLength?.value ?? null;
      return (d) => {
        if (!Array.isArray(d)) return FAIL;
        if ((exact !== null && d.length !== exact) || (min !== null && d.length < min) || (max !== null && d.length > max)) return FAIL;
        const out: unknown[] = [];
        for (let i = 0; i < d.length; i++) {
          const v = item(d[i]);
          if (v === FAIL) return FAIL;
          out.push(v);
        }
        return out;
      };
    }
    case 'ZodRecord': {
      const key = compile(def.keyType);
      const value = compile(def.valueType);
      if (!key || !value || def.keyType._def.typeName !== 'ZodString') return null;
      return (d) => {
        if (!isZodObject(d)) return FAIL;
        const out: Record<string, unknown> = {};
        for (const k in d) {
          if (key(k) === FAIL) return FAIL;
          const v = value(d[k]);
          if (v === FAIL) return FAIL;
          // ParseStatus.mergeObjectSync: "__proto__" is never copied; own or inherited, k is "in" d.
          if (k !== '__proto__') out[k] = v;
        }
        return out;
      };
    }
    case 'ZodObject': {
      const shape: Record<string, z.ZodTypeAny> = def.shape();
      const keys = Object.keys(shape);
      const fields: Fast[] = [];
      for (const k of keys) {
        const f = compile(shape[k]!);
        if (!f) return null;
        fields.push(f);
      }
      const unknownKeys: string = def.unknownKeys;
      const catchallNever = def.catchall._def.typeName === 'ZodNever';
      const catchall = catchallNever ? null : compile(def.catchall);
      if (!catchallNever && !catchall) return null;
      if (catchallNever && unknownKeys !== 'strip' && unknownKeys !== 'strict' && unknownKeys !== 'passthrough') return null;
      const keySet = new Set(keys);
      return (d) => {
        if (!isZodObject(d)) return FAIL;
        const extra: string[] = [];
        if (!(catchallNever && unknownKeys === 'strip')) {
          for (const k in d) if (!keySet.has(k)) extra.push(k);
          if (catchallNever && unknownKeys === 'strict' && extra.length > 0) return FAIL;
        }
        const out: Record<string, unknown> = {};
        for (let i = 0; i < keys.length; i++) {
          const k = keys[i]!;
          const v = fields[i]!(d[k]);
          if (v === FAIL) return FAIL;
          if (k !== '__proto__' && (v !== undefined || k in d)) out[k] = v;
        }
        if (catchall) {
          for (const k of extra) {
            const v = catchall(d[k]);
            if (v === FAIL) return FAIL;
            if (k !== '__proto__' && (v !== undefined || k in d)) out[k] = v;
          }
        } else if (unknownKeys === 'passthrough') {
          for (const k of extra) if (k !== '__proto__' && d[k] !== undefined) out[k] = d[k];
        }
        return out;
      };
    }
    case 'ZodUnion': {
      // First option that accepts, as ZodUnion: every check above refuses exactly what zod refuses.
      const options: (Fast | null)[] = (def.options as z.ZodTypeAny[]).map(compile);
      if (options.some((o) => !o)) return null;
      return (d) => {
        for (const o of options as Fast[]) {
          const v = o(d);
          if (v !== FAIL) return v;
        }
        return FAIL;
      };
    }
    case 'ZodEffects': {
      const inner = compile(def.schema);
      const effect = def.effect as { type: string; refinement?: (v: unknown, ctx: z.RefinementCtx) => unknown; transform?: (v: unknown, ctx: z.RefinementCtx) => unknown };
      if (!inner || (effect.type !== 'refinement' && effect.type !== 'transform')) return null;
      return (d) => {
        const v = inner(d);
        if (v === FAIL) return FAIL;
        let issues = 0;
        // The path is only used to place issues; an issue here sends the value to zod, which places it.
        const ctx = { addIssue: () => { issues++; }, path: [] } as unknown as z.RefinementCtx;
        const r = effect.type === 'refinement' ? effect.refinement!(v, ctx) : effect.transform!(v, ctx);
        if (issues > 0 || r instanceof Promise) return FAIL;
        return effect.type === 'refinement' ? v : r;
      };
    }
    default:
      return null;
  }
}
