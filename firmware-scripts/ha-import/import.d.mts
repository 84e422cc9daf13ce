// Types of import.mjs for the TypeScript tests.
export const FORMAT: string;
export const TABLES: string[];
export const KINDS: Set<string>;
export class ImportError extends Error {}
export interface Located { file: string; repo: string; path: string; commit: string }
export function locate(from: string): Record<string, Located>;
export function loadDomains(file?: string): Map<string, { brand: string | null; kind: string | null; globs: Record<string, string>; drop: Record<string, string> }>;
export function generate(from: string, domainsFile?: string): { jsonl: string; notice: string; counts: Record<string, number> };
