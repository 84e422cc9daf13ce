// Types of encode.mjs for the TypeScript tests that write small OUI tables with it.
export function encodeOuiTable(entries: Iterable<[string, string]>, format?: 1 | 2 | 3): { text: string; names: number; rows: number };
