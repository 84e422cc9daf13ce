// The pipeline's text cache: whatever it holds or overwrites, it returns the formatter's text for the number asked.
import { describe, expect, it } from 'vitest';
import { TextCache, ipv4ToString, macToString } from '../../../sensor/decode/format.js';

describe('TextCache', () => {
  it('gives the formatter\'s text for every number, through a million-address scan and colliding slots', () => {
    let made = 0;
    const c = new TextCache(64, (v) => { made++; return ipv4ToString(v); });
    const home = 0xc0a80132; // 192.168.1.50
    expect(c.get(home)).toBe('192.168.1.50');
    expect(c.get(home)).toBe('192.168.1.50');
    expect(made).toBe(1); // a repeat is not made again
    let x = 0x12345678;
    for (let i = 0; i < 1_000_000; i++) {
      x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
      if (i % 1000 === 0) expect(c.get(x)).toBe(ipv4ToString(x));
      else c.get(x);
      if (i % 97 === 0) expect(c.get(home)).toBe('192.168.1.50');
    }
    expect(c.get(0)).toBe('0.0.0.0');
    expect(c.get(0xffffffff)).toBe('255.255.255.255');
  });

  it('keeps 48-bit MACs apart that share their low 32 bits', () => {
    const c = new TextCache(16, macToString);
    const a = 0x001122334455;
    const b = 0x991122334455;
    for (let i = 0; i < 3; i++) {
      expect(c.get(a)).toBe('00:11:22:33:44:55');
      expect(c.get(b)).toBe('99:11:22:33:44:55');
    }
  });
});
