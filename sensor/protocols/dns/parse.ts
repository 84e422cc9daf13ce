// DNS message parser (RFC 1035 4.1) for DNS, mDNS (RFC 6762) and LLMNR (RFC 4795) -> the fields of a DnsEvent.
//
// Names are decoded by ./name.ts, which gives dns-packet's results (compression pointers must point
// backwards, so a pointer loop cannot happen, and a name over 254 bytes is refused) without a
// Buffer slice per label; a test checks both agree. The header, the section walk and the record
// data are read here instead of by dns-packet's decode(), because that one
// - allocates arrays as long as the hostile 16-bit section counts before reading anything,
// - decodes every record of a 9 KB mDNS packet where 64 are kept,
// - loses the mDNS QU bit (5.6.1 masks the class after turning it into a string),
// - reads A/AAAA data without checking RDLENGTH.
import { decodeNameText, decoded as nameDecoded } from './name.js';
import type { DnsEvent, DnsQuestion, DnsRecord, Endpoints } from '../../events.js';
import { hexOf, ipv4At, ipv6At, netText } from '../bytes.js';

/** What the payload alone tells; the pipeline adds ports, transport and the mdns/llmnr flags. */
export type DnsFields = Omit<DnsEvent, 'type' | 'ts' | keyof Endpoints | 'mdns' | 'llmnr' | 'transport' | 'src_port' | 'dst_port'>;

export const DNS_LIMITS = {
  /** Questions kept per message. */
  questions: 64,
  /** Answer + authority + additional records kept per message. */
  records: 64,
  /** Characters of a name (the wire allows 253 plus dots). */
  name: 255,
  /** TXT character-strings kept per record, and characters of each. */
  txtStrings: 64,
  txtString: 255,
  /** Characters of DnsRecord.data. */
  data: 1024,
  /** Bytes of an unknown record type shown as hex in data. */
  rawBytes: 64,
} as const;


// RFC 1035 3.2.2, RFC 3596, RFC 2782, RFC 6891, RFC 4034, RFC 9460; others print as TYPEnn (RFC 3597 5).
const TYPE_NAMES: Record<number, string> = {
  1: 'A', 2: 'NS', 5: 'CNAME', 6: 'SOA', 12: 'PTR', 13: 'HINFO', 15: 'MX', 16: 'TXT', 28: 'AAAA',
  33: 'SRV', 35: 'NAPTR', 39: 'DNAME', 41: 'OPT', 43: 'DS', 46: 'RRSIG', 47: 'NSEC', 48: 'DNSKEY',
  50: 'NSEC3', 64: 'SVCB', 65: 'HTTPS', 255: 'ANY', 257: 'CAA',
};

function typeName(t: number): string {
  return TYPE_NAMES[t] ?? `TYPE${t}`;
}

function u16(b: Uint8Array, o: number): number {
  return (b[o] << 8) | b[o + 1];
}


/**
 * Parse a DNS/mDNS/LLMNR message. For TCP (RFC 1035 4.2.2) the payload starts with a 2-byte
 * length; a message longer than this segment is parsed as far as it goes.
 * Null when the header is short or no question/record could be decoded at all.
 * A record that does not fit ends the walk; the records before it are kept.
 */
export function parseDns(payload: Uint8Array, tcp = false): DnsFields | null {
  let msg = payload;
  if (tcp) {
    if (payload.length < 2) return null;
    const len = u16(payload, 0);
    msg = payload.subarray(2, Math.min(payload.length, 2 + len));
  }
  if (msg.length < 12) return null;
  const buf = Buffer.isBuffer(msg) ? msg : Buffer.from(msg.buffer, msg.byteOffset, msg.byteLength);
  const flags = u16(buf, 2);
  const qd = u16(buf, 4);
  const rr = u16(buf, 6) + u16(buf, 8) + u16(buf, 10);
  const f: DnsFields = {
    id: u16(buf, 0),
    response: (flags & 0x8000) !== 0,
    opcode: (flags >> 11) & 0xf,
    rcode: flags & 0xf,
    questions: [],
    answers: [],
  };
  let off = 12;
  let decoded = 0;
  try {
    for (let i = 0; i < qd; i++) {
      const name = decodeNameText(buf, off, DNS_LIMITS.name);
      off += nameDecoded.bytes;
      if (off + 4 > buf.length) throw new RangeError('question past end');
      const klass = u16(buf, off + 2);
      const q: DnsQuestion = { name, type: typeName(u16(buf, off)) };
      // RFC 6762 5.4: the top bit of the question class asks for a unicast response.
      if ((klass & 0x8000) !== 0) q.qu = true;
      off += 4;
      decoded++;
      if (f.questions.length < DNS_LIMITS.questions) f.questions.push(q);
      else return f; // the records follow the questions: past the cap there is no point walking on
    }
    for (let i = 0; i < rr && f.answers.length < DNS_LIMITS.records; i++) {
      const name = decodeNameText(buf, off, DNS_LIMITS.name);
      off += nameDecoded.bytes;
      if (off + 10 > buf.length) throw new RangeError('record header past end');
      const type = u16(buf, off);
      const ttl = ((buf[off + 4] << 24) | (buf[off + 5] << 16) | (buf[off + 6] << 8) | buf[off + 7]) >>> 0;
      const rdlen = u16(buf, off + 8);
      const rd = off + 10;
      const rdEnd = rd + rdlen;
      if (rdEnd > buf.length) throw new RangeError('record data past end');
      off = rdEnd;
      decoded++;
      if (type === 41) continue; // RFC 6891 6.1.2: OPT is a pseudo-record of the transport, not data
      const rec = record(buf, name, type, ttl, rd, rdEnd);
      if (rec !== null) f.answers.push(rec);
    }
  } catch {
    // Malformed or truncated: keep what was decoded before it (bounded above), unless nothing was.
    if (decoded === 0 && qd + rr > 0) return null;
  }
  return f;
}

