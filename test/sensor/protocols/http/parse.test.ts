// HTTP parser: annotated request and response heads, real first segments vs tshark, fast rejection, bounds.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { HTTP_LIMITS, parseHttpRequest, parseHttpResponse } from '../../../../sensor/protocols/http/parse.js';
import { MAX_VALUE } from '../../../../sensor/protocols/http/lines.js';
import { bytes, loadFixtures } from '../fixtures/load.js';

const text = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'latin1'));

// A Mirai-style loader fetch (RFC 9112 3): request line, then header fields in any case.
const REQUEST = text([
  'GET /bins/mirai.arm7 HTTP/1.0',         // method SP request-target SP HTTP-version
  'user-agent: Wget(linux)',               // User-Agent, lower-case name
  'HOST:  198.51.100.7:80 ',               // Host with extra OWS
  '', '',
].join('\r\n'));

const RESPONSE = text([
  'HTTP/1.1 200 OK',                       // status-line
  'Content-Type: text/html; charset=utf-8',
  'Server: GoAhead-Webs',                  // typical embedded web server
  '', '<html>',
].join('\r\n'));

describe('parseHttpRequest / parseHttpResponse: annotated heads', () => {
  it('decodes a request', () => {
    expect(parseHttpRequest(REQUEST)).toEqual({
      method: 'GET', uri: '/bins/mirai.arm7', version: 'HTTP/1.0', host: '198.51.100.7:80', user_agent: 'Wget(linux)', body: null,
    });
  });
  it('decodes a response', () => {
    expect(parseHttpResponse(RESPONSE)).toEqual({ status: 200, server: 'GoAhead-Webs', content_type: 'text/html; charset=utf-8' });
    expect(parseHttpResponse(text('HTTP/1.0 404\r\n\r\n'))).toEqual({ status: 404, server: null, content_type: null });
  });
  it('rejects non-HTTP quickly and malformed request lines', () => {
    expect(parseHttpRequest(text('\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03abcdef'))).toBeNull(); // TLS
    expect(parseHttpRequest(text('get / HTTP/1.1\r\n\r\n'))).toBeNull(); // methods are upper-case tokens here
    expect(parseHttpRequest(text('GET / HTTP/1.1'))).toBeNull(); // request line not ended in this segment
    expect(parseHttpRequest(text('GE(T / HTTP/1.1\r\n\r\n'))).toBeNull(); // "(" is not a tchar
    expect(parseHttpRequest(text('GET / FTP/1.1\r\n\r\n'))).toBeNull();
    expect(parseHttpResponse(text('HTTP/1.1 99 Too low\r\n'))).toBeNull();
    expect(parseHttpResponse(text('SSH-2.0-dropbear_2019.78\r\n'))).toBeNull();
  });
  it('bounds the URI at 2048 characters and header values at 512', () => {
    const f = parseHttpRequest(text(`GET /${'a'.repeat(5000)} HTTP/1.1\r\nUser-Agent: ${'b'.repeat(3000)}\r\n\r\n`));
    expect(f?.uri.length).toBe(HTTP_LIMITS.uri);
    expect(f?.user_agent?.length).toBe(MAX_VALUE);
  });
  it('leaves out a header line cut by the segment end', () => {
    expect(parseHttpRequest(text('GET / HTTP/1.1\r\nHost: exa'))?.host).toBeNull();
  });
});

/**
 * tshark's http.file_data (the body in this segment, as text with \r \n \t escaped) written the way
 * HttpRequestEvent.body shows a body: CR LF as a newline, TAB as \x09, at most 512 characters.
 */
function tsharkBody(fileData: string | null): string | null {
  if (fileData === null) return null;
  return fileData.replaceAll('\\r\\n', '\n').replaceAll('\\n', '\n').replaceAll('\\t', '\\x09').slice(0, 512);
}

describe('HTTP: real first segments agree with tshark', () => {
  const fixtures = loadFixtures('http');
  it('has fixtures', () => expect(fixtures.length).toBeGreaterThanOrEqual(6));
  for (const fx of fixtures) {
    it(fx.source, () => {
      const t = fx.tshark;
      const one = (k: string): string | null => t[k]?.[0] ?? null;
      const raw = bytes(fx.hex);
      const req = parseHttpRequest(raw);
      const res = parseHttpResponse(raw);
      if (one('http.request.method') !== null) {
        expect(res).toBeNull();
        expect(req).toEqual({
          method: one('http.request.method'), uri: one('http.request.uri'), version: one('http.request.version'),
          host: one('http.host'), user_agent: one('http.user_agent'), body: tsharkBody(one('http.file_data')),
        });
      } else if (one('http.response.code') !== null) {
        expect(req).toBeNull();
        expect(res).toEqual({ status: Number(one('http.response.code')), server: one('http.server'), content_type: one('http.content_type') });
      } else {
        // A continuation segment (tshark shows header fields without a start line): not a message head.
        expect(req).toBeNull();
        expect(res).toBeNull();
      }
    });
  }
});

describe('HTTP: robustness', () => {
  const ok = (b: Uint8Array): boolean => {
    const r = parseHttpRequest(b);
    const s = parseHttpResponse(b);
    return (r === null || (r.uri.length <= HTTP_LIMITS.uri && r.method.length <= HTTP_LIMITS.method
      && (r.host ?? '').length <= MAX_VALUE && (r.user_agent ?? '').length <= MAX_VALUE))
      && (s === null || (s.status >= 100 && s.status <= 599 && (s.server ?? '').length <= MAX_VALUE));
  };
  it('random bytes and random text after a request line never throw', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), ok), { numRuns: 2000 });
    fc.assert(fc.property(fc.string({ maxLength: 600 }), (s) => ok(text(`GET / HTTP/1.1\r\n${s}`)) && ok(text(`HTTP/1.1 200 OK\r\n${s}`))), { numRuns: 1000 });
  });
  it('every truncation of every fixture never throws', () => {
    for (const b of [REQUEST, RESPONSE, ...loadFixtures('http').map((x) => bytes(x.hex))]) {
      for (let n = 0; n <= b.length; n++) expect(ok(b.subarray(0, n))).toBe(true);
    }
  });
});
