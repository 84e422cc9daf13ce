// QUIC Initial reader: RFC 9001 Appendix A key derivation, real client Initials vs tshark, frame walk robustness.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { clientInitialKeys, parseQuicInitial, quicCryptoPrefix, QUIC_MAX_CRYPTO } from '../../../../sensor/protocols/quic/parse.js';
import { isGrease } from '../../../../sensor/protocols/tls/parse.js';
import { annotated, bytes, loadFixtures } from '../fixtures/load.js';

describe('clientInitialKeys: RFC 9001 Appendix A.1 and RFC 9369 Appendix A.1', () => {
  const dcid = annotated('83 94 c8 f0 3e 51 57 08'); // the example Destination Connection ID
  it('derives the QUIC v1 client Initial keys', () => {
    const k = clientInitialKeys(1, dcid);
    expect(k?.key.toString('hex')).toBe('1f369613dd76d5467730efcbe3b1a22d');
    expect(k?.iv.toString('hex')).toBe('fa044b2f42a3fd3b46fb255c');
    expect(k?.hp.toString('hex')).toBe('9f50449e04a0e810283a1e9933adedd2');
  });
  it('derives the QUIC v2 client Initial keys', () => {
    const k = clientInitialKeys(0x6b3343cf, dcid);
    expect(k?.key.toString('hex')).toBe('8b1a0bc121284290a29e0971b5cd045d');
    expect(k?.iv.toString('hex')).toBe('91f73e2351d8fa91660e909f');
    expect(k?.hp.toString('hex')).toBe('45b95e15235d6f45a6b19cbcb0294ba9');
  });
  it('knows no salt for other versions', () => {
    expect(clientInitialKeys(0xfaceb002, dcid)).toBeNull();
  });
});

describe('parseQuicInitial: real client Initials agree with tshark', () => {
  const fixtures = loadFixtures('quic');
  it('has fixtures', () => expect(fixtures.length).toBeGreaterThanOrEqual(5));
  const noGrease = (xs: string[] | undefined): number[] => (xs ?? []).map(Number).filter((v) => !isGrease(v));
  for (const fx of fixtures) {
    it(fx.source, () => {
      const t = fx.tshark;
      const f = parseQuicInitial(bytes(fx.hex));
      const version = Number(t['quic.version']?.[0]);
      const supported = version === 1 || version === 0x6b3343cf || (version >= 0xff000017 && version <= 0xff000022);
      if (!supported || t['tls.handshake.ja3'] === undefined || t['tls.handshake.extensions_server_name'] === undefined) {
        // Unsupported version (mvfst), a server packet, or a hello without SNI in this packet.
        expect(f).toBeNull();
        return;
      }
      expect(f).not.toBeNull();
      if (!f) return;
      expect(f.sni).toBe(t['tls.handshake.extensions_server_name'][0]);
      expect(f.alpn).toEqual((t['tls.handshake.extensions_alpn_str'] ?? []).slice(0, 16));
      expect(f.ciphers).toEqual(noGrease(t['tls.handshake.ciphersuite']));
      expect(f.extensions).toEqual(noGrease(t['tls.handshake.extension.type']));
      expect(f.ja3).toBe(t['tls.handshake.ja3_full'][0]);
      expect(f.ja3_hash).toBe(t['tls.handshake.ja3'][0]);
      expect(f.ja4).toMatch(/^q(13|00)d\d{4}[0-9a-z]{2}_[0-9a-f]{12}_[0-9a-f]{12}$/);
    });
  }
  it('does not decrypt a packet whose protected bytes were changed', () => {
    const fx = fixtures.find((x) => x.source.includes('quic_0RTT.pcap frame 5'));
    const b = bytes(fx!.hex);
    expect(parseQuicInitial(b)?.sni).toBe('ssl.gstatic.com');
    b[b.length - 30] ^= 1; // inside the AEAD-protected payload
    expect(parseQuicInitial(b)).toBeNull();
  });
});

describe('quicCryptoPrefix: CRYPTO frames in any order between PADDING, PING and ACK', () => {
  it('joins out-of-order CRYPTO frames into the contiguous stream start', () => {
    const plain = annotated(`
      01                      # PING
      06 44 00 03 64 65 66    # CRYPTO offset 1024 (2-byte varint) len 3 "def": beyond the gap, left out
      06 03 03 64 65 66       # CRYPTO offset 3 len 3 "def"
      00 00 00                # PADDING
      02 05 00 00 00          # ACK largest 5, delay 0, 0 ranges, first range 0
      06 00 03 61 62 63       # CRYPTO offset 0 len 3 "abc"
      00 00
    `);
    expect(Buffer.from(quicCryptoPrefix(plain)!).toString()).toBe('abcdef');
  });
  it('random frames never throw and stay bounded', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 1500 }), (b) => {
      const s = quicCryptoPrefix(b);
      return s === null || (s.length > 0 && s.length <= QUIC_MAX_CRYPTO);
    }), { numRuns: 3000 });
  });
  it('random long-header datagrams and every truncation of the fixtures never throw', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 1200, maxLength: 1300 }), (b) => {
      b[0] = 0xc0 | (b[0] & 0x0f);
      b.set([0, 0, 0, 1], 1);
      b[5] = b[5] % 21;
      const f = parseQuicInitial(b); // decryption fails: the AEAD tag cannot match random bytes
      return f === null;
    }), { numRuns: 300 });
    for (const fx of loadFixtures('quic').slice(0, 2)) {
      const b = bytes(fx.hex);
      const full = JSON.stringify(parseQuicInitial(b));
      // A cut datagram either loses part of the packet (null) or only bytes after it (same result).
      for (let n = 0; n < b.length; n += 7) {
        const f = parseQuicInitial(b.subarray(0, n));
        expect(f === null || JSON.stringify(f) === full).toBe(true);
      }
    }
  });
});
