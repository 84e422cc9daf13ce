// The TLS room: a flow whose first client bytes are a TLS handshake record gives one tls_client_hello
// event, the ClientHello joined over the first segments when it spans several (post-quantum key shares).
import type { RoomDescriptor, RoomHost, TcpHandler } from '../room.js';
import { parseTlsClientHello, tlsHelloLength, type TlsFields } from './parse.js';

/** ClientHellos split over TCP segments are joined up to this size, over this many client segments, for this many flows at once. */
export const TLS_REASSEMBLY_MAX = 16384;
export const TLS_SEGMENTS = 4;
export const TLS_PENDING_FLOWS = 256;

class TlsHandler implements TcpHandler {
  /** First client bytes of flows whose ClientHello spans several segments (Chrome's post-quantum hellos do). */
  private readonly pending = new Map<number, Uint8Array>();
  /** Hellos parsed without joining because TLS_PENDING_FLOWS flows were already pending. */
  dropped = 0;
  constructor(private readonly h: RoomHost) {}

  segment(f: number, payload: Uint8Array, fromClient: boolean, segs: number): boolean {
    if (!fromClient) return this.pending.has(f);
    const first = this.pending.get(f);
    if (first === undefined) {
      if (segs !== 1) return false;
      const need = tlsHelloLength(payload);
      if (need !== null && need > payload.length && need <= TLS_REASSEMBLY_MAX) {
        if (this.pending.size < TLS_PENDING_FLOWS) {
          this.pending.set(f, payload.slice());
          return true;
        }
        this.dropped++;
      }
      this.hello(payload);
      return false;
    }
    const joined = new Uint8Array(Math.min(first.length + payload.length, TLS_REASSEMBLY_MAX));
    joined.set(first);
    joined.set(payload.subarray(0, joined.length - first.length), first.length);
    const need = tlsHelloLength(joined) ?? joined.length;
    if (joined.length >= need || segs >= TLS_SEGMENTS || joined.length >= TLS_REASSEMBLY_MAX) {
      this.pending.delete(f);
      this.hello(joined);
      return false;
    }
    this.pending.set(f, joined);
    return true;
  }

  end(f: number): void {
    this.pending.delete(f);
  }

  held(): number {
    return this.pending.size;
  }

  private hello(bytes: Uint8Array): void {
    const h = this.h;
    const t = parseTlsClientHello(bytes);
    if (!t) { h.unparsed(); return; }
    emitHello(h, t);
  }
}

/**
 * The tls_client_hello event of a hello from the packet at hand: TLS over TCP here, QUIC Initials in the
 * quic room. An object literal with every field named (one shape per event type; a spread costs ~10x).
 */
export function emitHello(h: RoomHost, t: TlsFields): void {
  const p = h.p;
  h.emit({
    type: 'tls_client_hello', ts: p.ts, src_mac: h.srcMac(), dst_mac: h.dstMac(), src_ip: h.ipSrc(), dst_ip: h.ipDst(),
    direction: h.direction(), src_port: p.srcPort, dst_port: p.dstPort,
    version: t.version, max_version: t.max_version, sni: t.sni, alpn: t.alpn, ciphers: t.ciphers, extensions: t.extensions,
    groups: t.groups, point_formats: t.point_formats, signature_algorithms: t.signature_algorithms,
    ja3: t.ja3, ja3_hash: t.ja3_hash, ja4: t.ja4,
  });
}

export const tlsRoom: RoomDescriptor = {
  name: 'tls',
  events: ['tls_client_hello'],
  tcp: {
    // RFC 8446 5.1: a handshake record (content type 22) with legacy version 3.x; any port.
    sniff: (b, fromClient) => fromClient && b.length > 5 && b[0] === 0x16 && b[1] === 3,
    firstSpeaker: 'client',
    create: (h: RoomHost): TcpHandler => new TlsHandler(h),
  },
};
