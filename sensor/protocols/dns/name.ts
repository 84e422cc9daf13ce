// DNS name decoding (RFC 1035 3.1, 4.1.4 compression), the same results as dns-packet's name codec
// but without a Buffer slice and a UTF-8 decode per label: names are nearly always ASCII, and this
// runs for every name of every DNS and mDNS packet.

import { asciiText } from '../bytes.js';

const utf8 = new TextDecoder('utf-8', { fatal: false });

/** Wire bytes the last decodeName() consumed at its starting offset (pointers count 2). */
export const decoded = { bytes: 0 };

/**
 * The name at offset, labels joined with "." ("." for the root). Throws, as dns-packet does, on a
 * label past the buffer, a name over 254 bytes, a pointer that does not point backwards, or a
 * reserved label type: the caller treats that as the end of what can be read.
 */
export function decodeName(buf: Uint8Array, offset: number): string {
  let name = '';
  let labels = 0;
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
      let label = '';
      let ascii = true;
      for (let i = offset; i < offset + len; i++) {
        const c = buf[i];
        if (c >= 0x80) { ascii = false; break; }
        label += String.fromCharCode(c);
      }
      if (!ascii) label = utf8.decode(buf.subarray(offset, offset + len));
      name = labels === 0 ? label : name + '.' + label;
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
  return labels === 0 ? '.' : name;
}

/** Scratch for decodeNameText: a name is at most 254 wire bytes, so 255 characters with its dots. */
const scratch = Buffer.alloc(256);

/**
 * decodeName() then bytes.ts cleanText(): the name with control characters removed, cut to `max`
 * characters; the same results and errors (a test checks both agree). All-ASCII names (nearly all)
 * are copied byte by byte into one scratch buffer and become one string, instead of a string per
 * character; anything else takes the general path.
 */
export function decodeNameText(buf: Uint8Array, offset: number, max: number): string {
  const start = offset;
  let n = 0;
  let labels = 0;
  let oldOffset = offset;
  let totalLength = 0;
  let consumed = 0;
  let jumped = false;
  for (;;) {
    if (offset >= buf.length) return slowText(buf, start, max);
    const len = buf[offset++];
    if (!jumped) consumed++;
    if (len === 0) break;
    if ((len & 0xc0) === 0) {
      if (offset + len > buf.length) return slowText(buf, start, max);
      totalLength += len + 1;
      if (totalLength > 254) return slowText(buf, start, max);
      if (labels > 0) scratch[n++] = 0x2e;
      for (let i = offset; i < offset + len; i++) {
        const c = buf[i];
        if (c >= 0x80) return slowText(buf, start, max);
        // Control characters are dropped, as cleanText does.
        if (c >= 0x20 && c !== 0x7f) scratch[n++] = c;
      }
      labels++;
      offset += len;
      if (!jumped) consumed += len;
    } else if ((len & 0xc0) === 0xc0) {
      if (offset + 1 > buf.length) return slowText(buf, start, max);
      const jump = ((len << 8) | buf[offset]) - 0xc000;
      if (jump >= oldOffset) return slowText(buf, start, max);
      offset = jump;
      oldOffset = jump;
      if (!jumped) consumed++;
      jumped = true;
    } else {
      return slowText(buf, start, max);
    }
  }
  decoded.bytes = consumed;
  if (labels === 0) return max >= 1 ? '.' : '';
  return asciiText(scratch, 0, Math.min(n, max));
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/** Non-ASCII labels and every error: the general decoder (which throws what dns-packet throws). */
function slowText(buf: Uint8Array, offset: number, max: number): string {
  let s = decodeName(buf, offset);
  s = s.replace(CONTROL, '');
  return s.length > max ? s.slice(0, max) : s;
}
