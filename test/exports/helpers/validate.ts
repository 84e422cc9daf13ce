// Messages are checked against the published schema.json itself (not only the zod schemas it was generated
// from), with ajv: the standard JSON Schema 2020-12 validator, strict so an unknown keyword is an error.
import { readFileSync } from 'node:fs';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { expect } from 'vitest';
import { SCHEMA_PATH } from './schema-text.js';

export { SCHEMA_PATH };

// ajv-formats is CommonJS with a default export; under NodeNext the callable is on .default or the module itself.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as typeof addFormatsModule.default;

let compiled: ValidateFunction | null = null;

function validator(): ValidateFunction {
  if (compiled) return compiled;
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  addFormats(ajv);
  compiled = ajv.compile(JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')) as object);
  return compiled;
}

/** Errors of v against schema.json (empty = valid), one line each: instance path, then ajv's message. */
export function validate(v: unknown): string[] {
  const check = validator();
  if (check(v)) return [];
  return (check.errors ?? []).map((e) => `${e.instancePath || '$'}: ${e.message ?? e.keyword} ${JSON.stringify(e.params)}`);
}

export function assertValid(v: unknown): void {
  expect(validate(v), JSON.stringify(v).slice(0, 400)).toEqual([]);
}
