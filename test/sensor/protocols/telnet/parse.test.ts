// Telnet reader: annotated negotiation + login text, real segments vs tshark's telnet.data, bounds.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseTelnetData, TELNET_LIMITS } from '../../../../sensor/protocols/telnet/parse.js';
import { annotated, bytes, loadFixtures } from '../fixtures/load.js';

// A Mirai-style login: option negotiation, a subnegotiation, then credentials and the busybox probe.
const LOGIN = annotated(`
  ff fb 01              # IAC WILL ECHO (RFC 857)
  ff fd 1f              # IAC DO NAWS
  ff fa 18 00 41 4e 53 49 ff f0   # IAC SB TERMINAL-TYPE IS "ANSI" IAC SE (RFC 1091)
  72 6f 6f 74 0d 0a     # "root" CR LF
  78 63 33 35 31 31 0d 00   # "xc3511" CR NUL
  ff f1                 # IAC NOP
  65 6e 61 62 6c 65 0a  # "enable" LF
  2f 62 69 6e 2f 62 75 73 79 62 6f 78 20 4d 49 52 41 49 0d 0a   # "/bin/busybox MIRAI" CR LF
  ff ff 01 7f           # IAC IAC (data 0xff), 0x01, DEL
`);

describe('parseTelnetData: annotated session bytes', () => {
  it('strips negotiation and keeps the text', () => {
    const f = parseTelnetData(LOGIN);
    expect(f.text).toBe('root\nxc3511enable\n/bin/busybox MIRAI\n\\xff\\x01\\x7f');
    expect(f.hex).toBe(Buffer.from(LOGIN.subarray(0, 64)).toString('hex'));
  });
  it('shows a binary C2 handshake as hex', () => {
    expect(parseTelnetData(annotated('00 00 00 01'))).toEqual({ text: '\\x00\\x00\\x00\\x01', hex: '00000001' });
  });
  it('bounds text at 512 characters and hex at 64 bytes', () => {
    const f = parseTelnetData(new Uint8Array(5000).fill(0x41));
    expect(f.text.length).toBe(TELNET_LIMITS.text);
    expect(f.hex.length).toBe(2 * TELNET_LIMITS.hexBytes);
    expect(parseTelnetData(new Uint8Array(5000).fill(0x02)).text.length).toBeLessThanOrEqual(TELNET_LIMITS.text);
  });
  it('handles an IAC or subnegotiation cut by the segment end', () => {
    expect(parseTelnetData(annotated('41 ff')).text).toBe('A');
    expect(parseTelnetData(annotated('41 ff fa 18 00 41')).text).toBe('A');
    expect(parseTelnetData(annotated('41 ff fd')).text).toBe('A');
  });
});

describe('parseTelnetData: real segments agree with tshark', () => {
  const fixtures = loadFixtures('telnet');
  it('has fixtures', () => expect(fixtures.length).toBeGreaterThanOrEqual(8));
  for (const fx of fixtures) {
    it(fx.source, () => {
      const f = parseTelnetData(bytes(fx.hex));
      // tshark's telnet.data: the data lines, with CR LF shown as "\r\n" and lines split at LF.
      const data = (fx.tshark['telnet.data'] ?? []).join('');
      const expected = data.replaceAll('\\r\\n', '\n').replaceAll('\\r', '').replaceAll('\\n', '\n');
      if (/[^\x20-\x7e\n]/.test(expected)) {
        // Bytes tshark prints raw are "\xNN" here: compare the printable parts.
        expect(f.text.replace(/\\x[0-9a-f]{2}/g, '')).toBe(expected.replace(/[^\x20-\x7e\n]/g, '').slice(0, TELNET_LIMITS.text));
      } else {
        expect(f.text).toBe(expected.slice(0, TELNET_LIMITS.text));
      }
      expect(f.hex).toBe(fx.hex.slice(0, 2 * TELNET_LIMITS.hexBytes));
    });
  }
  it('the OpenBSD login prompt and the typed user name are read', () => {
    const texts = fixtures.map((fx) => parseTelnetData(bytes(fx.hex)).text);
    expect(texts).toContain('login: ');
    expect(texts).toContain('fake\n');
  });
});

describe('parseTelnetData: robustness', () => {
  it('random bytes never throw and stay bounded', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 2000 }), (b) => {
      const f = parseTelnetData(b);
      return f.text.length <= TELNET_LIMITS.text && f.hex.length <= 2 * TELNET_LIMITS.hexBytes
        && !/[^\x20-\x7e\n]/.test(f.text);
    }), { numRuns: 2000 });
  });
});
