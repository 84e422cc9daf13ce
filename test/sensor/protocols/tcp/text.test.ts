// Text of unclaimed TCP segments: an annotated Gafgyt-style C2 exchange, irc.pcap vs tshark's IRC commands, binary refused, bounds.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { IRC_COMMANDS, ircCommands, parseTcpText, TCP_TEXT_LIMITS } from '../../../../sensor/protocols/tcp/text.js';
import { bytes, loadFixtures } from '../fixtures/load.js';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('parseTcpText: annotated', () => {
  it('a Gafgyt/Bashlite C2 command and its PING: lines kept, PING counted as the IRC-style keepalive it is', () => {
    // Bashlite's C2 sends "!* SCANNER ON" to every bot and "PING" as a keepalive the bot answers "PONG".
    expect(parseTcpText(text('!* SCANNER ON\r\nPING\r\n'))).toEqual({ text: '!* SCANNER ON\nPING\n', irc_commands: ['PING'] });
  });
  it('an IRC bot login (RFC 2812 3.1): commands in order, once each, prefixes skipped', () => {
    const r = parseTcpText(text('NICK [MIPS]x1\r\nUSER x 0 * :x\r\n:irc.example NOTICE * :hi\r\nJOIN #bots key\r\nJOIN #more\r\n'));
    expect(r?.irc_commands).toEqual(['NICK', 'USER', 'NOTICE', 'JOIN']);
  });
  it('lower-case words and numerics are not commands; tabs and stray bytes are shown as \\xNN', () => {
    expect(ircCommands(text('ping\r\n:srv 001 me :Welcome\r\n'))).toEqual([]);
    // One unprintable byte in 30 is still text (90% rule); the byte is shown, not passed on.
    expect(parseTcpText(text('a\tb\x01c the rest of the line\r\n'))?.text).toBe('a\\x09b\\x01c the rest of the line\n');
  });
  it('binary is refused; text is bounded to 512 characters', () => {
    expect(parseTcpText(Uint8Array.from({ length: 200 }, (_, i) => (i * 37) & 255))).toBeNull();
    expect(parseTcpText(new Uint8Array(0))).toBeNull();
    expect(parseTcpText(text('x'.repeat(5000)))?.text).toHaveLength(512);
  });
});

describe('tcp_text: irc.pcap agrees with tshark\'s IRC dissection', () => {
  const fixtures = loadFixtures('irc');
  it('has fixtures', () => expect(fixtures.length).toBeGreaterThanOrEqual(10));
  for (const fx of fixtures) {
    it(fx.source, () => {
      const t = fx.tshark;
      const all = [...(t['irc.request.command'] ?? []), ...(t['irc.response.command'] ?? [])];
      // tshark's commands of lines this segment starts, RFC 2812 commands only (it also lists numerics and
      // the first word of a line continued from the previous segment), each once in order.
      const want = [...new Set(all.filter((c) => IRC_COMMANDS.has(c)))];
      const r = parseTcpText(bytes(fx.hex));
      expect(r).not.toBeNull();
      expect(r!.irc_commands).toEqual(want);
    });
  }
});

describe('tcp_text: properties', () => {
  it('random bytes never throw and stay bounded', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 3000 }), (b) => {
      const r = parseTcpText(b);
      if (r) {
        expect(r.text.length).toBeLessThanOrEqual(TCP_TEXT_LIMITS.text);
        expect(r.irc_commands.length).toBeLessThanOrEqual(TCP_TEXT_LIMITS.commands);
        expect(/[\u0000-\u0009\u000b-\u001f\u007f-\uffff]/.test(r.text)).toBe(false); // eslint-disable-line no-control-regex
      }
    }), { numRuns: 2000 });
  });
  it('random printable text is always accepted; every truncation of the IRC fixtures parses', () => {
    fc.assert(fc.property(fc.stringMatching(/^[ -~\r\n]{1,600}$/), (s) => { expect(parseTcpText(text(s))).not.toBeNull(); }));
    for (const fx of loadFixtures('irc')) {
      const raw = bytes(fx.hex);
      for (let n = 1; n <= raw.length; n += 7) expect(parseTcpText(raw.subarray(0, n))).not.toBeNull();
    }
  });
});
