// Telnet payload reader (RFC 854/855): printable text and raw hex of a segment, negotiation removed.

/** The payload-derived fields of a TelnetDataEvent (the pipeline adds from and length). */
export interface TelnetFields {
  text: string;
  hex: string;
}

export const TELNET_LIMITS = { text: 512, hexBytes: 64 } as const;

const IAC = 255;
const SB = 250;
const SE = 240;
const HEX = '0123456789abcdef';

/**
 * Text of a telnet segment: IAC commands and subnegotiations removed (RFC 854, RFC 855),
 * IAC IAC as byte 0xff, printable ASCII kept, CR LF / lone LF as "\n", CR NUL and lone CR dropped,
 * other bytes as "\xNN". text is at most 512 characters; hex is the first 64 raw bytes.
 */
export function parseTelnetData(payload: Uint8Array): TelnetFields {
  const b = payload;
  const hexEnd = Math.min(b.length, TELNET_LIMITS.hexBytes);
  let hex = '';
  for (let i = 0; i < hexEnd; i++) hex += HEX[b[i] >> 4] + HEX[b[i] & 15];
  let text = '';
  const max = TELNET_LIMITS.text;
  let i = 0;
  while (i < b.length && text.length < max) {
    let c = b[i];
    if (c === IAC) {
      const cmd = b[i + 1];
      if (cmd === undefined) break; // IAC split across segments
      if (cmd === IAC) { i += 2; /* data byte 0xff */ }
      else if (cmd === SB) {
        // RFC 855: skip to IAC SE (the option's data may contain IAC IAC).
        let j = i + 2;
        while (j < b.length && !(b[j] === IAC && b[j + 1] === SE)) j += b[j] === IAC ? 2 : 1;
        i = j + 2;
        continue;
      } else if (cmd >= 251 && cmd <= 254) { i += 3; continue; } // WILL/WONT/DO/DONT option
      else { i += 2; continue; } // two-byte commands (NOP, GA, AYT, ...)
      c = 0xff;
    } else {
      i++;
    }
    if (c === 0x0d) {
      // RFC 854: CR LF is end of line, CR NUL a bare carriage return.
      if (b[i] === 0x0a) { i++; text += '\n'; }
      else if (b[i] === 0x00) i++;
      continue;
    }
    if (c === 0x0a) text += '\n';
    else if (c >= 0x20 && c < 0x7f) text += String.fromCharCode(c);
    else text += `\\x${HEX[c >> 4]}${HEX[c & 15]}`;
  }
  if (text.length > max) text = text.slice(0, max);
  return { text, hex };
}
