// The exact text of schema.json as generated from the zod schemas: one function, so the generator
// (npm run gen:schema) and the test that compares the committed file agree byte for byte.
import { fileURLToPath } from 'node:url';
import { eventJsonSchema } from '../../../ui/server/exports/event-schema.js';

export const SCHEMA_REL = 'ui/server/exports/schema.json';
export const SCHEMA_PATH = fileURLToPath(new URL(`../../../${SCHEMA_REL}`, import.meta.url));

export function generatedSchemaText(): string {
  return JSON.stringify(eventJsonSchema(), null, 2) + '\n';
}
