// Small bounds-checked helpers shared by the protocol parsers: addresses, hex and hostile text.

const HEX = '0123456789abcdef';

/** Dotted-quad text of 4 bytes at off (caller checked off + 4 <= buf.length). */
export function ipv4At(buf: Uint8Array, off: number): string {
  return `${buf[off]}.${buf[off + 1]}.${buf[off + 2]}.${buf[off + 3]}`;
}

/** RFC 5952 text of the 16 bytes at off (caller checked off + 16 <= buf.length). */
export function ipv6At(buf: Uint8Array, off: number): string {
  const w = new Array<number>(8);
  for (let i = 0; i < 8; i++) w[i] = (buf[off + 2 * i] << 8) | buf[off + 2 * i + 1];
  // RFC 5952 4.3: IPv4-mapped addresses keep the dotted quad.
  if (w[0] === 0 && w[1] === 0 && w[2] === 0 && w[3] === 0 && w[4] === 0 && w[5] === 0xffff) {
    return `::ffff:${ipv4At(buf, off + 12)}`;
  }
  // RFC 5952 4.2: compress the longest run (first on ties) of two or more zero words.
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (w[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && w[j] === 0) j++;
    if (j - i > bestLen) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  if (bestLen < 2) bestStart = -1;
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      out += '::';
      i += bestLen - 1;
      continue;
    }
    if (out.length > 0 && !out.endsWith(':')) out += ':';
    out += w[i].toString(16);
  }
  return out;
}

/** Lower-case hex of buf[start, end) without separators. */
export function hexOf(buf: Uint8Array, start: number, end: number): string {
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
 * Network text: bytes decoded as UTF-8 (invalid sequences become U+FFFD), control characters
 * (C0, DEL, C1) removed, at most max characters. Kept as data: never interpreted.
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
    const n = Math.min(end - start, max);
    s = n <= 64
      ? String.fromCharCode.apply(null, buf.subarray(start, start + n) as unknown as number[])
      : utf8.decode(buf.subarray(start, start + n));
    return s;
  }
  // Each character needs at least one byte: 4 * max bytes always cover max characters.
  s = utf8.decode(buf.subarray(start, Math.min(end, start + 4 * max)));
  // eslint-disable-next-line no-control-regex
  s = s.replace(/[\u0000-\u001f\u007f-\u009f]/g, '');
  return s.length > max ? s.slice(0, max) : s;
}

/** Strip control characters from an already-decoded string and bound it. */
export function cleanText(s: string, max: number): string {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f]/.test(s)) s = s.replace(/[\u0000-\u001f\u007f-\u009f]/g, '');
  return s.length > max ? s.slice(0, max) : s;
}
