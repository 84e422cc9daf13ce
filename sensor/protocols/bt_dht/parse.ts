// BitTorrent DHT message reader (BEP 5 KRPC over UDP): a bencoded dictionary (BEP 3) with "y", "q", and the node id.
import type { BtDhtEvent, Endpoints } from '../../events.js';
import { hexOf, netText } from '../bytes.js';

export type BtDhtFields = Omit<BtDhtEvent, 'type' | 'ts' | keyof Endpoints | 'src_port' | 'dst_port'>;

export const BT_DHT_LIMITS = { method: 32, depth: 8, items: 256 } as const;

/**
 * Cheap first look: a bencoded dictionary whose first key is a short string ("d1:a", "d1:r", "d1:e",
 * "d2:ip" (BEP 42)). BEP 3 sorts dictionary keys, so every KRPC message starts like this.
 */
export function looksLikeKrpc(b: Uint8Array, off = 0, end = b.length): boolean {
  return end - off >= 12 && b[off] === 0x64 && b[off + 1] >= 0x31 && b[off + 1] <= 0x39 && b[off + 2] === 0x3a;
}

/**
 * A KRPC message (BEP 5 "KRPC Protocol"): top-level dictionary with "y" = "q" (query, method in "q",
 * arguments in "a"), "r" (response, values in "r") or "e" (error). node_id is the 20-byte "id" of "a" or "r".
 * Null unless the whole datagram is one well-formed bencoded dictionary with a valid "y".
 */
export function parseKrpc(payload: Uint8Array): BtDhtFields | null {
  const b = payload;
  if (b.length < 2 || b[0] !== 0x64) return null;
  const w = new Walker(b);
  let y = -1;
  let method: string | null = null;
  let node_id: string | null = null;
  let i = 1;
  while (i < b.length && b[i] !== 0x65) {
    const k = w.str(i);
    if (k < 0) return null;
    const ks = w.s;
    const ke = w.e;
    const klen = ke - ks;
    if (klen === 1 && b[ks] === 0x79) { // "y"
      const v = w.str(k);
      if (v < 0) return null;
      if (w.e - w.s === 1) y = b[w.s];
      i = v;
    } else if (klen === 1 && b[ks] === 0x71) { // "q"
      const v = w.str(k);
      if (v < 0) return null;
      method = netText(b, w.s, w.e, BT_DHT_LIMITS.method);
      i = v;
    } else if (klen === 1 && (b[ks] === 0x61 || b[ks] === 0x72) && b[k] === 0x64) { // "a" or "r" dictionary
      let j = k + 1;
      while (j < b.length && b[j] !== 0x65) {
        const kk = w.str(j);
        if (kk < 0) return null;
        const isId = w.e - w.s === 2 && b[w.s] === 0x69 && b[w.s + 1] === 0x64;
        const v = w.value(kk, 1);
        if (v < 0) return null;
        if (isId && node_id === null && b[kk] >= 0x30 && b[kk] <= 0x39) {
          const s = w.str(kk);
          if (s >= 0 && w.e - w.s === 20) node_id = hexOf(b, w.s, w.e);
        }
        j = v;
      }
      if (j >= b.length) return null;
      i = j + 1;
    } else {
      const v = w.value(k, 1);
      if (v < 0) return null;
      i = v;
    }
  }
  if (i >= b.length) return null; // dictionary not closed
  if (y === 0x71) return { kind: 'query', method: method ?? '', node_id };
  if (y === 0x72) return { kind: 'response', method: null, node_id };
  if (y === 0x65) return { kind: 'error', method: null, node_id };
  return null;
}

/** Bencode (BEP 3) walking over a buffer: every length checked, depth and item count bounded. */
class Walker {
  /** Bounds of the last string read. */
  s = 0;
  e = 0;
  private items = 0;
  constructor(private readonly b: Uint8Array) {}

  /** A byte string "len:bytes" at i: sets s/e, returns the offset after it, or -1. */
  str(i: number): number {
    const b = this.b;
    let n = 0;
    let j = i;
    while (j < b.length && b[j] >= 0x30 && b[j] <= 0x39 && j - i < 7) n = n * 10 + (b[j++] - 0x30);
    if (j === i || b[j] !== 0x3a) return -1;
    const end = j + 1 + n;
    if (end > b.length) return -1;
    this.s = j + 1;
    this.e = end;
    return end;
  }

  /** Any value at i (string, "i...e", "l...e", "d...e"): offset after it, or -1. */
  value(i: number, depth: number): number {
    const b = this.b;
    if (i >= b.length || depth > BT_DHT_LIMITS.depth || ++this.items > BT_DHT_LIMITS.items) return -1;
    const c = b[i];
    if (c === 0x69) { // integer
      let j = i + 1;
      if (b[j] === 0x2d) j++;
      const d = j;
      while (j < b.length && b[j] >= 0x30 && b[j] <= 0x39 && j - d < 20) j++;
      return j > d && b[j] === 0x65 ? j + 1 : -1;
    }
    if (c === 0x6c || c === 0x64) { // list or dictionary
      let j = i + 1;
      while (j < b.length && b[j] !== 0x65) {
        if (c === 0x64) { j = this.str(j); if (j < 0) return -1; }
        j = this.value(j, depth + 1);
        if (j < 0) return -1;
      }
      return j < b.length ? j + 1 : -1;
    }
    return this.str(i);
  }
}
