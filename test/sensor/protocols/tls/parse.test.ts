// TLS ClientHello parser: annotated hellos, the JA4 spec's own example, real hellos vs tshark's JA3, truncation policy.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isGrease, ja4, parseTlsClientHello, tlsHelloLength, TLS_LIMITS, type TlsFields } from '../../../../sensor/protocols/tls/parse.js';
import { annotated, bytes, loadFixtures } from '../fixtures/load.js';

const z = (n: number): string => '00'.repeat(n);
const sha12 = (s: string): string => createHash('sha256').update(s).digest('hex').slice(0, 12);

// A small TLS 1.2 ClientHello as an IoT device sends it (RFC 8446 4.1.2, RFC 5246 7.4.1.2).
const HELLO = annotated(`
  16 03 01 00 62          # record: handshake, legacy_record_version TLS 1.0, length 98
  01 00 00 5e             # handshake: client_hello, length 94
  03 03                   # legacy_version TLS 1.2
  ${z(32)}                # random
  00                      # legacy_session_id: empty
  00 04 c0 2f 00 2f       # cipher_suites: ECDHE-RSA-AES128-GCM-SHA256, RSA-AES128-SHA
  01 00                   # compression: null
  00 31                   # extensions length 49
  00 00 00 0e 00 0c 00 00 09 63 61 6d 2e 6c 6f 63 61 6c   # server_name: host_name "cam.local" (RFC 6066 3)
  00 0a 00 04 00 02 00 1d # supported_groups: x25519
  00 0b 00 02 01 00       # ec_point_formats: uncompressed
  00 0d 00 04 00 02 04 03 # signature_algorithms: ecdsa_secp256r1_sha256
  00 10 00 05 00 03 02 68 32   # ALPN: "h2" (RFC 7301)
`);

describe('parseTlsClientHello: annotated hello', () => {
  it('decodes every field and the fingerprints', () => {
    const ja3 = '771,49199-47,0-10-11-13-16,29,0';
    expect(parseTlsClientHello(HELLO)).toEqual({
      version: 0x0303, max_version: 0x0303, sni: 'cam.local', alpn: ['h2'],
      ciphers: [0xc02f, 0x002f], extensions: [0, 10, 11, 13, 16], groups: [29], point_formats: [0],
      signature_algorithms: [0x0403],
      ja3, ja3_hash: createHash('md5').update(ja3).digest('hex'),
      // JA4: t, TLS 1.2, SNI, 2 ciphers, 5 extensions, ALPN h2; sorted ciphers; sorted extensions minus SNI/ALPN _ sigalgs.
      ja4: `t12d0205h2_${sha12('002f,c02f')}_${sha12('000a,000b,000d_0403')}`,
    } satisfies TlsFields);
    expect(tlsHelloLength(HELLO)).toBe(HELLO.length);
  });

  it('rejects what is not a ClientHello record', () => {
    const serverHello = HELLO.slice();
    serverHello[5] = 2;
    expect(parseTlsClientHello(serverHello)).toBeNull();
    const alert = HELLO.slice();
    alert[0] = 21;
    expect(parseTlsClientHello(alert)).toBeNull();
    // SSLv2-format hello (RFC 6101 E.2): not parsed.
    expect(parseTlsClientHello(annotated('80 2e 01 03 01 00 15 00 00 00 10 00 00 39 00 00 38'))).toBeNull();
    expect(tlsHelloLength(serverHello)).toBeNull();
  });

  it('truncated: fields without fingerprints once SNI is complete, else null', () => {
    // Cut inside supported_groups: SNI (first extension) is complete.
    const partial = parseTlsClientHello(HELLO.subarray(0, 9 + 2 + 32 + 1 + 6 + 2 + 2 + 18 + 3));
    expect(partial).toMatchObject({ sni: 'cam.local', ciphers: [0xc02f, 0x002f], extensions: [0], ja3: '', ja3_hash: '', ja4: '' });
    // Cut inside the server_name extension.
    expect(parseTlsClientHello(HELLO.subarray(0, 9 + 2 + 32 + 1 + 6 + 2 + 2 + 10))).toBeNull();
  });

  it('reassembles a hello fragmented over two records (RFC 8446 5.1)', () => {
    const hs = HELLO.subarray(5);
    const a = hs.subarray(0, 40);
    const b = hs.subarray(40);
    const two = Uint8Array.from([0x16, 3, 1, 0, a.length, ...a, 0x16, 3, 1, 0, b.length, ...b]);
    expect(tlsHelloLength(two)).toBeGreaterThanOrEqual(two.length);
    expect(parseTlsClientHello(two)).toEqual(parseTlsClientHello(HELLO));
  });
});

