// BitTorrent DHT (BEP 5 KRPC) reader: BEP 5's own example messages, real DHT datagrams vs tshark's BT-DHT dissection, bounds.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BT_DHT_LIMITS, looksLikeKrpc, parseKrpc } from '../../../../sensor/protocols/bt_dht/parse.js';
import { bytes, loadFixtures } from '../fixtures/load.js';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const ID = Buffer.from('abcdefghij0123456789').toString('hex');

describe('parseKrpc: BEP 5 examples', () => {
  // BEP 5 "ping" query and response, byte for byte as the BEP writes them.
  it('ping query: d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe', () => {
    const q = text('d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe');
    expect(looksLikeKrpc(q)).toBe(true);
    expect(parseKrpc(q)).toEqual({ kind: 'query', method: 'ping', node_id: ID });
  });
  it('ping response: d1:rd2:id20:mnopqrstuvwxyz123456e1:t2:aa1:y1:re', () => {
    expect(parseKrpc(text('d1:rd2:id20:mnopqrstuvwxyz123456e1:t2:aa1:y1:re')))
      .toEqual({ kind: 'response', method: null, node_id: Buffer.from('mnopqrstuvwxyz123456').toString('hex') });
  });
  it('error: d1:eli201e23:A Generic Error Ocurrede1:t2:aa1:y1:ee', () => {
    expect(parseKrpc(text('d1:eli201e23:A Generic Error Ocurrede1:t2:aa1:y1:ee'))).toEqual({ kind: 'error', method: null, node_id: null });
  });
  it('get_peers query with info_hash; announce_peer with integers', () => {
    expect(parseKrpc(text('d1:ad2:id20:abcdefghij01234567899:info_hash20:mnopqrstuvwxyz123456e1:q9:get_peers1:t2:aa1:y1:qe')))
      .toEqual({ kind: 'query', method: 'get_peers', node_id: ID });
    expect(parseKrpc(text('d1:ad2:id20:abcdefghij012345678912:implied_porti1e9:info_hash20:mnopqrstuvwxyz1234564:porti6881e5:token8:aoeusnthe1:q13:announce_peer1:t2:aa1:y1:qe')))
      .toEqual({ kind: 'query', method: 'announce_peer', node_id: ID });
  });
  it('refuses unclosed dictionaries, bad lengths, a missing or unknown y, and an id that is not 20 bytes', () => {
    expect(parseKrpc(text('d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:q'))).toBeNull();
    expect(parseKrpc(text('d1:ad2:id99:abcdefghij0123456789e1:y1:qe'))).toBeNull();
    expect(parseKrpc(text('d1:t2:aae'))).toBeNull();
    expect(parseKrpc(text('d1:t2:aa1:y1:xe'))).toBeNull();
    expect(parseKrpc(text('d1:rd2:id3:abce1:y1:re'))).toEqual({ kind: 'response', method: null, node_id: null });
    expect(looksLikeKrpc(text('GET / HTTP/1.1\r\n'))).toBe(false);
  });
});

describe('BT-DHT: real datagrams agree with tshark', () => {
  const fixtures = loadFixtures('bt_dht');
  it('has fixtures', () => expect(fixtures.length).toBeGreaterThanOrEqual(8));
  for (const fx of fixtures) {
    it(fx.source, () => {
      // tshark lists the bencoded strings in order: key, value, key, value... at every level.
      const s = fx.tshark['bt-dht.bencoded.string'];
      const after = (k: string): string | undefined => { const i = s.indexOf(k); return i >= 0 ? s[i + 1] : undefined; };
      const y = s[s.length - 2] === 'y' ? s[s.length - 1] : after('y');
      const raw = bytes(fx.hex);
      expect(looksLikeKrpc(raw)).toBe(true);
      expect(parseKrpc(raw)).toEqual({
        kind: y === 'q' ? 'query' : y === 'r' ? 'response' : 'error',
        method: y === 'q' ? after('q') : null,
        node_id: after('id') ?? null,
      });
    });
  }
});

describe('BT-DHT: properties', () => {
  it('random bytes, random bencode-ish bytes and every truncation never throw', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 1500 }), (b) => { parseKrpc(b); looksLikeKrpc(b); }), { numRuns: 2000 });
    const alphabet = fc.constantFrom(...'dlie0123456789:aqrtyid'.split(''));
    fc.assert(fc.property(fc.array(alphabet, { maxLength: 400 }), (cs) => {
      const r = parseKrpc(text(`d${cs.join('')}`));
      if (r?.method) expect(r.method.length).toBeLessThanOrEqual(BT_DHT_LIMITS.method);
    }), { numRuns: 3000 });
    for (const fx of loadFixtures('bt_dht')) {
      const raw = bytes(fx.hex);
      for (let n = 0; n < raw.length; n++) expect(parseKrpc(raw.subarray(0, n))).toBeNull(); // a cut dictionary never parses
    }
  });
  it('deep nesting is bounded, not a stack overflow', () => {
    expect(parseKrpc(text(`d1:a${'l'.repeat(100000)}${'e'.repeat(100000)}1:y1:qe`))).toBeNull();
  });
});
