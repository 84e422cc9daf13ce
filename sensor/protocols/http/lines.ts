// HTTP/1.x message-head reading shared by the HTTP and SSDP parsers (RFC 9112 2.1, 5): lines and header fields.
import { asciiText, netText } from '../bytes.js';

/** At most this many header lines are looked at per message head. */
export const MAX_HEADER_LINES = 100;
/** Characters kept of a header value. */
export const MAX_VALUE = 512;
/** Longest header name considered (longer lines end the head: not HTTP). */
const MAX_NAME = 64;

/** Index of the LF ending the line that starts at from, or -1 if the buffer ends first. */
export function lineEnd(b: Uint8Array, from: number): number {
  return b.indexOf(0x0a, from);
}

// RFC 9110 5.6.2 tchar.
const TCHAR = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~") TCHAR[c.charCodeAt(0)] = 1;
for (let c = 0x30; c <= 0x39; c++) TCHAR[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) TCHAR[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) TCHAR[c] = 1;

export function isTchar(c: number): boolean {
  return c < 128 && TCHAR[c] === 1;
}

/**
 * Walk header fields from off until the empty line, the end of the buffer, a malformed line or
 * MAX_HEADER_LINES. cb gets the lower-cased name and the value (OWS trimmed, control characters
 * removed, at most MAX_VALUE characters); returning true stops the walk. With `only` (lower-case
 * names), other fields are passed over without making any text for them: most of a head is not read.
 * A last line without its LF (cut by the segment end) is left out: its value may be incomplete.
 */
export function readHeaders(b: Uint8Array, off: number, cb: (name: string, value: string) => boolean | void, only?: readonly string[]): void {
  for (let n = 0; n < MAX_HEADER_LINES && off < b.length; n++) {
    const lf = lineEnd(b, off);
    if (lf < 0) return;
    let end = lf;
    if (end > off && b[end - 1] === 0x0d) end--;
    if (end === off) return; // empty line: end of the head
    // field-name ":" OWS field-value OWS (RFC 9112 5)
    let p = off;
    let upper = false;
    while (p < end && p - off <= MAX_NAME && isTchar(b[p])) {
      if (b[p] >= 0x41 && b[p] <= 0x5a) upper = true;
      p++;
    }
    if (p >= end || b[p] !== 0x3a || p === off) return; // not a header line
    let name: string | null = null;
    if (only === undefined) {
      // tchar is ASCII: one slice of the bytes is the name (lower-cased only when it has capitals).
      const raw = asciiText(b, off, p);
      name = upper ? raw.toLowerCase() : raw;
    } else {
      for (let i = 0; i < only.length && name === null; i++) if (nameIs(b, off, p, only[i])) name = only[i];
    }
    off = lf + 1;
    if (name === null) continue;
    p++;
    while (p < end && (b[p] === 0x20 || b[p] === 0x09)) p++;
    let ve = end;
    while (ve > p && (b[ve - 1] === 0x20 || b[ve - 1] === 0x09)) ve--;
    if (cb(name, netText(b, p, ve, MAX_VALUE)) === true) return;
  }
}

/** Whether the field name in b[start, end) is `lower` (a lower-case name), ignoring ASCII case. */
function nameIs(b: Uint8Array, start: number, end: number, lower: string): boolean {
  if (end - start !== lower.length) return false;
  for (let i = 0; i < lower.length; i++) {
    const c = b[start + i];
    if ((c >= 0x41 && c <= 0x5a ? c + 32 : c) !== lower.charCodeAt(i)) return false;
  }
  return true;
}