/** ClientHello from lists of ciphers, extension types (with made-up data where it matters) and sigalgs. */
function buildHello(ciphers: number[], exts: number[], sigalgs: number[], alpn: string[], sni: string, versions: number[]): Uint8Array {
  const u16 = (v: number): number[] => [v >> 8, v & 255];
  const ext: number[] = [];
  for (const t of exts) {
    let d: number[] = [];
    if (t === 0) d = [...u16(sni.length + 3), 0, ...u16(sni.length), ...Buffer.from(sni, 'latin1')];
    else if (t === 16) { const l = alpn.flatMap((s) => [s.length, ...Buffer.from(s, 'latin1')]); d = [...u16(l.length), ...l]; }
    else if (t === 13) d = [...u16(sigalgs.length * 2), ...sigalgs.flatMap(u16)];
    else if (t === 43) d = [versions.length * 2, ...versions.flatMap(u16)];
    else if (t === 10) d = [0, 4, 0x00, 0x1d, 0x00, 0x17];
    else if (t === 11) d = [1, 0];
    ext.push(...u16(t), ...u16(d.length), ...d);
  }
  const body = [3, 3, ...new Array(32).fill(7), 0, ...u16(ciphers.length * 2), ...ciphers.flatMap(u16), 1, 0, ...u16(ext.length), ...ext];
  const hs = [1, 0, ...u16(body.length), ...body];
  return Uint8Array.from([0x16, 3, 1, ...u16(hs.length), ...hs]);
}

describe('JA4 against the FoxIO specification example (technical_details/JA4.md)', () => {
  // JA4_ro = t13d1516h2_1301,...,0035_001b,0000,...,0015_0403,...,0601 ; JA4 = t13d1516h2_8daaf6152771_e5627efa2ab1
  const ciphers = [0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035];
  const exts = [0x001b, 0x0000, 0x0033, 0x0010, 0x4469, 0x0017, 0x002d, 0x000d, 0x0005, 0x0023, 0x0012, 0x002b, 0xff01, 0x000b, 0x000a, 0x0015];
  const sigalgs = [0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601];

  it('gives the published fingerprint', () => {
    const f = parseTlsClientHello(buildHello(ciphers, exts, sigalgs, ['h2', 'http/1.1'], 'example.com', [0x0304, 0x0303]));
    expect(f?.ja4).toBe('t13d1516h2_8daaf6152771_e5627efa2ab1');
    expect(f?.max_version).toBe(0x0304);
  });

  it('ignores GREASE everywhere (RFC 8701), as Chrome sends it', () => {
    const g = [0x0a0a, 0x3a3a, 0xfafa];
    const f = parseTlsClientHello(buildHello([g[0], ...ciphers], [g[1], ...exts, g[2]], sigalgs, ['h2'], 'example.com', [0x7a7a, 0x0304]));
    expect(f?.ja4).toBe('t13d1516h2_8daaf6152771_e5627efa2ab1');
    expect(f?.ciphers.some(isGrease)).toBe(false);
    expect(f?.extensions.some(isGrease)).toBe(false);
    expect(f?.ja3.split(',')[1]).toBe(ciphers.join('-'));
  });

  it('follows the spec for no SNI, no ALPN, no signature algorithms and odd ALPN bytes', () => {
    const noSni = parseTlsClientHello(buildHello(ciphers, exts.filter((e) => e !== 0 && e !== 16 && e !== 13), [], [], '', [0x0304]));
    expect(noSni?.ja4).toBe(`t13i151300_8daaf6152771_${sha12('0005,000a,000b,0012,0015,0017,001b,0023,002b,002d,0033,4469,ff01')}`);
    const hexAlpn = parseTlsClientHello(buildHello(ciphers, [0x0010], [], ['0\xab'], '', []));
    expect(hexAlpn?.ja4.slice(0, 10)).toBe('t12i15013b'); // 0x30 0xab -> "3b"
    const oneChar = parseTlsClientHello(buildHello(ciphers, [0x0010], [], ['h'], '', []));
    expect(oneChar?.ja4.slice(8, 10)).toBe('hh');
    const noExt = parseTlsClientHello(buildHello([], [], [], [], '', []));
    expect(noExt?.ja4).toBe('t12i000000_000000000000_000000000000');
  });
});

describe('remembered fingerprints', () => {
  it('hellos that differ only in what JA4 adds to JA3 (sigalgs, ALPN, SNI, supported_versions) keep their own fingerprints, in any order', () => {
    const ciphers = [0x1301, 0xc02b];
    const exts = [0x0000, 0x0010, 0x000d, 0x002b];
    const variants = [
      buildHello(ciphers, exts, [0x0403], ['h2'], 'a.example', [0x0304]),
      buildHello(ciphers, exts, [0x0804], ['h2'], 'a.example', [0x0304]),
      buildHello(ciphers, exts, [0x0403], ['h3'], 'a.example', [0x0304]),
      buildHello(ciphers, exts.slice(1), [0x0403], ['h2'], '', [0x0304]),
      buildHello(ciphers, exts, [0x0403], ['h2'], 'a.example', [0x0303]),
    ];
    const fresh = variants.map((v) => {
      const f = parseTlsClientHello(v)!;
      const alpn = f.alpn[0] ? Buffer.from(f.alpn[0], 'latin1') : null;
      return [createHash('md5').update(f.ja3).digest('hex'), ja4('t', f, f.extensions.includes(0), alpn)];
    });
    expect(new Set(fresh.map((x) => x[1])).size).toBe(variants.length);
    for (const order of [[0, 1, 2, 3, 4], [4, 3, 2, 1, 0, 0, 1, 2, 3, 4]]) {
      for (const i of order) {
        const f = parseTlsClientHello(variants[i])!;
        expect([f.ja3_hash, f.ja4]).toEqual(fresh[i]);
      }
    }
  });
});