/** One resource record's data; null when the data does not have the length its type requires. */
function record(buf: Buffer, name: string, type: number, ttl: number, rd: number, rdEnd: number): DnsRecord | null {
  const len = rdEnd - rd;
  const r: DnsRecord = { name, type: typeName(type), ttl, data: '' };
  switch (type) {
    case 1: // A
      if (len !== 4) return null;
      r.data = ipv4At(buf, rd);
      return r;
    case 28: // AAAA
      if (len !== 16) return null;
      r.data = ipv6At(buf, rd);
      return r;
    case 2: case 5: case 12: case 39: // NS, CNAME, PTR, DNAME: a (possibly compressed) name
    {
      const target = boundedName(buf, rd, rdEnd);
      if (target === null) return null;
      r.data = target;
      return r;
    }
    case 33: { // RFC 2782 SRV: priority, weight, port, target
      if (len < 7) return null;
      const target = boundedName(buf, rd + 6, rdEnd);
      if (target === null) return null;
      const srv = { priority: u16(buf, rd), weight: u16(buf, rd + 2), port: u16(buf, rd + 4), target };
      r.srv = srv;
      r.data = `${srv.priority} ${srv.weight} ${srv.port} ${srv.target}`;
      return r;
    }
    case 16: { // RFC 1035 3.3.14 TXT: character-strings; RFC 6763 6: key=value pairs
      const txt: string[] = [];
      let p = rd;
      while (p < rdEnd && txt.length < DNS_LIMITS.txtStrings) {
        const l = buf[p];
        const e = Math.min(p + 1 + l, rdEnd);
        txt.push(netText(buf, p + 1, e, DNS_LIMITS.txtString));
        p = p + 1 + l;
      }
      r.txt = txt;
      r.data = boundData(txt.join(' '));
      return r;
    }
    case 13: { // RFC 1035 3.3.2 HINFO: cpu and os character-strings
      const cpuLen = len > 0 ? buf[rd] : 0;
      const cpu = netText(buf, rd + 1, Math.min(rd + 1 + cpuLen, rdEnd), DNS_LIMITS.txtString);
      const osAt = rd + 1 + cpuLen;
      const os = osAt < rdEnd ? netText(buf, osAt + 1, Math.min(osAt + 1 + buf[osAt], rdEnd), DNS_LIMITS.txtString) : '';
      r.data = `${cpu} ${os}`;
      return r;
    }
    case 15: // MX: preference, exchange
    {
      if (len < 3) return null;
      const exchange = boundedName(buf, rd + 2, rdEnd);
      if (exchange === null) return null;
      r.data = `${u16(buf, rd)} ${exchange}`;
      return r;
    }
    default:
      r.data = hexOf(buf, rd, Math.min(rdEnd, rd + DNS_LIMITS.rawBytes));
      return r;
  }
}

/**
 * A name inside record data: it may point back into the message but must start inside the data.
 * A bad name spoils only its own record (null), not the records after it.
 */
function boundedName(buf: Buffer, at: number, end: number): string | null {
  if (at >= end) return null;
  try {
    return decodeNameText(buf, at, DNS_LIMITS.name);
  } catch {
    return null;
  }
}

function boundData(s: string): string {
  return s.length > DNS_LIMITS.data ? s.slice(0, DNS_LIMITS.data) : s;
}
