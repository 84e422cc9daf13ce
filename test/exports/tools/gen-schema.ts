// npm run gen:schema: rewrites ui/server/exports/schema.json from the zod schemas. A tool, not a test:
// the test only compares, so a run can never write the expectation it then checks.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SCHEMA_REL, generatedSchemaText } from '../helpers/schema-text.js';

// Bundled by test/rules/tools/run.mjs into a temporary file, so import.meta.url is not the project: run.mjs sets WAAKHOND_ROOT.
const SCHEMA_PATH = path.join(process.env.WAAKHOND_ROOT ?? process.cwd(), SCHEMA_REL);

export function main(): number {
  const text = generatedSchemaText();
  let old = '';
  try { old = readFileSync(SCHEMA_PATH, 'utf8'); } catch { /* first generation */ }
  if (old === text) {
    console.log(`${SCHEMA_PATH}: unchanged`);
    return 0;
  }
  writeFileSync(SCHEMA_PATH, text);
  console.log(`${SCHEMA_PATH}: written (${text.length} bytes); review the diff and commit it`);
  return 0;
}
