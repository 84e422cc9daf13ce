#!/usr/bin/env node
// Build-time generator of the compact OUI vendor table (names only) from the oui-data package.
//
// Usage: node firmware-scripts/oui/build-oui.mjs [--out DIR] [--quiet]   (default DIR: dist/data)
// Writes DIR/oui.txt (format 3):
//   line 1   "waakhond-oui 3 <names> <prefixes> <name section bytes> <CRC-32, 8 hex digits, of everything after line 1>"
//   then     one vendor name per line (deduplicated, first line of the IEEE entry only)
//   then     "%%"
//   then     "<hex prefix> <byte offset of the name in the name section, base 36>" per line, sorted by prefix;
//            prefixes are 6 (MA-L), 7 (MA-M) or 9 (MA-S) hex digits, so the loader can do a longest-prefix match.
// The loader (sensor/inventory/oui.ts) checks the checksum and then binary-searches the rows where they lie, decoding
// only the names a look-up returns. Format 1 (still read) has no length or checksum and a name's index instead of its
// offset, so every row and name had to be parsed at start (~30 ms). Format 2 (still read) is format 3 with a SHA-256,
// which cost ~1 ms here and several times that on a CPU without SHA instructions. Rows must be sorted as strings: encode.mjs checks.
// The full JSON costs ~30 MB of RAM at run time; this file is ~1.5 MB and loads into typed arrays.
import { mkdirSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { encodeOuiTable } from './encode.mjs';

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

function* vendorEntries() {
  for (const [prefix, value] of Object.entries(data)) {
    if (!/^[0-9A-F]{6}([0-9A-F]|[0-9A-F]{3})?$/.test(prefix)) continue;
    // The IEEE entry is "Name\nAddress...": keep the name, single-spaced, without control characters.
    const name = String(value).split('\n')[0].replace(/[\u0000-\u001f\u007f]/g, '').replace(/\s+/g, ' ').trim();
    if (name) yield [prefix, name];
  }
}
const { text, names, rows } = encodeOuiTable(vendorEntries());
mkdirSync(outDir, { recursive: true });
const out = path.join(outDir, 'oui.txt');
writeFileSync(`${out}.tmp`, text);
renameSync(`${out}.tmp`, out);
if (!quiet) console.log(`build-oui: ${out}: ${rows} prefixes, ${names} names, ${(text.length / 1024).toFixed(0)} KiB`);
