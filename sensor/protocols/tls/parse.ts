// TLS ClientHello parser (RFC 8446 4.1.2): SNI, ALPN and the lists behind JA3 and JA4 -> the fields of a TlsClientHelloEvent.
//
// A hello that does not fit in the bytes given (long post-quantum key shares push Chrome's hello
// past one segment): when the server_name extension was read completely the fields parsed so far
// are returned with ja3, ja3_hash and ja4 set to "" (a fingerprint of a partial hello would be
// wrong, and empty says "not computed"); when SNI was not reached, null. Give the parser the
// first client bytes of the flow concatenated (tlsHelloLength() says how many it needs) to get
// the full fingerprints.
import * as crypto from 'node:crypto';
import type { Endpoints, TlsClientHelloEvent } from '../../events.js';
import { netText } from '../bytes.js';

export type TlsFields = Omit<TlsClientHelloEvent, 'type' | 'ts' | keyof Endpoints | 'src_port' | 'dst_port'>;

export const TLS_LIMITS = {
  /** Entries kept of each list (ciphers, extensions, groups, formats, signature algorithms). */
  list: 256,
  /** ALPN protocol names kept, and characters of each. */
  alpn: 16,
  alpnName: 64,
  /** Characters of the server name (RFC 1035: 253). */
  sni: 255,
  /** Largest handshake reassembled from several records (RFC 8446 5.1 allows fragmenting). */
  handshake: 1 << 16,
} as const;

const RECORD_HANDSHAKE = 22;
const HANDSHAKE_CLIENT_HELLO = 1;

// IANA TLS ExtensionType values used here.
const EXT_SERVER_NAME = 0; // RFC 6066 3
const EXT_SUPPORTED_GROUPS = 10; // RFC 8422 5.1.1
const EXT_EC_POINT_FORMATS = 11; // RFC 8422 5.1.2
const EXT_SIGNATURE_ALGORITHMS = 13; // RFC 8446 4.2.3
const EXT_ALPN = 16; // RFC 7301 3.1
const EXT_SUPPORTED_VERSIONS = 43; // RFC 8446 4.2.1

/** RFC 8701 2: GREASE values are 0x?a?a with both bytes equal. */
export function isGrease(v: number): boolean {
  return (v & 0x0f0f) === 0x0a0a && (v >> 8) === (v & 0xff);
}

/**
 * Bytes needed to hold the whole ClientHello that payload starts with (records included), or null
 * when payload does not start with a TLS handshake record carrying a ClientHello.
 */
export function tlsHelloLength(payload: Uint8Array): number | null {
  const b = payload;
  if (b.length < 9 || b[0] !== RECORD_HANDSHAKE || b[1] !== 3 || b[5] !== HANDSHAKE_CLIENT_HELLO) return null;
  const recLen = (b[3] << 8) | b[4];
  const hsLen = 4 + ((b[6] << 16) | (b[7] << 8) | b[8]);
  if (recLen === 0 || hsLen > TLS_LIMITS.handshake) return null;
  // Each record of a fragmented handshake adds a 5-byte header.
  return hsLen + 5 * Math.ceil(hsLen / recLen);
}

/** The handshake bytes, from one record or reassembled from consecutive handshake records. */
function handshakeBytes(b: Uint8Array): Uint8Array | null {
  const recLen = (b[3] << 8) | b[4];
  if (recLen === 0 || recLen > 18432) return null; // RFC 8446 5.1: at most 2^14 (+ expansion in older versions)
  const hsLen = 4 + ((b[6] << 16) | (b[7] << 8) | b[8]);
  if (hsLen <= recLen || b.length <= 5 + recLen) {
    return b.subarray(5, Math.min(b.length, 5 + Math.min(recLen, hsLen)));
  }
  // RFC 8446 5.1: a handshake message may be split across records of the same type.
  const out = new Uint8Array(Math.min(hsLen, TLS_LIMITS.handshake));
  let n = 0;
  let off = 0;
  while (off + 5 <= b.length && n < out.length) {
    if (b[off] !== RECORD_HANDSHAKE || b[off + 1] !== 3) break;
    const len = (b[off + 3] << 8) | b[off + 4];
    const frag = b.subarray(off + 5, Math.min(b.length, off + 5 + len, off + 5 + out.length - n));
    out.set(frag, n);
    n += frag.length;
    off += 5 + len;
  }
  return out.subarray(0, n);
}

/**
 * Parse a TLS ClientHello at the start of payload (a TCP client's first bytes).
 * Null when it is not a TLS handshake record with a ClientHello (SSLv2-format hellos included),
 * or when the hello is cut before its server_name extension was complete.
 */