describe('parseTlsClientHello: real hellos agree with tshark (JA3 computed by tshark)', () => {
  const fixtures = loadFixtures('tls');
  it('has fixtures', () => expect(fixtures.length).toBeGreaterThanOrEqual(8));
  const noGrease = (xs: string[] | undefined): number[] => (xs ?? []).map(Number).filter((v) => !isGrease(v));
  for (const fx of fixtures) {
    it(fx.source, () => {
      const t = fx.tshark;
      const f = parseTlsClientHello(bytes(fx.hex));
      if (t['tls.handshake.ja3'] === undefined) {
        // tshark found no complete TLS-record ClientHello here either (SSLv2 format, or cut).
        expect(f === null || f.ja3 === '').toBe(true);
        return;
      }
      expect(f).not.toBeNull();
      if (!f) return;
      expect(f.version).toBe(Number(t['tls.handshake.version'][0]));
      expect(f.sni).toBe(t['tls.handshake.extensions_server_name']?.[0] ?? null);
      expect(f.alpn).toEqual(t['tls.handshake.extensions_alpn_str'] ?? []);
      expect(f.ciphers).toEqual(noGrease(t['tls.handshake.ciphersuite']));
      expect(f.extensions).toEqual(noGrease(t['tls.handshake.extension.type']));
      expect(f.groups).toEqual(noGrease(t['tls.handshake.extensions_supported_group']));
      expect(f.point_formats).toEqual((t['tls.handshake.extensions_ec_point_format'] ?? []).map(Number));
      // tshark lists signature_algorithms_cert (50) under the same field, after ours.
      const sigs = noGrease(t['tls.handshake.sig_hash_alg']);
      if (f.extensions.includes(50)) expect(sigs.slice(0, f.signature_algorithms.length)).toEqual(f.signature_algorithms);
      else expect(f.signature_algorithms).toEqual(sigs);
      const sv = noGrease(t['tls.handshake.extensions.supported_version']);
      expect(f.max_version).toBe(sv.length ? Math.max(...sv) : f.version);
      expect(f.ja3).toBe(t['tls.handshake.ja3_full'][0]);
      expect(f.ja3_hash).toBe(t['tls.handshake.ja3'][0]);
      expect(f.ja4).toMatch(/^t(13|12|11|10|s3)[di]\d{4}[0-9a-z]{2}_[0-9a-f]{12}_[0-9a-f]{12}$/);
      expect(f.ja4.slice(4, 8)).toBe(`${String(Math.min(f.ciphers.length, 99)).padStart(2, '0')}${String(Math.min(f.extensions.length, 99)).padStart(2, '0')}`);
    });
  }

  it('a WeMo switch names its cloud in SNI (iot-sentinel WeMoSwitch)', () => {
    const fx = fixtures.find((x) => x.source.includes('WeMoSwitch'));
    expect(parseTlsClientHello(bytes(fx!.hex))?.sni).toBe('api.xbcs.net');
  });
});

function bounded(f: TlsFields | null): boolean {
  if (f === null) return true;
  const lists = [f.ciphers, f.extensions, f.groups, f.point_formats, f.signature_algorithms];
  return lists.every((l) => l.length <= TLS_LIMITS.list) && f.alpn.length <= TLS_LIMITS.alpn
    && f.alpn.every((s) => s.length <= TLS_LIMITS.alpnName) && (f.sni === null || f.sni.length <= TLS_LIMITS.sni)
    && (f.ja4 === '' || f.ja4.length === 36);
}

describe('parseTlsClientHello: robustness', () => {
  it('random bytes after a handshake record header never throw', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), fc.nat(0xffff), (body, len) => {
      const m = Uint8Array.from([0x16, 3, 1, len >> 8, len & 255, 1, 0, body.length >> 8, body.length & 255, ...body]);
      return bounded(parseTlsClientHello(m));
    }), { numRuns: 3000 });
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (b) => bounded(parseTlsClientHello(b))), { numRuns: 1000 });
  });
  it('every truncation of every fixture never throws', () => {
    for (const b of [HELLO, ...loadFixtures('tls').map((x) => bytes(x.hex))]) {
      for (let n = 0; n <= b.length; n++) expect(bounded(parseTlsClientHello(b.subarray(0, n)))).toBe(true);
    }
  });
});
