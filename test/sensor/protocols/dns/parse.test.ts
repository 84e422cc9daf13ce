// DNS/mDNS/LLMNR parser: annotated messages, real messages compared with tshark, bounds and robustness.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseDns, DNS_LIMITS, type DnsFields } from '../../../../sensor/protocols/dns/parse.js';
import { annotated, bytes, loadFixtures } from '../fixtures/load.js';

// An mDNS announcement as a camera sends it (RFC 6762/6763), with compression pointers (RFC 1035 4.1.4).
const MDNS_RESPONSE = annotated(`
  00 00             # id 0 (RFC 6762 18.1)
  84 00             # flags: QR response, AA
  00 00 00 04 00 00 00 00   # 0 questions, 4 answers, 0 authority, 0 additional
  # @12 answer 1: _http._tcp.local PTR cam._http._tcp.local
  05 5f 68 74 74 70 04 5f 74 63 70 05 6c 6f 63 61 6c 00   # "_http" "_tcp" "local" (root)
  00 0c 00 01 00 00 11 94 00 06   # PTR IN ttl 4500 rdlength 6
  03 63 61 6d c0 0c             # "cam" + pointer to @12
  # @46 answer 2: cam._http._tcp.local SRV 0 0 80 cam.local
  c0 28                         # pointer to @40 ("cam" + @12)
  00 21 80 01 00 00 00 78 00 0c # SRV, class IN with cache-flush, ttl 120, rdlength 12
  00 00 00 00 00 50             # priority 0, weight 0, port 80
  03 63 61 6d c0 17             # "cam" + pointer to @23 ("local")
  # @70 answer 3: cam._http._tcp.local TXT "md=DCS-935L" "path=/"
  c0 28 00 10 80 01 00 00 11 94 00 13   # TXT, IN flush, ttl 4500, rdlength 19
  0b 6d 64 3d 44 43 53 2d 39 33 35 4c   # "md=DCS-935L"
  06 70 61 74 68 3d 2f                  # "path=/"
  # answer 4: cam.local A 192.168.1.23
  c0 40 00 01 80 01 00 00 00 78 00 04 c0 a8 01 17   # name: pointer to @64 (SRV target cam.local)
`);

// An mDNS query with the QU bit (RFC 6762 5.4) and an LLMNR query (RFC 4795 2.1.1).
const MDNS_QU_QUERY = annotated(`
  00 00 00 00 00 01 00 00 00 00 00 00   # id 0, query, 1 question
  0b 5f 67 6f 6f 67 6c 65 63 61 73 74 04 5f 74 63 70 05 6c 6f 63 61 6c 00   # _googlecast._tcp.local
  00 0c 80 01                           # PTR, class IN with the QU bit
`);
const LLMNR_QUERY = annotated(`
  9a 3c 00 00 00 01 00 00 00 00 00 00   # id, flags 0 (query), 1 question
  07 44 45 53 4b 54 4f 50 00            # "DESKTOP"
  00 01 00 01                           # A IN
`);