export function parseTlsClientHello(payload: Uint8Array): TlsFields | null {
  const b = payload;
  // RFC 8446 5.1: ContentType handshake(22), legacy_record_version 0x03XX, length; then
  // 4.1.2: msg_type client_hello(1), uint24 length.
  if (b.length < 9 || b[0] !== RECORD_HANDSHAKE || b[1] !== 3 || b[2] > 4 || b[5] !== HANDSHAKE_CLIENT_HELLO) return null;
  const hs = handshakeBytes(b);
  if (hs === null) return null;
  return parseClientHelloMessage(hs, 't');
}

/**
 * Parse a ClientHello handshake message (msg_type, uint24 length, body) as carried by TLS records
 * ('t') or QUIC CRYPTO frames ('q', RFC 9001 4). Same truncation policy as parseTlsClientHello.
 */
export function parseClientHelloMessage(hs: Uint8Array, proto: 't' | 'q'): TlsFields | null {
  if (hs.length < 4 || hs[0] !== HANDSHAKE_CLIENT_HELLO) return null;
  const hsEnd = 4 + ((hs[1] << 16) | (hs[2] << 8) | hs[3]);
  const have = Math.min(hs.length, hsEnd);
  const complete = hs.length >= hsEnd;
  let p = 4;
  if (p + 2 + 32 + 1 > have) return null;
  const version = (hs[p] << 8) | hs[p + 1];
  p += 2 + 32; // legacy_version, random
  p += 1 + hs[p]; // legacy_session_id<0..32>
  if (p + 2 > have) return null;
  const cipherLen = (hs[p] << 8) | hs[p + 1];
  p += 2;
  const ciphersEnd = p + cipherLen;
  if (ciphersEnd > have || (cipherLen & 1) !== 0) return null;
  const ciphers = u16List(hs, p, ciphersEnd);
  p = ciphersEnd;
  if (p + 1 > have) return null;
  p += 1 + hs[p]; // legacy_compression_methods<1..2^8-1>

  const f: TlsFields = {
    version, max_version: version, sni: null, alpn: [], ciphers, extensions: [], groups: [], point_formats: [],
    signature_algorithms: [], ja3: '', ja3_hash: '', ja4: '',
  };
  let sniSeen = false;
  let sniComplete = false;
  let alpnFirst: Uint8Array | null = null;
  let supportedVersionsMax = 0;
  // RFC 8446 4.1.2: extensions<8..2^16-1>; a hello without them (old clients) ends here.
  if (p + 2 <= have) {
    const extEnd = Math.min(p + 2 + ((hs[p] << 8) | hs[p + 1]), have);
    p += 2;
    while (p + 4 <= extEnd) {
      const type = (hs[p] << 8) | hs[p + 1];
      const len = (hs[p + 2] << 8) | hs[p + 3];
      const d = p + 4;
      const e = d + len;
      if (e > extEnd) break; // cut by the segment end
      p = e;
      if (isGrease(type)) continue;
      if (f.extensions.length < TLS_LIMITS.list) f.extensions.push(type);
      switch (type) {
        case EXT_SERVER_NAME: {
          sniSeen = true;
          sniComplete = true;
          // RFC 6066 3: ServerNameList of (NameType, HostName<1..2^16-1>); host_name(0) is the only type.
          let q = d + 2;
          const listEnd = Math.min(d + 2 + (len >= 2 ? (hs[d] << 8) | hs[d + 1] : 0), e);
          while (q + 3 <= listEnd && f.sni === null) {
            const nameLen = (hs[q + 1] << 8) | hs[q + 2];
            if (q + 3 + nameLen > listEnd) break;
            if (hs[q] === 0) f.sni = netText(hs, q + 3, q + 3 + nameLen, TLS_LIMITS.sni);
            q += 3 + nameLen;
          }
          break;
        }
        case EXT_ALPN: {
          // RFC 7301 3.1: ProtocolNameList of ProtocolName<1..2^8-1>.
          let q = d + 2;
          const listEnd = Math.min(d + 2 + (len >= 2 ? (hs[d] << 8) | hs[d + 1] : 0), e);
          while (q < listEnd) {
            const l = hs[q];
            if (q + 1 + l > listEnd) break;
            if (alpnFirst === null) alpnFirst = hs.subarray(q + 1, q + 1 + l);
            if (f.alpn.length < TLS_LIMITS.alpn) f.alpn.push(netText(hs, q + 1, q + 1 + l, TLS_LIMITS.alpnName));
            q += 1 + l;
          }
          break;
        }
        case EXT_SUPPORTED_GROUPS:
          if (len >= 2) f.groups = u16List(hs, d + 2, Math.min(d + 2 + ((hs[d] << 8) | hs[d + 1]), e));
          break;
        case EXT_EC_POINT_FORMATS:
          if (len >= 1) {
            const end = Math.min(d + 1 + hs[d], e);
            for (let q = d + 1; q < end && f.point_formats.length < TLS_LIMITS.list; q++) f.point_formats.push(hs[q]);
          }
          break;
        case EXT_SIGNATURE_ALGORITHMS:
          if (len >= 2) f.signature_algorithms = u16List(hs, d + 2, Math.min(d + 2 + ((hs[d] << 8) | hs[d + 1]), e));
          break;
        case EXT_SUPPORTED_VERSIONS:
          // RFC 8446 4.2.1: in a ClientHello, versions<2..254> with a 1-byte length.
          if (len >= 1) {
            for (const v of u16List(hs, d + 1, Math.min(d + 1 + hs[d], e))) if (v > supportedVersionsMax) supportedVersionsMax = v;
          }
          break;
        default:
          break;
      }
    }
  }
  if (supportedVersionsMax > 0) f.max_version = supportedVersionsMax;
  if (!complete) return sniComplete ? f : null;
  f.ja3 = `${version},${f.ciphers.join('-')},${f.extensions.join('-')},${f.groups.join('-')},${f.point_formats.join('-')}`;
  // A device sends the same hello again and again: the digests are remembered by everything they
  // are computed from (JA3 string, JA4's extra inputs), in a small table emptied when full.
  const alpnKey = alpnFirst === null ? '' : alpnFirst.length === 0 ? '-' : `${alpnFirst[0]}.${alpnFirst[alpnFirst.length - 1]}`;
  const key = `${proto}${sniSeen ? 1 : 0}${f.max_version}|${alpnKey}|${f.signature_algorithms.join('-')}|${f.ja3}`;
  let known = fingerprintMemo.get(key);
  if (known === undefined) {
    known = [digestHex('md5', f.ja3), ja4(proto, f, sniSeen, alpnFirst)];
    if (fingerprintMemo.size >= FINGERPRINT_MEMO_MAX) fingerprintMemo.clear();
    fingerprintMemo.set(key, known);
  }
  f.ja3_hash = known[0];
  f.ja4 = known[1];
  return f;
}

