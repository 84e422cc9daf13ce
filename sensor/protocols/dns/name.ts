// DNS name decoding (RFC 1035 3.1, 4.1.4 compression), the same results as dns-packet's name codec
// but without a Buffer slice and a UTF-8 decode per label: names are nearly always ASCII, and this
// runs for every name of every DNS and mDNS packet.

import { asciiText, stripInvisible } from '../bytes.js';

const utf8 = new TextDecoder('utf-8', { fatal: false });

/** Wire bytes the last decodeName() or decodeNameText() consumed at its starting offset (pointers count 2). */
export const decoded = { bytes: 0 };

/** A name is at most 254 wire bytes (labels with their length bytes), so 255 bytes with its dots. */
const scratch = new Uint8Array(256);
/** What the last walk() left in scratch: n bytes, labels joined by ".", and what kind of bytes they are. */
const walked = { n: 0, labels: 0, ascii: true, control: false };

/**
 * Follows the labels and pointers of the name at offset, copying the label bytes joined by "." into
 * scratch. Throws, as dns-packet does, on a label past the buffer, a name over 254 bytes, a pointer
 * that does not point backwards, or a reserved label type.
 */
function walk(buf: Uint8Array, offset: number): void {
  let n = 0;
  let labels = 0;
  let ascii = true;
  let control = false;
  let oldOffset = offset;
  let totalLength = 0;
  let consumed = 0;
  let jumped = false;
  for (;;) {
    if (offset >= buf.length) throw new Error('Cannot decode name (buffer overflow)');
    const len = buf[offset++];
    if (!jumped) consumed++;
    if (len === 0) break;
    if ((len & 0xc0) === 0) {
      if (offset + len > buf.length) throw new Error('Cannot decode name (buffer overflow)');
      totalLength += len + 1;
      if (totalLength > 254) throw new Error('Cannot decode name (name too long)');
      if (labels > 0) scratch[n++] = 0x2e;
      for (let i = offset; i < offset + len; i++) {
        const c = buf[i];
        if (c >= 0x80) ascii = false;
        else if (c < 0x20 || c === 0x7f) control = true;
        scratch[n++] = c;
      }
      labels++;
      offset += len;
      if (!jumped) consumed += len;
    } else if ((len & 0xc0) === 0xc0) {
      if (offset + 1 > buf.length) throw new Error('Cannot decode name (buffer overflow)');
      const jump = ((len << 8) | buf[offset]) - 0xc000;
      // RFC 1035 4.1.4: a pointer replaces a *prior* occurrence; forward pointers could loop.
      if (jump >= oldOffset) throw new Error('Cannot decode name (bad pointer)');
      offset = jump;
      oldOffset = jump;
      if (!jumped) consumed++;
      jumped = true;
    } else {
      throw new Error('Cannot decode name (bad label)');
    }
  }
  decoded.bytes = consumed;
  walked.n = n;
  walked.labels = labels;
  walked.ascii = ascii;
  walked.control = control;
}

/**
 * Scratch as text. Decoding the dot-joined bytes at once equals dns-packet's label-by-label UTF-8
 * decoding: "." is ASCII, so a broken sequence cannot run across a label boundary.
 */
function walkedText(): string {
  return walked.ascii ? asciiText(scratch, 0, walked.n) : utf8.decode(scratch.subarray(0, walked.n));
}

/**
 * The name at offset, labels joined with "." ("." for the root). Throws as walk() does: the caller
 * treats that as the end of what can be read.
 */
export function decodeName(buf: Uint8Array, offset: number): string {
  walk(buf, offset);
  return walked.labels === 0 ? '.' : walkedText();
}

/**
 * decodeName() then bytes.ts cleanText(): the name with control and invisible format characters removed, cut to `max`
 * characters; the same results and errors (a test checks both agree). Printable ASCII names (nearly
 * all) become one string straight from the scratch bytes.
 */
export function decodeNameText(buf: Uint8Array, offset: number, max: number): string {
  walk(buf, offset);
  if (walked.labels === 0) return max >= 1 ? '.' : '';
  if (walked.ascii && !walked.control) return asciiText(scratch, 0, Math.min(walked.n, max));
  const s = stripInvisible(walkedText());
  return s.length > max ? s.slice(0, max) : s;
}
