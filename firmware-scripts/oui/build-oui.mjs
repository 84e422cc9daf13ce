#!/usr/bin/env node
// Build-time generator of the compact OUI vendor table (names only) from the oui-data package.
//
// Usage: node firmware-scripts/oui/build-oui.mjs [--out DIR] [--quiet]   (default DIR: dist/data)
// Writes DIR/oui.txt (format 2):
//   line 1   "waakhond-oui 2 <names> <prefixes> <name section bytes> <SHA-256, hex, of everything after line 1>"
//   then     one vendor name per line (deduplicated, first line of the IEEE entry only)
//   then     "%%"
//   then     "<hex prefix> <byte offset of the name in the name section, base 36>" per line, sorted by prefix;
//            prefixes are 6 (MA-L), 7 (MA-M) or 9 (MA-S) hex digits, so the loader can do a longest-prefix match.
// The loader (sensor/inventory/oui.ts) checks the checksum and then binary-searches the rows where they lie, decoding
// only the names a look-up returns. Format 1 (still read) has no length or checksum and a name's index instead of its
// offset, so every row and name had to be parsed at start (~30 ms). Rows must be sorted as strings: checked below.
// The full JSON costs ~30 MB of RAM at run time; this file is ~1.5 MB and loads into typed arrays.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const args = process.argv.slice(2);
const outIdx = args.indexOf('--out');
const outDir = outIdx >= 0 ? args[outIdx + 1] : 'dist/data';
const quiet = args.includes('--quiet');
if (!outDir) {
  console.error('build-oui: --out needs a directory');
  process.exit(2);
}

const require = createRequire(import.meta.url);
let jsonPath;
try {
  jsonPath = require.resolve('oui-data');
} catch {
  console.error('build-oui: the oui-data package is missing (npm install)');
  process.exit(1);
}
/** @type {Record<string, string>} */
const data = JSON.parse(readFileSync(jsonPath, 'utf8'));

const names = [];
const nameIndex = new Map();
/** UTF-8 byte offset of each name's first byte in the name section. */
const nameOffset = [];
let sectionBytes = 0;
const rows = [];
for (const [prefix, value] of Object.entries(data)) {
  if (!/^[0-9A-F]{6}([0-9A-F]|[0-9A-F]{3})?$/.test(prefix)) continue;
  // The IEEE entry is "Name\nAddress...": keep the name, single-spaced, without control characters.
  const name = String(value).split('\n')[0].replace(/[\u0000-\u001f\u007f]/g, '').replace(/\s+/g, ' ').trim();
  if (!name) continue;
  let i = nameIndex.get(name);
  if (i === undefined) {
    i = names.length;
    names.push(name);
    nameIndex.set(name, i);
    nameOffset.push(sectionBytes + (i > 0 ? 1 : 0));
    sectionBytes += (i > 0 ? 1 : 0) + Buffer.byteLength(name, 'utf8');
  }
  rows.push(`${prefix} ${nameOffset[i].toString(36)}`);
}
rows.sort();
const section = names.join('\n');
if (Buffer.byteLength(section, 'utf8') !== sectionBytes) throw new Error('build-oui: name offsets out of step');
for (let i = 1; i < rows.length; i++) {
  if (!(rows[i - 1] < rows[i]) || rows[i - 1].split(' ')[0] === rows[i].split(' ')[0]) throw new Error(`build-oui: rows not strictly sorted at ${rows[i]}`);
}
const body = `${section}\n%%\n${rows.join('\n')}\n`;
const sha256 = createHash('sha256').update(body, 'utf8').digest('hex');
const text = `waakhond-oui 2 ${names.length} ${rows.length} ${sectionBytes} ${sha256}\n${body}`;
mkdirSync(outDir, { recursive: true });
const out = path.join(outDir, 'oui.txt');
writeFileSync(`${out}.tmp`, text);
renameSync(`${out}.tmp`, out);
if (!quiet) console.log(`build-oui: ${out}: ${rows.length} prefixes, ${names.length} names, ${(text.length / 1024).toFixed(0)} KiB`);
