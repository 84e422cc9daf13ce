// Types of pyliteral.mjs for the TypeScript tests.
export class PyLiteralError extends Error {
  line: number;
  col: number;
}
export function parseModule(text: string): Record<string, unknown>;
