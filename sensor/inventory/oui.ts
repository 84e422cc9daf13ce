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

  /** Parse the file produced by build-oui.mjs; throws with a reason on a bad file. */
  static parse(data: Uint8Array | string): OuiTable {
    // Parsed from bytes, with no string per row: the transient garbage is what costs RSS on a router.
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    const NL = 0x0a;
    let pos = buf.indexOf(NL);
    const head = /^waakhond-oui 1 (\d+) (\d+)$/.exec(buf.toString('latin1', 0, Math.max(0, pos)));
    if (!head) throw new Error('not a waakhond OUI table (bad header)');
    const nNames = Number(head[1]);
    const nRows = Number(head[2]);
    const names: string[] = new Array(nNames);
    for (let i = 0; i < nNames; i++) {
      const next = buf.indexOf(NL, pos + 1);
      if (next < 0) throw new Error('OUI table: truncated name section');
      names[i] = buf.toString('utf8', pos + 1, next);
      pos = next;
    }
    if (buf.toString('latin1', pos, pos + 4) !== '\n%%\n') throw new Error('OUI table: name section length does not match header');
    pos += 4;
    const tmp = new Map<number, { k: Float64Array; n: Uint32Array; len: number }>(
      [6, 7, 9].map((d) => [d, { k: new Float64Array(nRows), n: new Uint32Array(nRows), len: 0 }]),
    );
    let line = 0;
    while (pos < buf.length) {
      line++;
      let key = 0;
      let digits = 0;
      for (; pos < buf.length && buf[pos] !== 0x20; pos++, digits++) {
        const v = hexValue(buf[pos]);
        if (v < 0) throw new Error(`OUI table entry ${line}: bad prefix`);
        key = key * 16 + v;
      }
      pos++;
      let idx = 0;
      for (; pos < buf.length && buf[pos] !== NL; pos++) {
        const v = base36Value(buf[pos]);
        if (v < 0) throw new Error(`OUI table entry ${line}: bad name index`);
        idx = idx * 36 + v;
      }
      pos++;
      const b = tmp.get(digits);
      if (!b || idx >= nNames || b.len >= nRows) throw new Error(`OUI table entry ${line}: bad entry`);
      // Rows are sorted, so each block comes out sorted: binary search needs that, check it.
      if (b.len > 0 && b.k[b.len - 1] >= key) throw new Error(`OUI table entry ${line}: not sorted`);
      b.k[b.len] = key;
      b.n[b.len] = idx;
      b.len++;
    }
    const blocks: Block[] = [9, 7, 6].map((hexDigits) => {
      const b = tmp.get(hexDigits)!;
      return { hexDigits, keys: b.k.slice(0, b.len), names: b.n.slice(0, b.len) };
    });
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
    cached = { table: OuiTable.parse(readFileSync(file)), error: null };
  } catch (err) {
    cached = { table: null, error: `${file}: ${(err as Error).message}` };
  }
  return cached.table;
}

/** Why the OUI table is unavailable, or null when it loaded (or was not needed yet). */
export function ouiStatus(): string | null {
  return cached?.error ?? null;
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

function base36Value(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x7a) return c - 0x57;
  return -1;
}
