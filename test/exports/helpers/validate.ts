// A small, strict JSON Schema (2020-12) validator for the keywords schema.json uses, so tests check messages
// against the published file itself (not only the zod schemas it was generated from). Unknown keywords throw.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

export const SCHEMA_PATH = fileURLToPath(new URL('../../../ui/server/exports/schema.json', import.meta.url));

type Schema = Record<string, unknown> | boolean;

const ANNOTATIONS = new Set(['$schema', '$id', 'title', 'description', 'default', 'examples', '$comment', '$defs', 'definitions']);

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

function check(root: Record<string, unknown>, s: Schema, v: unknown, path: string, errs: string[]): void {
  if (s === true) return;
  if (s === false) {
    errs.push(`${path}: not allowed`);
    return;
  }
  for (const [k, arg] of Object.entries(s)) {
    if (ANNOTATIONS.has(k)) continue;
    switch (k) {
      case '$ref': {
        const ref = arg as string;
        if (!ref.startsWith('#/')) throw new Error(`validator: unsupported $ref ${ref}`);
        let t: unknown = root;
        for (const part of ref.slice(2).split('/')) t = (t as Record<string, unknown>)[part];
        check(root, t as Schema, v, path, errs);
        break;
      }
      case 'type': {
        const types = Array.isArray(arg) ? (arg as string[]) : [arg as string];
        const t = typeOf(v);
        const ok = types.some((x) => x === t || (x === 'integer' && t === 'number' && Number.isInteger(v)));
        if (!ok) errs.push(`${path}: type ${t}, want ${types.join('|')}`);
        break;
      }
      case 'const':
        if (JSON.stringify(v) !== JSON.stringify(arg)) errs.push(`${path}: want const ${JSON.stringify(arg)}`);
        break;
      case 'enum':
        if (!(arg as unknown[]).some((x) => JSON.stringify(x) === JSON.stringify(v))) errs.push(`${path}: ${JSON.stringify(v)} not in enum`);
        break;
      case 'pattern':
        if (typeof v === 'string' && !new RegExp(arg as string, 'u').test(v)) errs.push(`${path}: ${JSON.stringify(v)} does not match ${arg}`);
        break;
      case 'format':
        break; // annotation only in 2020-12 by default
      case 'minLength':
        if (typeof v === 'string' && [...v].length < (arg as number)) errs.push(`${path}: shorter than ${arg}`);
        break;
      case 'maxLength':
        if (typeof v === 'string' && [...v].length > (arg as number)) errs.push(`${path}: longer than ${arg}`);
        break;
      case 'minimum':
        if (typeof v === 'number' && v < (arg as number)) errs.push(`${path}: < ${arg}`);
        break;
      case 'maximum':
        if (typeof v === 'number' && v > (arg as number)) errs.push(`${path}: > ${arg}`);
        break;
      case 'exclusiveMinimum':
        if (typeof v === 'number' && v <= (arg as number)) errs.push(`${path}: <= ${arg}`);
        break;
      case 'exclusiveMaximum':
        if (typeof v === 'number' && v >= (arg as number)) errs.push(`${path}: >= ${arg}`);
        break;
      case 'minItems':
        if (Array.isArray(v) && v.length < (arg as number)) errs.push(`${path}: fewer than ${arg} items`);
        break;
      case 'maxItems':
        if (Array.isArray(v) && v.length > (arg as number)) errs.push(`${path}: more than ${arg} items`);
        break;
      case 'items':
        if (Array.isArray(v)) v.forEach((x, i) => check(root, arg as Schema, x, `${path}[${i}]`, errs));
        break;
      case 'required':
        if (typeOf(v) === 'object') {
          for (const r of arg as string[]) if (!(r in (v as object))) errs.push(`${path}: missing ${r}`);
        }
        break;
      case 'properties':
        if (typeOf(v) === 'object') {
          for (const [pk, ps] of Object.entries(arg as Record<string, Schema>)) {
            if (pk in (v as object)) check(root, ps, (v as Record<string, unknown>)[pk], `${path}.${pk}`, errs);
          }
        }
        break;
      case 'additionalProperties':
        if (typeOf(v) === 'object') {
          const known = new Set(Object.keys((s as Record<string, unknown>).properties ?? {}));
          for (const [pk, pv] of Object.entries(v as Record<string, unknown>)) {
            if (!known.has(pk)) check(root, arg as Schema, pv, `${path}.${pk}`, errs);
          }
        }
        break;
      case 'propertyNames':
        if (typeOf(v) === 'object') for (const pk of Object.keys(v as object)) check(root, arg as Schema, pk, `${path}{${pk}}`, errs);
        break;
      case 'anyOf':
      case 'oneOf': {
        const results = (arg as Schema[]).map((sub) => {
          const e: string[] = [];
          check(root, sub, v, path, e);
          return e;
        });
        const passing = results.filter((e) => e.length === 0).length;
        if (k === 'anyOf' ? passing === 0 : passing !== 1) {
          errs.push(`${path}: ${k} matched ${passing}; closest: ${results.sort((a, b) => a.length - b.length)[0]?.join('; ')}`);
        }
        break;
      }
      case 'allOf':
        for (const sub of arg as Schema[]) check(root, sub, v, path, errs);
        break;
      default:
        throw new Error(`validator: unsupported keyword ${k} at ${path}`);
    }
  }
}

let cached: Record<string, unknown> | null = null;

/** Errors of v against schema.json (empty = valid). */
export function validate(v: unknown): string[] {
  cached ??= JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')) as Record<string, unknown>;
  const errs: string[] = [];
  check(cached, cached, v, '$', errs);
  return errs;
}

export function assertValid(v: unknown): void {
  expect(validate(v), JSON.stringify(v).slice(0, 400)).toEqual([]);
}
