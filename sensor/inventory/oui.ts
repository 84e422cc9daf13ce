// MAC vendor look-up: lazily loads the compact OUI table built by firmware-scripts/oui/build-oui.mjs.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
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

/** Format 2, searched where it lies: the file's bytes, where its row section starts, and its counts. */
interface Rows2 {
  buf: Buffer;
  /** The name section: [namesStart, rowsStart - 4). */
  namesStart: number;
  nameBytes: number;
  rowsStart: number;
  rows: number;
}

const NL = 0x0a;
/** Marks an MA-L prefix with MA-M or MA-S blocks under it in OuiTable's cache. */
const SPLIT = Symbol('split');
/** MA-L prefixes whose answer is kept (a home has a few dozen; a flood of random ones clears and refills). */
const MAX_CACHED_OUIS = 4096;

export class OuiTable {
  private constructor(
    private readonly names: string[],
    private readonly blocks: Block[],
    private readonly v2: Rows2 | null = null,
  ) {}

  /**
   * Parse the file produced by build-oui.mjs; throws with a reason on a bad file.
   * Format 1 is read into typed arrays (all rows checked for order). Formats 3 and 2 are checked whole against the CRC-32 or SHA-256
   * its header carries and then searched in place: no row or name is parsed until a look-up needs it, which saved
   * ~30 ms (half the start-up of an analyze) of a 1.3 MB byte loop when a capture's first device appeared.
   */
  static parse(data: Uint8Array | string): OuiTable {
    // Parsed from bytes, with no string per row: the transient garbage is what costs RSS on a router.
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    let pos = buf.indexOf(NL);
    const header = buf.toString('latin1', 0, Math.max(0, pos));
    const head3 = /^waakhond-oui 3 (\d+) (\d+) (\d+) ([0-9a-f]{8})$/.exec(header);
    if (head3) return OuiTable.parse2(buf, pos + 1, Number(head3[2]), Number(head3[3]), head3[4], crc32Hex);
    const head2 = /^waakhond-oui 2 (\d+) (\d+) (\d+) ([0-9a-f]{64})$/.exec(header);
    if (head2) return OuiTable.parse2(buf, pos + 1, Number(head2[2]), Number(head2[3]), head2[4], sha256Hex);
    const head = /^waakhond-oui 1 (\d+) (\d+)$/.exec(header);
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

  /**
   * Formats 2 and 3: names (nameBytes long) from start, "\n%%\n", sorted rows "<PREFIX> <name offset, base 36>\n".
   * They differ only in the checksum of the body: SHA-256 (2) or CRC-32 (3). CRC-32 catches the same accidents (a
   * truncated copy, a bad flash sector) and is several times cheaper: zlib's uses the CPU's CRC instructions where
   * SHA-256 has none (a Raspberry Pi 4), and this check runs when a capture's first device appears.
   */
  private static parse2(buf: Buffer, start: number, rows: number, nameBytes: number, sum: string, checksum: (b: Buffer) => string): OuiTable {
    // The checksum stands for the row-by-row checks of format 1: build-oui.mjs sorted the rows and checked the
    // offsets, and any byte changed or lost since then (a truncated copy, a bad flash sector) fails here.
    if (checksum(buf.subarray(start)) !== sum) {
      throw new Error('OUI table: checksum mismatch (truncated or corrupt file)');
    }
    const rowsStart = start + nameBytes + 4;
    if (buf.toString('latin1', rowsStart - 4, rowsStart) !== '\n%%\n') throw new Error('OUI table: name section length does not match header');
    if (rows > 0 && buf[buf.length - 1] !== NL) throw new Error('OUI table: last row not terminated');
    return new OuiTable([], [], { buf, namesStart: start, nameBytes, rowsStart, rows });
  }

  /**
   * Format 2/3 look-ups by MA-L prefix: under most 24-bit prefixes there is no MA-M or MA-S block, so the answer is
   * the prefix's own and is kept (a bounded map); only the few prefixes the IEEE splits further are searched whole
   * each time. A new device costs one look-up: a spoofed-MAC flood's million of them were ~5% of its analyze.
   */
  private readonly byOui = new Map<string, OuiMatch | null | typeof SPLIT>();

  private lookupCached(t: Rows2, hex: string): OuiMatch | null {
    const p6 = hex.slice(0, 6);
    let c = this.byOui.get(p6);
    if (c === undefined) {
      c = hasSubBlocks(t, p6) ? SPLIT : lookup2(t, hex, [6]);
      if (this.byOui.size >= MAX_CACHED_OUIS) this.byOui.clear();
      this.byOui.set(p6, c);
    }
    if (c === SPLIT) return lookup2(t, hex);
    // A copy: callers own what they get.
    return c && { ...c };
  }

  get size(): number {
    if (this.v2) return this.v2.rows;
    return this.blocks.reduce((s, b) => s + b.keys.length, 0);
  }

  /** Longest-prefix match (MA-S, then MA-M, then MA-L) of a normalised "aa:bb:..." MAC. */
  lookup(mac: string): OuiMatch | null {
    const hex = mac.replace(/:/g, '').toUpperCase();
    if (!/^[0-9A-F]{12}$/.test(hex)) return null;
    if (this.v2) return this.lookupCached(this.v2, hex);
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

function match(hex: string, hexDigits: number, name: string): OuiMatch {
  const p = hex.slice(0, hexDigits).toLowerCase();
  return {
    name,
    prefix: p.match(/.{1,2}/g)!.join(':'),
    registry: hexDigits === 6 ? 'MA-L' : hexDigits === 7 ? 'MA-M' : 'MA-S',
  };
}

/**
 * Binary search over the row lines of formats 2 and 3, in place. The rows are sorted as strings (build-oui.mjs), so comparing
 * each line's first bytes with "<PREFIX> " orders them the same way; the trailing space keeps "001122" (MA-L) from
 * matching the MA-M row "0011223".
 */
function lookup2(t: Rows2, hex: string, lengths: readonly number[] = [9, 7, 6]): OuiMatch | null {
  const { buf } = t;
  for (const hexDigits of lengths) {
    const key = `${hex.slice(0, hexDigits)} `;
    const s = firstRowFrom(t, key);
    if (!rowStartsWith(buf, s, key)) continue;
    let off = 0;
    let i = s + key.length;
    for (; i < buf.length && buf[i] !== NL; i++) {
      const v = base36Value(buf[i]);
      if (v < 0) return null;
      off = off * 36 + v;
    }
    // Guarded although the checksum passed: the offset must be where a name starts.
    if (off >= t.nameBytes || (off > 0 && buf[t.namesStart + off - 1] !== NL)) return null;
    const from = t.namesStart + off;
    const end = buf.indexOf(NL, from);
    return match(hex, hexDigits, buf.toString('utf8', from, end));
  }
  return null;
}

/**
 * Whether a row longer than 6 digits (an MA-M or MA-S block) starts with the 6 hex digits p6. Rows sort as strings
 * and ' ' sorts before every digit, so such rows follow p6's own MA-L row: the first row at or after p6 + "0" (first
 * 7 bytes compared) starts with p6 exactly when there is one.
 */
function hasSubBlocks(t: Rows2, p6: string): boolean {
  const { buf } = t;
  const lo = firstRowFrom(t, `${p6}0`);
  if (lo + 7 > buf.length) return false;
  for (let i = 0; i < 6; i++) if (buf[lo + i] !== p6.charCodeAt(i)) return false;
  return buf[lo + 6] !== 0x20 && buf[lo + 6] !== NL;
}

/** Binary search, in place: the start of the first row line whose first key.length bytes are not below key (or the end). */
function firstRowFrom(t: Rows2, key: string): number {
  const { buf } = t;
  let lo = t.rowsStart;
  let hi = buf.length;
  // [lo, hi) holds whole lines: lo at a line start, hi at a line start or the end.
  while (lo < hi) {
    let s = (lo + hi) >>> 1;
    while (s > lo && buf[s - 1] !== NL) s--;
    let cmp = 0;
    for (let i = 0; i < key.length && cmp === 0; i++) cmp = (s + i < hi ? buf[s + i] : NL) - key.charCodeAt(i);
    if (cmp < 0) {
      const end = buf.indexOf(NL, s);
      lo = end < 0 ? hi : end + 1;
    } else {
      hi = s;
    }
  }
  return lo;
}

/** Whether the line at s starts with key. */
function rowStartsWith(buf: Buffer, s: number, key: string): boolean {
  if (s + key.length > buf.length) return false;
  for (let i = 0; i < key.length; i++) if (buf[s + i] !== key.charCodeAt(i)) return false;
  return true;
}

/** Where the table is looked for: $WAAKHOND_OUI, else <install root>/dist/data/oui.txt (build-oui.mjs output). */
export function defaultOuiPaths(): string[] {
  return [process.env.WAAKHOND_OUI, projectPath('dist', 'data', 'oui.txt')].filter((p): p is string => !!p);
}

let cached: { table: OuiTable | null; error: string | null } | null = null;

/**
 * The shared table, loaded on first use; null (with a reason in ouiStatus()) when missing or corrupt. Called for
 * every new device: the default paths are worked out only for the load (they were a path resolve and join per
 * call, a spoofed-MAC flood's million of them).
 */
export function ouiTable(given?: string[]): OuiTable | null {
  if (cached) return cached.table;
  const paths = given ?? defaultOuiPaths();
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

function sha256Hex(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

/**
 * CRC-32 (IEEE, as zlib and gzip) of b, 8 hex digits. zlib.crc32 from Node 20.15; the table below before that.
 * node:zlib is required here, on the first check, not imported: analyze does not load it otherwise (~1 ms).
 */
export function crc32Hex(b: Uint8Array, useZlib = true): string {
  const native = useZlib ? (createRequire(import.meta.url)('node:zlib') as { crc32?: (data: Uint8Array) => number }).crc32 : undefined;
  let crc: number;
  if (useZlib && native) crc = native(b);
  else {
    const t = crcTable ??= makeCrcTable();
    let c = 0xffffffff;
    for (let i = 0; i < b.length; i++) c = t[(c ^ b[i]) & 0xff] ^ (c >>> 8);
    crc = (c ^ 0xffffffff) >>> 0;
  }
  return crc.toString(16).padStart(8, '0');
}

let crcTable: Uint32Array | null = null;
function makeCrcTable(): Uint32Array {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
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
