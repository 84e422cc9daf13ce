// QUIC Initial packet reader (RFC 9000 17.2.2, RFC 9001 5): removes Initial protection and parses the ClientHello in its CRYPTO frames.
//
// Initial packets are encrypted with keys every observer can derive from the Destination
// Connection ID (RFC 9001 5.2), so the SNI and the JA4 ("q...") of HTTP/3 clients (Chromecast,
// Android, YouTube apps) are as visible as over TCP. Only the first packet of a datagram is read.
// A ClientHello spread over several Initial packets (common since post-quantum key shares) is
// handled like a TCP hello cut by the segment end: fields without fingerprints when SNI is in
// this packet, else null.
import * as crypto from 'node:crypto';
import { parseClientHelloMessage, type TlsFields } from '../tls/parse.js';

/** Largest CRYPTO stream prefix reassembled from one packet. */
export const QUIC_MAX_CRYPTO = 4096;

interface VersionKeys {
  salt: Buffer;
  /** HKDF labels of key, iv and header-protection key. */
  labels: [string, string, string];
  /** Long-header packet type of Initial packets. */
  initialType: number;
}

const V1_LABELS: [string, string, string] = ['quic key', 'quic iv', 'quic hp'];
// RFC 9001 5.2 (v1), RFC 9369 3.3.1 (v2), draft-ietf-quic-tls-29 and -23 salts (still seen in captures).
const V1: VersionKeys = { salt: Buffer.from('38762cf7f55934b34d179ae6a4c80cadccbb7f0a', 'hex'), labels: V1_LABELS, initialType: 0 };
const V2: VersionKeys = {
  salt: Buffer.from('0dede3def700a6db819381be6e269dcbf9bd2ed9', 'hex'),
  labels: ['quicv2 key', 'quicv2 iv', 'quicv2 hp'],
  initialType: 1, // RFC 9369 3.2
};
const DRAFT29: VersionKeys = { salt: Buffer.from('afbfec289993d24c9e9786f19c6111e04390a899', 'hex'), labels: V1_LABELS, initialType: 0 };
const DRAFT23: VersionKeys = { salt: Buffer.from('c3eef712c72ebb5a11a7d2432bb46365bef9f502', 'hex'), labels: V1_LABELS, initialType: 0 };

function versionKeys(v: number): VersionKeys | null {
  if (v === 0x00000001) return V1;
  if (v === 0x6b3343cf) return V2;
  if (v >= 0xff00001d && v <= 0xff000022) return DRAFT29;
  if (v >= 0xff000017 && v <= 0xff00001c) return DRAFT23;
  return null;
}

/** RFC 9000 16: variable-length integer at off; [value, length] or null past end. */
function varint(b: Uint8Array, off: number): [number, number] | null {
  if (off >= b.length) return null;
  const len = 1 << (b[off] >> 6);
  if (off + len > b.length) return null;
  let v = b[off] & 0x3f;
  for (let i = 1; i < len; i++) v = v * 256 + b[off + i];
  return [v, len];
}

/** RFC 8446 7.1 HKDF-Expand-Label with an empty context, for outputs up to one SHA-256 block. */
function expandLabel(secret: Buffer, label: string, length: number): Buffer {
  const full = Buffer.from(`tls13 ${label}`, 'latin1');
  const info = Buffer.concat([Buffer.from([0, length, full.length]), full, Buffer.from([0])]);
  // RFC 5869 2.3: T(1) = HMAC(PRK, info | 0x01); length <= 32 needs only T(1).
  return crypto.createHmac('sha256', secret).update(info).update(Buffer.from([1])).digest().subarray(0, length);
}

/** RFC 9001 5.2: client Initial key, IV and header-protection key for a Destination Connection ID. */
export function clientInitialKeys(version: number, dcid: Uint8Array): { key: Buffer; iv: Buffer; hp: Buffer } | null {
  const k = versionKeys(version);
  if (k === null) return null;
  // initial_secret = HKDF-Extract(salt, DCID); client_initial_secret = HKDF-Expand-Label(., "client in", "", 32)
  const initialSecret = crypto.createHmac('sha256', k.salt).update(dcid).digest();
  const clientSecret = expandLabel(initialSecret, 'client in', 32);
  return {
    key: expandLabel(clientSecret, k.labels[0], 16),
    iv: expandLabel(clientSecret, k.labels[1], 12),
    hp: expandLabel(clientSecret, k.labels[2], 16),
  };
}

/**
 * Parse the ClientHello of a client's QUIC Initial packet (UDP datagram to port 443).
 * Null for anything else: short-header packets, other packet types or versions, server Initials
 * (they do not decrypt with client keys), or a hello whose SNI is not in this packet.
 */
