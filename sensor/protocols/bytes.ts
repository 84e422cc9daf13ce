// Small bounds-checked helpers shared by the protocol parsers: addresses, hex and hostile text.
import { ipv6ToString } from '../decode/format.js';

const HEX = '0123456789abcdef';

/** Dotted-quad text of 4 bytes at off (caller checked off + 4 <= buf.length). */
export function ipv4At(buf: Uint8Array, off: number): string {
  return `${buf[off]}.${buf[off + 1]}.${buf[off + 2]}.${buf[off + 3]}`;
}

/** RFC 5952 text of the 16 bytes at off (caller checked off + 16 <= buf.length). */
export function ipv6At(buf: Uint8Array, off: number): string {
  return ipv6ToString(buf, off);
}

/** Lower-case hex of buf[start, end) without separators. */
export function hexOf(buf: Uint8Array, start: number, end: number): string {
  if (end > buf.length) end = buf.length;
  if (hexSlice !== undefined && start < end) return hexSlice.call(buf, start, end);
  let s = '';
  for (let i = start; i < end; i++) s += HEX[buf[i] >> 4] + HEX[buf[i] & 15];
  return s;
}

/** Lower-case "aa:bb:.." of buf[start, end). */
export function colonHex(buf: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) {
    if (i > start) s += ':';
    s += HEX[buf[i] >> 4] + HEX[buf[i] & 15];
  }
  return s;
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

/**
 * What network text must not carry: C0, DEL and C1 controls, the line and paragraph separators, and
 * every invisible format character (Unicode Cf): the bidi embeddings, overrides and isolates
 * (U+202A-U+202E, U+2066-U+2069), the marks (U+200E/F, U+061C), zero-width spaces and joiners, the
 * BOM, soft hyphens, tags. A device named "CIMSYS\u202Egnp.exe" would otherwise read as
 * "CIMSYS exe.png" in the device list, and an alert could show addresses reversed (issue #14).
 * One exception: a ZERO WIDTH JOINER between two pictographs is part of an emoji (family, flags
 * with a sign, skin tones) and changes no direction; it stays.
 */
// eslint-disable-next-line no-control-regex
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]|(?!(?<=\p{Extended_Pictographic}[\u{FE0F}\u{1F3FB}-\u{1F3FF}]?)\u200d(?=\p{Extended_Pictographic}))\p{Cf}/gu;
// eslint-disable-next-line no-control-regex
const MAYBE_INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]|\p{Cf}/u;

/** Network text with controls and invisible format characters removed (see INVISIBLE). */
export function stripInvisible(s: string): string {
  return MAYBE_INVISIBLE.test(s) ? s.replace(INVISIBLE, '') : s;
}

// Buffer's native Latin-1 slice works on any Uint8Array and makes a flat one-byte string directly:
// for bytes already checked to be ASCII it is the UTF-8 decoding, 2-5x cheaper than the alternatives.
const latin1Slice = (Buffer.prototype as unknown as { latin1Slice?: (this: Uint8Array, start: number, end: number) => string }).latin1Slice;

// The same for hex: one native call and one flat string, not two concatenations per byte.
const hexSlice = (Buffer.prototype as unknown as { hexSlice?: (this: Uint8Array, start: number, end: number) => string }).hexSlice;

/** Bytes [start, end) known to be ASCII, as a string. */
export function asciiText(buf: Uint8Array, start: number, end: number): string {
  return latin1Slice !== undefined
    ? latin1Slice.call(buf, start, end)
    : String.fromCharCode.apply(null, buf.subarray(start, end) as unknown as number[]);
}

/**
 * Network text: bytes decoded as UTF-8 (invalid sequences become U+FFFD), control characters
 * (C0, DEL, C1) and invisible format characters (bidi controls...) removed, at most max characters.
 * Kept as data: never interpreted.
 */
export function netText(buf: Uint8Array, start: number, end: number, max: number): string {
  if (end > buf.length) end = buf.length;
  if (start >= end) return '';
  // Fast path: printable ASCII only (the usual case), no decoder needed.
  let ascii = true;
  let ctrl = false;
  for (let i = start; i < end; i++) {
    const b = buf[i];
    if (b >= 0x80) ascii = false;
    else if (b < 0x20 || b === 0x7f) ctrl = true;
  }
  let s: string;
  if (ascii && !ctrl) {
    return asciiText(buf, start, start + Math.min(end - start, max));
  }
  // Each character needs at least one byte: 4 * max bytes always cover max characters.
  s = stripInvisible(utf8.decode(buf.subarray(start, Math.min(end, start + 4 * max))));
  return s.length > max ? s.slice(0, max) : s;
}

/** Strip control and invisible format characters from an already-decoded string and bound it. */
export function cleanText(s: string, max: number): string {
  s = stripInvisible(s);
  return s.length > max ? s.slice(0, max) : s;
}

/**
 * Bytes shown as printable text: printable ASCII kept, CR LF and lone LF as "\n", lone CR dropped,
 * every other byte as "\xNN" (so binary in the middle of text stays visible and can never be a
 * control character). At most max characters.
 */
export function printableText(buf: Uint8Array, start: number, end: number, max: number): string {
  if (end > buf.length) end = buf.length;
  let s = '';
  let i = start;
  while (i < end && s.length < max) {
    // Runs of printable ASCII are copied in one slice (the usual case).
    let j = i;
    while (j < end && buf[j] >= 0x20 && buf[j] < 0x7f) j++;
    if (j > i) {
      s += asciiText(buf, i, Math.min(j, i + (max - s.length)));
      i = j;
      continue;
    }
    const c = buf[i++];
    if (c === 0x0a) s += '\n';
    else if (c === 0x0d) { if (buf[i] === 0x0a && i < end) { s += '\n'; i++; } }
    else s += `\\x${HEX[c >> 4]}${HEX[c & 15]}`;
  }
  return s.length > max ? s.slice(0, max) : s;
}