describe('parseDns: annotated messages', () => {
  it('decodes an mDNS response with compressed names, PTR, SRV, TXT and A', () => {
    expect(parseDns(MDNS_RESPONSE)).toEqual({
      id: 0, response: true, opcode: 0, rcode: 0, questions: [],
      answers: [
        { name: '_http._tcp.local', type: 'PTR', ttl: 4500, data: 'cam._http._tcp.local' },
        { name: 'cam._http._tcp.local', type: 'SRV', ttl: 120, data: '0 0 80 cam.local',
          srv: { priority: 0, weight: 0, port: 80, target: 'cam.local' } },
        { name: 'cam._http._tcp.local', type: 'TXT', ttl: 4500, data: 'md=DCS-935L path=/', txt: ['md=DCS-935L', 'path=/'] },
        { name: 'cam.local', type: 'A', ttl: 120, data: '192.168.1.23' },
      ],
    } satisfies DnsFields);
  });

  it('reports the mDNS QU bit that dns-packet 5.6.1 loses', () => {
    expect(parseDns(MDNS_QU_QUERY)?.questions).toEqual([{ name: '_googlecast._tcp.local', type: 'PTR', qu: true }]);
  });

  it('decodes LLMNR (same wire format)', () => {
    expect(parseDns(LLMNR_QUERY)).toEqual({ id: 0x9a3c, response: false, opcode: 0, rcode: 0,
      questions: [{ name: 'DESKTOP', type: 'A' }], answers: [] });
  });

  it('decodes DNS over TCP after the 2-byte length (RFC 1035 4.2.2)', () => {
    const tcp = new Uint8Array(2 + LLMNR_QUERY.length);
    tcp.set([0, LLMNR_QUERY.length]);
    tcp.set(LLMNR_QUERY, 2);
    expect(parseDns(tcp, true)?.questions[0].name).toBe('DESKTOP');
    expect(parseDns(tcp.subarray(0, 1), true)).toBeNull();
  });

  it('keeps the records before a truncated one', () => {
    const cut = parseDns(MDNS_RESPONSE.subarray(0, MDNS_RESPONSE.length - 3));
    expect(cut?.answers.map((a) => a.type)).toEqual(['PTR', 'SRV', 'TXT']);
  });

  it('returns null when the header promises records and none decode', () => {
    const hostile = new Uint8Array(12);
    hostile.set([0, 0, 0x84, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    expect(parseDns(hostile)).toBeNull();
    expect(parseDns(new Uint8Array(11))).toBeNull();
  });

  it('refuses a forward compression pointer (no loops) without losing earlier records', () => {
    const m = MDNS_RESPONSE.slice();
    m[m.length - 16] = 0xc0; // answer 4's name now points forward at itself
    m[m.length - 15] = m.length - 16;
    expect(parseDns(m)?.answers.length).toBe(3);
  });

  it('keeps a record whose data name is bad out, and the records after it in', () => {
    const m = annotated(`
      00 00 84 00 00 00 00 02 00 00 00 00   # response, 2 answers
      01 61 00 00 0c 00 01 00 00 00 78 00 02   # "a" PTR IN ttl 120 rdlength 2
      80 01                                 # target: label type 10 (reserved, RFC 6891 6.1.1)
      01 62 00 00 01 00 01 00 00 00 78 00 04 0a 00 00 01   # "b" A 10.0.0.1
    `);
    expect(parseDns(m)?.answers).toEqual([{ name: 'b', type: 'A', ttl: 120, data: '10.0.0.1' }]);
  });

  it('bounds records at 64 and names at 255 characters', () => {
    // 200 A records named by a pointer to a long question name.
    const label = (s: string): number[] => [s.length, ...Buffer.from(s)];
    const qname = [...label('a'.repeat(63)), ...label('b'.repeat(63)), ...label('c'.repeat(63)), ...label('d'.repeat(61)), 0];
    const head = [0, 1, 0x81, 0x80, 0, 1, 0, 200, 0, 0, 0, 0, ...qname, 0, 1, 0, 1];
    const rr = [0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 10, 0, 0, 1];
    const msg = Uint8Array.from([...head, ...Array.from({ length: 200 }, () => rr).flat()]);
    const f = parseDns(msg);
    expect(f?.answers.length).toBe(DNS_LIMITS.records);
    expect(f?.questions[0].name.length).toBeLessThanOrEqual(DNS_LIMITS.name);
  });
});

const TYPES: Record<string, string> = { 1: 'A', 2: 'NS', 5: 'CNAME', 6: 'SOA', 12: 'PTR', 16: 'TXT', 28: 'AAAA', 33: 'SRV', 47: 'NSEC', 255: 'ANY' };

describe('parseDns: real messages agree with tshark', () => {
  const fixtures = loadFixtures('dns');
  it('has fixtures', () => expect(fixtures.length).toBeGreaterThanOrEqual(10));
  for (const fx of fixtures) {
    it(fx.source, () => {
      const f = parseDns(bytes(fx.hex));
      expect(f).not.toBeNull();
      if (!f) return;
      const t = (k: string): string[] => fx.tshark[k] ?? [];
      expect(f.id).toBe(Number(t('dns.id')[0]));
      expect(f.response).toBe(t('dns.flags.response')[0] === '1');
      expect(f.opcode).toBe(Number(t('dns.flags.opcode')[0]));
      expect(f.rcode).toBe(Number(t('dns.flags.rcode')[0] ?? 0));
      expect(f.questions.map((q) => q.name)).toEqual(t('dns.qry.name'));
      expect(f.questions.map((q) => q.type)).toEqual(t('dns.qry.type').map((n) => TYPES[n] ?? `TYPE${n}`));
      expect(f.questions.map((q) => q.qu === true)).toEqual(t('dns.qry.qu').length ? t('dns.qry.qu').map((v) => v === '1') : f.questions.map(() => false));
      const records = f.answers;
      // OPT (41) is the EDNS pseudo-record: tshark lists it, the parser leaves it out.
      const types = t('dns.resp.type');
      const notOpt = (_: string, i: number): boolean => types[i] !== '41';
      const total = ['dns.count.answers', 'dns.count.auth_rr', 'dns.count.add_rr'].reduce((s, k) => s + Number(t(k)[0]), 0);
      expect(records.length).toBe(Math.min(total - (types.length - types.filter(notOpt).length), DNS_LIMITS.records));
      // tshark also lists the types of an NSEC bitmap under dns.resp.type: ours must be a subsequence.
      const theirTypes = types.filter(notOpt).map((n) => TYPES[n] ?? `TYPE${n}`);
      let k = 0;
      for (const r of records) {
        while (k < theirTypes.length && theirTypes[k] !== r.type) k++;
        expect(k, `record type ${r.type} in tshark's order`).toBeLessThan(theirTypes.length);
        k++;
      }
      if (!types.includes('47')) expect(records.map((r) => r.type)).toEqual(theirTypes.slice(0, DNS_LIMITS.records));
      expect(records.map((r) => r.ttl)).toEqual(t('dns.resp.ttl').filter(notOpt).slice(0, DNS_LIMITS.records).map(Number));
      // tshark -T fields leaves out some repeated record names: compare as sets, ours within its names.
      const theirs = new Set([...t('dns.resp.name'), ...t('dns.qry.name')]);
      for (const n of t('dns.resp.name')) if (n !== '<Root>') expect(records.map((r) => r.name)).toContain(n);
      for (const r of records) expect(theirs).toContain(r.name);
      if (records.length < DNS_LIMITS.records) {
        expect(records.filter((r) => r.type === 'A').map((r) => r.data)).toEqual(t('dns.a'));
        expect(records.filter((r) => r.type === 'AAAA').map((r) => r.data)).toEqual(t('dns.aaaa'));
        expect(records.filter((r) => r.type === 'PTR').map((r) => r.data)).toEqual(t('dns.ptr.domain_name'));
        expect(records.filter((r) => r.type === 'SRV').map((r) => String(r.srv?.port))).toEqual(t('dns.srv.port'));
        expect(records.filter((r) => r.type === 'SRV').map((r) => r.srv?.target)).toEqual(t('dns.srv.target'));
        expect(records.filter((r) => r.type === 'TXT').flatMap((r) => r.txt ?? [])).toEqual(t('dns.txt'));
      }
    });
  }

  it('a Philips Hue bridge announces its model in TXT md= (iot-sentinel HueBridge)', () => {
    const fx = fixtures.find((x) => x.source.includes('HueBridge') && x.source.endsWith('frame 120'));
    const txt = parseDns(bytes(fx!.hex))?.answers.find((r) => r.type === 'TXT')?.txt;
    expect(txt).toContain('md=BSB002');
  });
});

function bounded(f: DnsFields | null): boolean {
  if (f === null) return true;
  return f.questions.length <= DNS_LIMITS.questions && f.answers.length <= DNS_LIMITS.records
    && f.questions.every((q) => q.name.length <= DNS_LIMITS.name)
    && f.answers.every((r) => r.name.length <= DNS_LIMITS.name && r.data.length <= DNS_LIMITS.data
      && (r.txt === undefined || (r.txt.length <= DNS_LIMITS.txtStrings && r.txt.every((s) => s.length <= DNS_LIMITS.txtString))));
}

describe('parseDns: robustness', () => {
  it('random bytes never throw and stay bounded (udp and tcp)', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 700 }), fc.boolean(), (b, tcp) => bounded(parseDns(b, tcp))), { numRuns: 3000 });
  });
  it('a random body after a plausible header never throws', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 500 }), fc.nat(3), fc.nat(80), (body, qd, an) => {
      const m = new Uint8Array(12 + body.length);
      m.set([0, 0, 0x84, 0, 0, qd, 0, an, 0, 0, 0, 0]);
      m.set(body, 12);
      return bounded(parseDns(m));
    }), { numRuns: 3000 });
  });
  it('every truncation of every fixture never throws', () => {
    for (const b of [MDNS_RESPONSE, MDNS_QU_QUERY, LLMNR_QUERY, ...loadFixtures('dns').map((x) => bytes(x.hex))]) {
      for (let n = 0; n <= b.length; n++) expect(bounded(parseDns(b.subarray(0, n)))).toBe(true);
    }
  });
});