export function parseQuicInitial(payload: Uint8Array): TlsFields | null {
  const b = payload;
  // RFC 9000 17.2: long header (1), fixed bit (1); RFC 9000 14.1: client Initials are >= 1200 bytes.
  if (b.length < 1200 || (b[0] & 0xc0) !== 0xc0) return null;
  const version = ((b[1] << 24) | (b[2] << 16) | (b[3] << 8) | b[4]) >>> 0;
  const keys = versionKeys(version);
  if (keys === null || ((b[0] >> 4) & 3) !== keys.initialType) return null;
  let p = 5;
  const dcidLen = b[p];
  if (dcidLen > 20 || p + 1 + dcidLen >= b.length) return null;
  const dcid = b.subarray(p + 1, p + 1 + dcidLen);
  p += 1 + dcidLen;
  const scidLen = b[p];
  if (scidLen > 20) return null;
  p += 1 + scidLen;
  const token = varint(b, p);
  if (token === null) return null;
  p += token[1] + token[0];
  const length = varint(b, p);
  if (length === null) return null;
  p += length[1];
  const pnOffset = p;
  const end = pnOffset + length[0];
  // RFC 9001 5.4.2: the header-protection sample starts 4 bytes after the packet number.
  if (end > b.length || pnOffset + 4 + 16 > end) return null;

  const secrets = clientInitialKeys(version, dcid);
  if (secrets === null) return null;
  const { key, iv, hp } = secrets;

  // RFC 9001 5.4.3: mask = AES-ECB(hp, sample); long headers protect the low 4 bits of byte 0.
  const ecb = crypto.createCipheriv('aes-128-ecb', hp, null);
  const mask = ecb.update(b.subarray(pnOffset + 4, pnOffset + 20));
  const first = b[0] ^ (mask[0] & 0x0f);
  const pnLen = (first & 3) + 1;
  const header = Buffer.from(b.subarray(0, pnOffset + pnLen)); // a copy: the payload stays untouched
  header[0] = first;
  let pn = 0;
  for (let i = 0; i < pnLen; i++) {
    header[pnOffset + i] ^= mask[1 + i];
    pn = pn * 256 + header[pnOffset + i];
  }
  // RFC 9001 5.3: nonce = iv XOR packet number (left-padded); AAD = the unprotected header.
  const nonce = Buffer.from(iv);
  for (let i = 0; i < 4; i++) nonce[11 - i] ^= (pn >>> (8 * i)) & 0xff;
  const body = b.subarray(pnOffset + pnLen, end);
  if (body.length <= 16) return null;
  let plain: Buffer;
  try {
    const gcm = crypto.createDecipheriv('aes-128-gcm', key, nonce);
    gcm.setAAD(header);
    gcm.setAuthTag(body.subarray(body.length - 16));
    plain = Buffer.concat([gcm.update(body.subarray(0, body.length - 16)), gcm.final()]);
  } catch {
    return null; // authentication failed: not a client Initial for this DCID (e.g. a server's)
  }
  const hello = quicCryptoPrefix(plain);
  return hello === null ? null : parseClientHelloMessage(hello, 'q');
}

/**
 * The contiguous start of the CRYPTO stream in a decrypted Initial payload (RFC 9000 19.6):
 * CRYPTO frames may come in any order, between PADDING, PING and ACK frames.
 */
export function quicCryptoPrefix(plain: Uint8Array): Uint8Array | null {
  const stream = new Uint8Array(QUIC_MAX_CRYPTO);
  const have = new Uint8Array(QUIC_MAX_CRYPTO); // 1 where stream bytes arrived
  let p = 0;
  let any = false;
  while (p < plain.length) {
    const type = plain[p];
    if (type === 0x00 || type === 0x01) { p++; continue; } // PADDING, PING
    if (type === 0x02 || type === 0x03) { // ACK (RFC 9000 19.3): skip its fields
      p++;
      const f: number[] = [];
      for (let i = 0; i < 4; i++) {
        const v = varint(plain, p);
        if (v === null) return any ? prefix(stream, have) : null;
        f.push(v[0]);
        p += v[1];
      }
      const ranges = f[2];
      if (ranges > 256) return any ? prefix(stream, have) : null;
      for (let i = 0; i < 2 * ranges + (type === 0x03 ? 3 : 0); i++) {
        const v = varint(plain, p);
        if (v === null) return any ? prefix(stream, have) : null;
        p += v[1];
      }
      continue;
    }
    if (type !== 0x06) break; // anything else ends the walk (CONNECTION_CLOSE, unknown)
    const off = varint(plain, p + 1);
    if (off === null) break;
    const len = varint(plain, p + 1 + off[1]);
    if (len === null) break;
    const d = p + 1 + off[1] + len[1];
    if (d + len[0] > plain.length) break;
    const from = off[0];
    const to = Math.min(from + len[0], QUIC_MAX_CRYPTO);
    if (from < QUIC_MAX_CRYPTO) {
      stream.set(plain.subarray(d, d + (to - from)), from);
      have.fill(1, from, to);
      any = true;
    }
    p = d + len[0];
  }
  return any ? prefix(stream, have) : null;
}

function prefix(stream: Uint8Array, have: Uint8Array): Uint8Array | null {
  let n = 0;
  while (n < have.length && have[n] === 1) n++;
  return n === 0 ? null : stream.subarray(0, n);
}
