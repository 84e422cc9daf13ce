// OUI table formats: formats 3 and 2 (checksummed with CRC-32 or SHA-256, searched in place) answer exactly as
// format 1 (parsed into arrays).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { crc32Hex, OuiTable } from '../../../sensor/inventory/oui.js';
import { PROJECT_ROOT } from '../../helpers/shared.js';
import { ensureOuiTable } from './oui-helper.js';
import { encodeOuiTable } from '../../../firmware-scripts/oui/encode.mjs';

/** Both formats of one table, written by the build's own writer. */
function encode(entries: [string, string][]): { v1: string; v2: string; v3: string } {
  return { v1: encodeOuiTable(entries, 1).text, v2: encodeOuiTable(entries, 2).text, v3: encodeOuiTable(entries, 3).text };
}

const macOf = (hex12: string): string => hex12.toLowerCase().match(/../g)!.join(':');

describe.each([2, 3] as const)('OUI table format %i', (format) => {
  const { [`v${format}` as 'v2' | 'v3']: v2 } = encode([
    ['001122', 'Acme'],
    ['0011223', 'Sub Ünïcode'],
    ['001122334', 'Tiny'],
    ['00112A', 'Acme'],
    ['FFFFFF', 'Last'],
  ]);

  it('finds the longest prefix, decoding the name it points at', () => {
    const t = OuiTable.parse(v2);
    expect(t.size).toBe(5);
    expect(t.lookup('00:11:22:33:44:55')).toEqual({ name: 'Tiny', prefix: '00:11:22:33:4', registry: 'MA-S' });
    expect(t.lookup('00:11:22:35:00:00')).toEqual({ name: 'Sub Ünïcode', prefix: '00:11:22:3', registry: 'MA-M' });
    expect(t.lookup('00:11:22:00:00:00')).toEqual({ name: 'Acme', prefix: '00:11:22', registry: 'MA-L' });
    expect(t.lookup('00:11:2a:00:00:01')?.name).toBe('Acme');
    expect(t.lookup('ff:ff:ff:00:00:01')?.name).toBe('Last');
    expect(t.lookup('00:00:00:00:00:01')).toBeNull();
    expect(t.lookup('ff:ff:fe:00:00:01')).toBeNull();
    expect(t.lookup('not a mac')).toBeNull();
  });

  it('answers again the same, under a split MA-L prefix too, and each answer is the caller\'s own', () => {
    const t = OuiTable.parse(v2);
    for (let round = 0; round < 3; round++) {
      expect(t.lookup('00:11:22:00:00:00')).toEqual({ name: 'Acme', prefix: '00:11:22', registry: 'MA-L' });
      expect(t.lookup('00:11:22:33:44:55')?.name).toBe('Tiny');
      expect(t.lookup('00:11:22:35:00:00')?.name).toBe('Sub Ünïcode');
      expect(t.lookup('00:11:2a:00:00:01')).toEqual({ name: 'Acme', prefix: '00:11:2a', registry: 'MA-L' });
      expect(t.lookup('00:11:2a:ff:00:01')).toEqual({ name: 'Acme', prefix: '00:11:2a', registry: 'MA-L' });
      expect(t.lookup('00:11:2b:00:00:01')).toBeNull();
      const mine = t.lookup('ff:ff:ff:00:00:01')!;
      mine.name = 'changed';
      expect(t.lookup('ff:ff:ff:00:00:02')?.name).toBe('Last');
    }
  });

  it('refuses a changed, truncated or mislabelled file with a reason', () => {
    expect(() => OuiTable.parse(v2.replace('Tiny', 'Tinz'))).toThrow(/checksum mismatch/);
    expect(() => OuiTable.parse(v2.slice(0, -3))).toThrow(/checksum mismatch/);
    expect(() => OuiTable.parse(v2.replace(/^waakhond-oui \d /, 'waakhond-oui 9 '))).toThrow(/bad header/);
    // The other checksummed format's header on this body: its checksum has the wrong length.
    expect(() => OuiTable.parse(v2.replace(/^waakhond-oui \d /, `waakhond-oui ${5 - format} `))).toThrow(/bad header/);
    // A section length that disagrees with the (checksummed) body.
    const [head, ...rest] = v2.split('\n');
    const parts = head.split(' ');
    parts[4] = String(Number(parts[4]) + 1);
    expect(() => OuiTable.parse([parts.join(' '), ...rest].join('\n'))).toThrow(/name section length/);
  });

  it('answers every look-up as format 1 does (random tables)', () => {
    const hex = (n: number) => fc.stringMatching(new RegExp(`^[0-9A-F]{${n}}$`));
    const prefix = fc.oneof(hex(6), hex(7), hex(9));
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(prefix, fc.constantFrom('A', 'Bé', 'C c', 'D')), { selector: ([p]) => p, minLength: 1, maxLength: 30 }),
        fc.array(hex(12), { maxLength: 10 }),
        (entries, probes) => {
          const { v1, [`v${format}` as 'v2' | 'v3']: v2 } = encode(entries);
          const t1 = OuiTable.parse(v1);
          const t2 = OuiTable.parse(v2);
          // Probe each prefix itself (padded both ways), its neighbours, and random addresses.
          const macs = [...probes, ...entries.flatMap(([p]) => [p.padEnd(12, '0'), p.padEnd(12, 'F'), p.slice(0, 6).padEnd(12, '0'), p.slice(0, 6).padEnd(12, 'F')])];
          // Twice: the second round is answered from the MA-L cache where the prefix is not split.
          macs.push(...macs);
          for (const m of macs) expect(t2.lookup(macOf(m))).toEqual(t1.lookup(macOf(m)));
        },
      ),
      { numRuns: 150 },
    );
  });

});

describe('OUI table format 3', () => {
  it('CRC-32 by table (Node before 20.15) is zlib\'s, and a known value', () => {
    expect(crc32Hex(Buffer.from('123456789'), false)).toBe('cbf43926');
    expect(crc32Hex(Buffer.from('123456789'))).toBe('cbf43926');
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (b) => { expect(crc32Hex(b, false)).toBe(crc32Hex(b)); }), { numRuns: 200 });
  });

  it('the built table is format 3 and finds known vendors', () => {
    ensureOuiTable();
    const buf = readFileSync(path.join(PROJECT_ROOT, 'dist', 'data', 'oui.txt'));
    expect(buf.toString('latin1', 0, 15)).toBe('waakhond-oui 3 ');
    const t = OuiTable.parse(buf);
    expect(t.size).toBeGreaterThan(30000);
    expect(t.lookup('5c:cf:7f:00:00:01')).toEqual({ name: 'Espressif Inc.', prefix: '5c:cf:7f', registry: 'MA-L' });
  });
});
