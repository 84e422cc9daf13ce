// TFTP reader: an annotated read request, tftp.pcap's requests and DATA blocks vs tshark, bounds.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseTftpRequest, tftpDataBlock, TFTP_LIMITS } from '../../../../sensor/protocols/tftp/parse.js';
import { annotated, bytes, loadFixtures } from '../fixtures/load.js';

// A Mirai-style loader fetch: busybox tftp -g -r mirai.mips <server>.
const RRQ = annotated(`
  00 01                                  # opcode 1 = RRQ (RFC 1350 5)
  6d 69 72 61 69 2e 6d 69 70 73 00       # filename "mirai.mips" 0
  6f 63 74 65 74 00                      # mode "octet" 0
`);

describe('parseTftpRequest: annotated', () => {
  it('reads op, file name and mode', () => {
    expect(parseTftpRequest(RRQ)).toEqual({ op: 'read', filename: 'mirai.mips', mode: 'octet' });
  });
  it('a write request, mode in any case, options after the mode left out (RFC 2347)', () => {
    expect(parseTftpRequest(annotated('00 02 61 00 4f 43 54 45 54 00 74 73 69 7a 65 00 30 00'))).toEqual({ op: 'write', filename: 'a', mode: 'octet' });
  });
  it('refuses other opcodes, unterminated or empty names and modes, non-letter modes', () => {
    expect(parseTftpRequest(annotated('00 03 00 01 41 42'))).toBeNull(); // DATA
    expect(parseTftpRequest(RRQ.subarray(0, RRQ.length - 1))).toBeNull(); // mode not terminated
    expect(parseTftpRequest(annotated('00 01 00 6f 63 74 65 74 00'))).toBeNull(); // empty name
    expect(parseTftpRequest(annotated('00 01 61 00 00'))).toBeNull(); // empty mode
    expect(parseTftpRequest(annotated('00 01 61 00 6f 63 74 31 00'))).toBeNull(); // digit in mode
  });
  it('DATA block numbers', () => {
    expect(tftpDataBlock(annotated('00 03 00 01 7f 45 4c 46'))).toBe(1);
    expect(tftpDataBlock(annotated('00 03 01 02'))).toBe(258);
    expect(tftpDataBlock(annotated('00 04 00 01'))).toBe(-1);
    expect(tftpDataBlock(annotated('00 03 00'))).toBe(-1);
  });
});

describe('TFTP: tftp.pcap agrees with tshark', () => {
  const fixtures = loadFixtures('tftp');
  it('has fixtures', () => expect(fixtures.length).toBeGreaterThanOrEqual(6));
  for (const fx of fixtures) {
    it(fx.source, () => {
      const t = fx.tshark;
      const raw = bytes(fx.hex);
      const op = Number(t['tftp.opcode']?.[0]);
      if (op === 3) {
        expect(parseTftpRequest(raw)).toBeNull();
        expect(tftpDataBlock(raw)).toBe(Number(t['tftp.block'][0]));
        return;
      }
      const r = parseTftpRequest(raw);
      const name = (op === 1 ? t['tftp.source_file'] : t['tftp.destination_file'])?.[0];
      if (name === undefined) {
        // tshark shows no file name for these (an empty one, or NUL bytes): not a request we report.
        expect(r).toBeNull();
        return;
      }
      expect(r).toEqual({ op: op === 1 ? 'read' : 'write', filename: name, mode: t['tftp.type'][0] });
    });
  }
});

describe('TFTP: properties', () => {
  it('random bytes and every truncation never throw and stay bounded', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 1500 }), (b) => {
      const r = parseTftpRequest(b);
      if (r) {
        expect(r.filename.length).toBeLessThanOrEqual(TFTP_LIMITS.filename);
        expect(r.mode.length).toBeLessThanOrEqual(TFTP_LIMITS.mode);
      }
      tftpDataBlock(b);
    }), { numRuns: 2000 });
    for (const fx of loadFixtures('tftp')) {
      const raw = bytes(fx.hex);
      for (let n = 0; n <= raw.length; n++) { parseTftpRequest(raw.subarray(0, n)); tftpDataBlock(raw.subarray(0, n)); }
    }
  });
  it('a request with a random printable name round-trips', () => {
    fc.assert(fc.property(fc.stringMatching(/^[ -~]{1,200}$/), (name) => {
      const b = new Uint8Array([0, 1, ...new TextEncoder().encode(name), 0, ...new TextEncoder().encode('octet'), 0]);
      expect(parseTftpRequest(b)).toEqual({ op: 'read', filename: name, mode: 'octet' });
    }));
  });
});
