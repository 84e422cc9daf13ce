// MAC vendor look-up: lazily loads the compact OUI table built by firmware-scripts/oui/build-oui.mjs.
import { existsSync, readFileSync } from 'node:fs';
import { projectPath } from '../paths.js';

/** One IEEE registry block: MA-L (24-bit prefix), MA-M (28) or MA-S (36). */
interface Block {
  hexDigits: number;
  keys: Float64Array; // sorted prefixes as numbers (36 bits fit a double exactly)
  names: Uint32Array; // index into OuiTable.names
}

export interface OuiMatch {
  /** Registered organisation name as the IEEE lists it, e.g. "Espressif Inc.". */
  name: string;
  /** The matched prefix, "5c:cf:7f" or "70:b3:d5:0e:3" style. */
  prefix: string;
  registry: 'MA-L' | 'MA-M' | 'MA-S';
}

export class OuiTable {
  private constructor(private readonly names: string[], private readonly blocks: Block[]) {}

  /** Parse the text produced by build-oui.mjs; throws with a reason on a bad file. */
  static parse(text: string): OuiTable {
    const lines = text.split('\n');
    const head = /^waakhond-oui 1 (\d+) (\d+)$/.exec(lines[0] ?? '');
    if (!head) throw new Error('not a waakhond OUI table (bad header)');
    const nNames = Number(head[1]);
    const names = lines.slice(1, 1 + nNames);
    if (lines[1 + nNames] !== '%%') throw new Error('OUI table: name section length does not match header');
    const byLen = new Map<number, { k: number[]; n: number[] }>([[6, { k: [], n: [] }], [7, { k: [], n: [] }], [9, { k: [], n: [] }]]);
    for (let i = 2 + nNames; i < lines.length; i++) {
      const l = lines[i];
      if (!l) continue;
      const sp = l.indexOf(' ');
      const prefix = l.slice(0, sp);
      const b = byLen.get(prefix.length);
      const idx = parseInt(l.slice(sp + 1), 36);
      if (!b || !(idx < nNames)) throw new Error(`OUI table line ${i + 1}: bad entry`);
      b.k.push(parseInt(prefix, 16));
      b.n.push(idx);
    }
    const blocks: Block[] = [];
    for (const hexDigits of [9, 7, 6]) {
      const b = byLen.get(hexDigits)!;
      const order = b.k.map((_, i) => i).sort((x, y) => b.k[x] - b.k[y]);
      blocks.push({ hexDigits, keys: Float64Array.from(order, (i) => b.k[i]), names: Uint32Array.from(order, (i) => b.n[i]) });
    }
    return new OuiTable(names, blocks);
  }

  get size(): number {
    return this.blocks.reduce((s, b) => s + b.keys.length, 0);
  }

  /** Longest-prefix match (MA-S, then MA-M, then MA-L) of a normalised "aa:bb:..." MAC. */
  lookup(mac: string): OuiMatch | null {
    const hex = mac.replace(/:/g, '').toUpperCase();
    if (!/^[0-9A-F]{12}$/.test(hex)) return null;
    for (const b of this.blocks) {
      const key = parseInt(hex.slice(0, b.hexDigits), 16);
      let lo = 0;
      let hi = b.keys.length - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >>> 1;
        const v = b.keys[mid];
        if (v === key) {
          const p = hex.slice(0, b.hexDigits).toLowerCase();
          return {
            name: this.names[b.names[mid]],
            prefix: p.match(/.{1,2}/g)!.join(':'),
            registry: b.hexDigits === 6 ? 'MA-L' : b.hexDigits === 7 ? 'MA-M' : 'MA-S',
          };
        }
        if (v < key) lo = mid + 1;
        else hi = mid - 1;
      }
    }
    return null;
  }
}

/** Where the table is looked for: $WAAKHOND_OUI, else <install root>/dist/data/oui.txt (build-oui.mjs output). */
export function defaultOuiPaths(): string[] {
  return [process.env.WAAKHOND_OUI, projectPath('dist', 'data', 'oui.txt')].filter((p): p is string => !!p);
}

let cached: { table: OuiTable | null; error: string | null } | null = null;

/** The shared table, loaded on first use; null (with a reason in ouiStatus()) when missing or corrupt. */
export function ouiTable(paths: string[] = defaultOuiPaths()): OuiTable | null {
  if (cached) return cached.table;
  const file = paths.find((p) => existsSync(p));
  if (!file) {
    cached = { table: null, error: `OUI table not found (looked in ${paths.join(', ')}): run node firmware-scripts/oui/build-oui.mjs` };
    return null;
  }
  try {
    cached = { table: OuiTable.parse(readFileSync(file, 'utf8')), error: null };
  } catch (err) {
    cached = { table: null, error: `${file}: ${(err as Error).message}` };
  }
  return cached.table;
}

/** Why the OUI table is unavailable, or null when it loaded (or was not needed yet). */
export function ouiStatus(): string | null {
  return cached?.error ?? null;
}
