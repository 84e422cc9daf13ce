// SSDP parser: annotated NOTIFY/M-SEARCH/response, real datagrams vs tshark and a naive header split, bounds.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseSsdp, SSDP_MAX_OTHER_HEADERS, type SsdpFields } from '../../../../sensor/protocols/ssdp/parse.js';
import { MAX_VALUE } from '../../../../sensor/protocols/http/lines.js';
import { bytes, loadFixtures } from '../fixtures/load.js';

const text = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'utf8'));

// UPnP DA 2.0 1.2.2 / 1.3.3: a search response, header names in mixed case, a UTF-8 friendly value.
const RESPONSE = text([
  'HTTP/1.1 200 OK',                                   // status line: a search response
  'Cache-Control: max-age=1800',                       // other header, kept lower-cased
  'EXT:',                                              // empty value (required by UPnP)
  'Location: http://192.168.1.20:49152/desc.xml',     // LOCATION
  'server: Linux/3.10 UPnP/1.0 Sonos/70.3 (ZPS1)',    // SERVER, lower-case name
  'ST: urn:schemas-upnp-org:device:ZonePlayer:1',     // ST
  'USN: uuid:RINCON_000E58AABBCC01400::urn:schemas-upnp-org:device:ZonePlayer:1',
  'X-Friendly: Keuken\u00e9\u0007',                    // non-ASCII kept, BEL stripped
  '', '',
].join('\r\n'));

describe('parseSsdp: annotated messages', () => {
  it('decodes a search response', () => {
    expect(parseSsdp(RESPONSE)).toEqual({
      method: 'RESPONSE',
      server: 'Linux/3.10 UPnP/1.0 Sonos/70.3 (ZPS1)', user_agent: null,
      st: 'urn:schemas-upnp-org:device:ZonePlayer:1', nt: null, nts: null,
      usn: 'uuid:RINCON_000E58AABBCC01400::urn:schemas-upnp-org:device:ZonePlayer:1',
      location: 'http://192.168.1.20:49152/desc.xml',
      headers: { 'cache-control': 'max-age=1800', ext: '', 'x-friendly': 'Keuken\u00e9' },
    } satisfies SsdpFields);
  });

  it('decodes NOTIFY and M-SEARCH start lines, and other methods as OTHER', () => {
    const notify = parseSsdp(text('NOTIFY * HTTP/1.1\r\nNT: upnp:rootdevice\r\nNTS: ssdp:alive\r\n\r\n'));
    expect(notify).toMatchObject({ method: 'NOTIFY', nt: 'upnp:rootdevice', nts: 'ssdp:alive' });
    const search = parseSsdp(text('M-SEARCH * HTTP/1.1\nST: ssdp:all\nUSER-AGENT: Android/9 UPnP/1.1\n\n'));
    expect(search).toMatchObject({ method: 'M-SEARCH', st: 'ssdp:all', user_agent: 'Android/9 UPnP/1.1' });
    expect(parseSsdp(text('SUBSCRIBE /evt HTTP/1.1\r\n\r\n'))?.method).toBe('OTHER');
  });

  it('rejects what has no HTTP-style start line', () => {
    expect(parseSsdp(text('hello world, not ssdp\r\n'))).toBeNull();
    expect(parseSsdp(text('NOTIFY * HTTP/1.1'))).toBeNull(); // no line end
    expect(parseSsdp(new Uint8Array([0x4e, 0x4f, 0x54, 0x49, 0x46, 0x59, 0x20, 0, 0, 0, 0, 0, 0x0a]))).toBeNull();
  });

  it('bounds other headers to 32 and values to 512 characters, and ignores __proto__', () => {
    const lines = ['NOTIFY * HTTP/1.1', '__proto__: {"polluted":1}', `SERVER: ${'x'.repeat(5000)}`];
    for (let i = 0; i < 60; i++) lines.push(`X-H${i}: v${i}`);
    const f = parseSsdp(text(`${lines.join('\r\n')}\r\n\r\n`));
    expect(f?.server?.length).toBe(MAX_VALUE);
    expect(Object.keys(f?.headers ?? {}).length).toBe(SSDP_MAX_OTHER_HEADERS);
    expect(Object.getPrototypeOf(f?.headers)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

/** A naive reference: split the datagram into "name: value" lines. */
function naiveHeaders(raw: Uint8Array): Map<string, string> {
  const m = new Map<string, string>();
  const lines = Buffer.from(raw).toString('utf8').split(/\r?\n/);
  for (const l of lines.slice(1)) {
    if (l === '') break;
    const i = l.indexOf(':');
    const name = l.slice(0, i).toLowerCase();
    if (!m.has(name)) m.set(name, l.slice(i + 1).trim());
  }
  return m;
}

describe('parseSsdp: real datagrams agree with tshark', () => {
  const fixtures = loadFixtures('ssdp');
  it('has fixtures', () => expect(fixtures.length).toBeGreaterThanOrEqual(8));
  for (const fx of fixtures) {
    it(fx.source, () => {
      const raw = bytes(fx.hex);
      const f = parseSsdp(raw);
      expect(f).not.toBeNull();
      if (!f) return;
      const t = fx.tshark;
      const start = Buffer.from(raw).toString('latin1').split(/\r?\n/)[0];
      expect(f.method).toBe(t['http.request.method']?.[0] ?? start.split(' ')[0]);
      expect(f.server).toBe(t['http.server']?.[0] ?? null);
      expect(f.user_agent).toBe(t['http.user_agent']?.[0] ?? null);
      expect(f.location).toBe(t['http.location']?.[0] ?? null);
      expect(f.headers.host).toBe(t['http.host']?.[0]);
      const ref = naiveHeaders(raw);
      for (const k of ['st', 'nt', 'nts', 'usn'] as const) expect(f[k]).toBe(ref.get(k) ?? null);
      for (const [k, v] of Object.entries(f.headers)) expect(ref.get(k)).toBe(v);
    });
  }
  it('a Philips Hue bridge says IpBridge in SERVER (iot-sentinel HueBridge)', () => {
    const fx = fixtures.find((x) => x.source.includes('HueBridge'));
    expect(parseSsdp(bytes(fx!.hex))?.server).toContain('IpBridge');
  });
});

function bounded(f: SsdpFields | null): boolean {
  if (f === null) return true;
  const vals = [f.server, f.user_agent, f.st, f.nt, f.nts, f.usn, f.location, ...Object.values(f.headers)];
  return Object.keys(f.headers).length <= SSDP_MAX_OTHER_HEADERS
    && vals.every((v) => v === null || (v.length <= MAX_VALUE && !/[\u0000-\u001f\u007f-\u009f]/.test(v)));
}

describe('parseSsdp: robustness', () => {
  it('random bytes and random header lines never throw and stay bounded', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), (b) => bounded(parseSsdp(b))), { numRuns: 2000 });
    fc.assert(fc.property(fc.array(fc.string({ maxLength: 700 }), { maxLength: 80 }), (ls) =>
      bounded(parseSsdp(text(`NOTIFY * HTTP/1.1\r\n${ls.join('\r\n')}\r\n`)))), { numRuns: 500 });
  });
  it('every truncation of every fixture never throws', () => {
    for (const b of [RESPONSE, ...loadFixtures('ssdp').map((x) => bytes(x.hex))]) {
      for (let n = 0; n <= b.length; n++) expect(bounded(parseSsdp(b.subarray(0, n)))).toBe(true);
    }
  });
});
