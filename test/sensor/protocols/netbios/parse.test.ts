// NetBIOS-NS parser: annotated query and registration, real messages vs tshark, robustness.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseNetbiosNs } from '../../../../sensor/protocols/netbios/parse.js';
import { annotated, bytes, loadFixtures } from '../fixtures/load.js';

/** RFC 1001 14.1 first-level encoding of a 15-character name + suffix, as hex. */
function encodeName(name: string, suffix: number): string {
  const raw = [...Buffer.from(name.padEnd(15, ' '), 'latin1'), suffix];
  return raw.map((c) => Buffer.from([0x41 + (c >> 4), 0x41 + (c & 15)]).toString('hex')).join(' ');
}

// RFC 1002 4.2.12: name query request, broadcast, for "NAS<20>".
const QUERY = annotated(`
  82 28                 # NAME_TRN_ID
  01 10                 # flags: R=0 OPCODE=0 (query), RD, B (broadcast)
  00 01 00 00 00 00 00 00   # QDCOUNT 1
  20 ${encodeName('NAS', 0x20)} 00   # length 32, "NAS" + spaces, suffix 0x20 (file server), root
  00 20 00 01           # QUESTION_TYPE NB, QUESTION_CLASS IN
`);

// RFC 1002 4.2.2: name registration request for "WORKGROUP<00>" with one additional record.
const REGISTRATION = annotated(`
  80 05 29 10 00 01 00 00 00 00 00 01   # OPCODE 5 (registration), RD, B; QD 1, AR 1
  20 ${encodeName('WORKGROUP', 0x00)} 00 00 20 00 01
  c0 0c 00 20 00 01 00 04 93 e0 00 06 80 00 c0 a8 01 0a   # pointer to the name, NB IN, TTL, NB_FLAGS group, 192.168.1.10
`);

describe('parseNetbiosNs: annotated messages', () => {
  it('decodes a query', () => {
    expect(parseNetbiosNs(QUERY)).toEqual({ kind: 'query', name: 'NAS', suffix: 0x20 });
  });
  it('decodes a registration', () => {
    expect(parseNetbiosNs(REGISTRATION)).toEqual({ kind: 'registration', name: 'WORKGROUP', suffix: 0 });
  });
  it('marks responses and other opcodes', () => {
    const resp = QUERY.slice();
    resp[2] = 0x85; // R=1, opcode 0, AA
    expect(parseNetbiosNs(resp)?.kind).toBe('response');
    const release = QUERY.slice();
    release[2] = 0x30; // opcode 6 release
    expect(parseNetbiosNs(release)?.kind).toBe('other');
  });
  it('rejects a name not in first-level encoding, and short messages', () => {
    const bad = QUERY.slice();
    bad[13] = 0x5a; // 'Z' is outside 'A'..'P'
    expect(parseNetbiosNs(bad)).toBeNull();
    expect(parseNetbiosNs(QUERY.subarray(0, 45))).toBeNull();
  });
});

describe('parseNetbiosNs: real messages agree with tshark', () => {
  const fixtures = loadFixtures('netbios');
  it('has fixtures', () => expect(fixtures.length).toBeGreaterThanOrEqual(10));
  for (const fx of fixtures) {
    it(fx.source, () => {
      const f = parseNetbiosNs(bytes(fx.hex));
      expect(f).not.toBeNull();
      if (!f) return;
      const t = fx.tshark;
      const op = Number(t['nbns.flags.opcode'][0]);
      const expectedKind = t['nbns.flags.response'][0] === '1' ? 'response' : op === 0 ? 'query' : op === 5 || op === 8 ? 'registration' : 'other';
      expect(f.kind).toBe(expectedKind);
      // tshark: "NAME<xx>" or "NAME<xx> (Description)"; the wildcard is "*<00><00>...".
      const m = /^(.*)<([0-9a-f]{2})>(?: \(.*\))?$/.exec(t['nbns.name'][0]);
      expect(m).not.toBeNull();
      expect(f.suffix).toBe(parseInt(m![2], 16));
      expect(f.name).toBe(m![1].replace(/(<00>)+$/, '').trimEnd());
    });
  }
});

describe('parseNetbiosNs: robustness', () => {
  it('random bytes never throw; names stay within 15 bytes of text', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 120 }), (b) => {
      const f = parseNetbiosNs(b);
      return f === null || (f.name.length <= 15 * 4 && f.suffix >= 0 && f.suffix <= 255 && !/[\u0000-\u001f\u007f-\uffff]/.test(f.name));
    }), { numRuns: 3000 });
  });
  it('every truncation of every fixture never throws', () => {
    for (const b of [QUERY, REGISTRATION, ...loadFixtures('netbios').map((x) => bytes(x.hex))]) {
      for (let n = 0; n <= b.length; n++) {
        const f = parseNetbiosNs(b.subarray(0, n));
        expect(f === null || (f.name.length <= 60 && f.suffix <= 255)).toBe(true);
      }
    }
  });
});
