// The text of a compact OUI table from [prefix, name] pairs: build-oui.mjs writes it, tests write small
// ones with it, so there is one writer of the formats the loader (sensor/inventory/oui.ts) reads.
// Formats are described in build-oui.mjs; format 1 (a name's index instead of its byte offset, no
// length or checksum) and format 2 (format 3 with a SHA-256) are still read by the loader and written here only
// for tests that compare them.
import { createHash } from 'node:crypto';
import zlib from 'node:zlib';

/**
 * @param {Iterable<[string, string]>} entries hex prefixes (6, 7 or 9 digits) and vendor names
 * @param {1 | 2 | 3} [format]
 * @returns {{ text: string, names: number, rows: number }}
 */
export function encodeOuiTable(entries, format = 3) {
  const names = [];
  const nameIndex = new Map();
  /** UTF-8 byte offset of each name's first byte in the name section. */
  const nameOffset = [];
  let sectionBytes = 0;
  const rows = [];
  for (const [prefix, name] of entries) {
    let i = nameIndex.get(name);
    if (i === undefined) {
      i = names.length;
      names.push(name);
      nameIndex.set(name, i);
      nameOffset.push(sectionBytes + (i > 0 ? 1 : 0));
      sectionBytes += (i > 0 ? 1 : 0) + Buffer.byteLength(name, 'utf8');
    }
    rows.push(`${prefix} ${(format === 1 ? i : nameOffset[i]).toString(36)}`);
  }
  rows.sort();
  const section = names.join('\n');
  if (Buffer.byteLength(section, 'utf8') !== sectionBytes) throw new Error('OUI table: name offsets out of step');
  for (let i = 1; i < rows.length; i++) {
    if (!(rows[i - 1] < rows[i]) || rows[i - 1].split(' ')[0] === rows[i].split(' ')[0]) throw new Error(`OUI table: rows not strictly sorted at ${rows[i]}`);
  }
  const body = `${section}\n%%\n${rows.join('\n')}\n`;
  const head = format === 1
    ? `waakhond-oui 1 ${names.length} ${rows.length}`
    : format === 2
      ? `waakhond-oui 2 ${names.length} ${rows.length} ${sectionBytes} ${createHash('sha256').update(body, 'utf8').digest('hex')}`
      : `waakhond-oui 3 ${names.length} ${rows.length} ${sectionBytes} ${crc32(Buffer.from(body, 'utf8')).toString(16).padStart(8, '0')}`;
  return { text: `${head}\n${body}`, names: names.length, rows: rows.length };
}

/** CRC-32 (IEEE) of bytes: zlib's (Node 20.15+), else bit by bit (the build runs once). */
function crc32(b) {
  if (zlib.crc32) return zlib.crc32(b);
  let c = 0xffffffff;
  for (const byte of b) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}