const FINGERPRINT_MEMO_MAX = 512;
const fingerprintMemo = new Map<string, [string, string]>();

/** Big-endian 16-bit values of [start, end) without GREASE, at most TLS_LIMITS.list. */
function u16List(b: Uint8Array, start: number, end: number): number[] {
  const out: number[] = [];
  for (let q = start; q + 2 <= end && out.length < TLS_LIMITS.list; q += 2) {
    const v = (b[q] << 8) | b[q + 1];
    if (!isGrease(v)) out.push(v);
  }
  return out;
}

// FoxIO JA4 spec, "TLS and DTLS Version".
const JA4_VERSIONS: Record<number, string> = {
  0x0304: '13', 0x0303: '12', 0x0302: '11', 0x0301: '10', 0x0300: 's3', 0x0002: 's2',
  0xfeff: 'd1', 0xfefd: 'd2', 0xfefc: 'd3',
};

const HEX = '0123456789abcdef';

function hex4(v: number): string {
  return HEX[(v >> 12) & 15] + HEX[(v >> 8) & 15] + HEX[(v >> 4) & 15] + HEX[v & 15];
}

function isAlnum(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

// crypto.hash (Node >= 20.12) is a one-shot digest about twice as fast as createHash for short input.
const oneShot = (crypto as { hash?: (alg: string, data: string, enc: 'hex') => string }).hash;

function digestHex(alg: 'md5' | 'sha256', s: string): string {
  return oneShot !== undefined ? oneShot(alg, s, 'hex') : crypto.createHash(alg).update(s).digest('hex');
}

function hash12(s: string): string {
  return s.length === 0 ? '000000000000' : digestHex('sha256', s).slice(0, 12);
}

/** JA4 (FoxIO, technical_details/JA4.md): a_b_c from a parsed hello (GREASE already removed). */
export function ja4(proto: 't' | 'q' | 'd', f: TlsFields, sni: boolean, alpnFirst: Uint8Array | null): string {
  const count = (n: number): string => (n > 99 ? '99' : n < 10 ? `0${n}` : `${n}`);
  let alpn = '00';
  if (alpnFirst !== null && alpnFirst.length > 0) {
    const first = alpnFirst[0];
    const last = alpnFirst[alpnFirst.length - 1];
    // Non-alphanumeric first or last byte: first and last characters of the value's hex instead.
    alpn = isAlnum(first) && isAlnum(last)
      ? String.fromCharCode(first, last)
      : HEX[first >> 4] + HEX[last & 15];
  }
  const a = `${proto}${JA4_VERSIONS[f.max_version] ?? '00'}${sni ? 'd' : 'i'}${count(f.ciphers.length)}${count(f.extensions.length)}${alpn}`;
  const b = hash12(f.ciphers.map(hex4).sort().join(','));
  const exts = f.extensions.filter((e) => e !== EXT_SERVER_NAME && e !== EXT_ALPN).map(hex4).sort().join(',');
  let c = '000000000000';
  if (exts.length > 0) {
    c = hash12(f.signature_algorithms.length > 0 ? `${exts}_${f.signature_algorithms.map(hex4).join(',')}` : exts);
  }
  return `${a}_${b}_${c}`;
}
