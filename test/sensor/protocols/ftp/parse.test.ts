// FTP command reader: an annotated login and fetch, ftp.pcap / ftp_failed.pcap vs tshark, PASS hidden, bounds.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FTP_LIMITS, parseFtpCommands } from '../../../../sensor/protocols/ftp/parse.js';
import { bytes, loadFixtures } from '../fixtures/load.js';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('parseFtpCommands: annotated', () => {
  it('a dropper login and fetch in one segment (RFC 959 5.3.1 syntax), password hidden', () => {
    // USER/PASS (4.1.1), TYPE I (binary), RETR of a bot binary (4.1.3).
    expect(parseFtpCommands(text('USER anonymous\r\nPASS guest@\r\ntype I\r\nRETR mirai.arm7\r\n'))).toEqual([
      { command: 'USER', arg: 'anonymous' }, { command: 'PASS', arg: '***' }, { command: 'TYPE', arg: 'I' }, { command: 'RETR', arg: 'mirai.arm7' },
    ]);
  });
  it('commands without argument; an empty PASS stays empty', () => {
    expect(parseFtpCommands(text('PWD\r\nPASS\r\n'))).toEqual([{ command: 'PWD', arg: '' }, { command: 'PASS', arg: '' }]);
  });
  it('stops at a line that is not a command, and at a line cut by the segment end', () => {
    expect(parseFtpCommands(text('220 (vsFTPd 3.0.3)\r\n'))).toEqual([]);
    expect(parseFtpCommands(text('USER a\r\nRETR mir'))).toEqual([{ command: 'USER', arg: 'a' }]);
    expect(parseFtpCommands(text('GETX\r\n'))).toEqual([{ command: 'GETX', arg: '' }]);
    expect(parseFtpCommands(text('SHUTDOWN now\r\n'))).toEqual([]);
  });
});

describe('FTP: real control connections agree with tshark', () => {
  const fixtures = loadFixtures('ftp');
  it('has fixtures', () => expect(fixtures.length).toBeGreaterThanOrEqual(10));
  for (const fx of fixtures) {
    it(fx.source, () => {
      const cmd = fx.tshark['ftp.request.command']?.[0];
      const got = parseFtpCommands(bytes(fx.hex));
      if (cmd === undefined) {
        // Server replies ("220 ...", " EPRT" continuation lines): no command.
        expect(got).toEqual([]);
        return;
      }
      const arg = fx.tshark['ftp.request.arg']?.[0] ?? '';
      expect(got).toEqual([{ command: cmd, arg: cmd === 'PASS' && arg !== '' ? '***' : arg }]);
    });
  }
  it('the real PASS argument never appears', () => {
    const pass = fixtures.find((f) => f.tshark['ftp.request.command']?.[0] === 'PASS');
    expect(pass).toBeDefined();
    expect(JSON.stringify(parseFtpCommands(bytes(pass!.hex)))).not.toContain(pass!.tshark['ftp.request.arg'][0]);
  });
});

describe('FTP: properties', () => {
  it('random bytes never throw and stay bounded', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 3000 }), (b) => {
      const r = parseFtpCommands(b);
      expect(r.length).toBeLessThanOrEqual(FTP_LIMITS.commandsPerSegment);
      for (const c of r) expect(c.arg.length).toBeLessThanOrEqual(FTP_LIMITS.arg);
    }), { numRuns: 2000 });
  });
  it('random text lines never throw, stay bounded, and never show a PASS argument', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.constantFrom('USER', 'PASS', 'pass', 'RETR', 'X', 'NOOP'), fc.string({ maxLength: 400 })), { maxLength: 40 }), (lines) => {
      const r = parseFtpCommands(text(lines.map(([c, a]) => `${c} ${a}\r\n`).join('')));
      expect(r.length).toBeLessThanOrEqual(FTP_LIMITS.commandsPerSegment);
      for (const c of r) if (c.command === 'PASS') expect(c.arg === '***' || c.arg === '').toBe(true);
    }));
  });
});
