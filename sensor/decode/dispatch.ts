// The dispatch table: link type -> link decoder -> EtherType -> network decoder -> transport decoder,
// and again from the encapsulated frame when the packet is a tunnel (tunnel.ts).
import {
  LINKTYPE_ETHERNET, LINKTYPE_IPV4, LINKTYPE_IPV6, LINKTYPE_LINUX_SLL, LINKTYPE_LINUX_SLL2,
  LINKTYPE_LOOP, LINKTYPE_NULL, LINKTYPE_RAW, LINKTYPE_RAW_ALT12, LINKTYPE_RAW_ALT14,
} from '../capture/frame.js';
import { decodeArp } from './arp.js';
import { decodeEthernet, ETHERTYPE_ARP, ETHERTYPE_IPV4, ETHERTYPE_IPV6, ETHERTYPE_TEB } from './ethernet.js';
import { decodeIcmp } from './icmp.js';
import { decodeIpv4 } from './ipv4.js';
import { decodeIpv6 } from './ipv6.js';
import {
  DECODE_MALFORMED, DECODE_OK, DECODE_UNSUPPORTED, IPPROTO_ICMP, IPPROTO_ICMPV6, IPPROTO_TCP, IPPROTO_UDP,
  type DecodeResult, type Packet,
} from './packet.js';
import { decodeSll, decodeSll2 } from './sll.js';
import { decodeTcp } from './tcp.js';
import { MAX_TUNNEL_DEPTH, tunnelPayload, type KeepWrapped } from './tunnel.js';
import { decodeUdp } from './udp.js';

/**
 * Decodes one frame, the whole of b, into p (which the caller has reset). Never throws on any input.
 * Tunnels (GRE, ERSPAN, VXLAN, IP-in-IP) are unwrapped up to maxDepth encapsulations, so p describes
 * the innermost packet, unless keepWrapped says to keep a tunnel's carrier as the packet.
 */
export function decodeFrame(
  b: Uint8Array, linktype: number, p: Packet, keepWrapped: KeepWrapped | null = null, maxDepth = MAX_TUNNEL_DEPTH,
): DecodeResult {
  return decodeFrameAt(b, 0, b.length, linktype, p, keepWrapped, maxDepth);
}

/**
 * Decodes the frame b[start .. end) (one frame of a FrameBatch's buffer) into p, as decodeFrame.
 * Every offset p gets is into b, and no layer reads past end: the next frame follows it in b.
 */
export function decodeFrameAt(
  b: Uint8Array, start: number, end: number, linktype: number, p: Packet, keepWrapped: KeepWrapped | null = null, maxDepth = MAX_TUNNEL_DEPTH,
): DecodeResult {
  let r: DecodeResult;
  switch (linktype) {
    case LINKTYPE_ETHERNET:
      r = decodeEthernet(b, start, end, p);
      break;
    case LINKTYPE_LINUX_SLL:
      r = decodeSll(b, start, end, p);
      break;
    case LINKTYPE_LINUX_SLL2:
      r = decodeSll2(b, start, end, p);
      break;
    case LINKTYPE_RAW:
    case LINKTYPE_RAW_ALT12:
    case LINKTYPE_RAW_ALT14:
    case LINKTYPE_IPV4:
    case LINKTYPE_IPV6:
      r = rawIp(b, start, end, p);
      break;
    case LINKTYPE_NULL:
    case LINKTYPE_LOOP:
      // 4-byte address family (host order for NULL, network order for LOOP); the IP version nibble tells.
      if (end - start < 4) return DECODE_MALFORMED;
      r = rawIp(b, start + 4, end, p);
      break;
    default:
      return DECODE_UNSUPPORTED;
  }
  if (r !== DECODE_OK) return r;
  r = decodeNetwork(b, end, p);
  // TCP, most of any capture, is never a tunnel: skip the look.
  if (r !== DECODE_OK || p.ipProto === IPPROTO_TCP) return r;
  const inner = tunnelPayload(b, p);
  return inner === 0 ? DECODE_OK : unwrap(b, p, inner, keepWrapped, maxDepth);
}

/** Decodes encapsulated frames until one is no tunnel, the filter keeps one, or maxDepth is reached. */
function unwrap(b: Uint8Array, p: Packet, inner: number, keepWrapped: KeepWrapped | null, maxDepth: number): DecodeResult {
  while (inner !== 0) {
    if (keepWrapped !== null && keepWrapped(p)) return DECODE_OK;
    if (p.tunnelDepth >= maxDepth) {
      // Counted, not decoded further: the packet stays the deepest tunnel decoded (no recursion, no crash).
      p.tunnelTooDeep = true;
      return DECODE_OK;
    }
    const off = p.innerOff;
    const end = p.innerEnd;
    const depth = p.tunnelDepth + 1;
    const kinds = p.tunnelKinds | p.innerKind;
    const outerL3Off = depth === 1 ? p.l3Off : p.outerL3Off;
    p.reset();
    p.tunnelDepth = depth;
    p.tunnelKinds = kinds;
    p.outerL3Off = outerL3Off;
    let r: DecodeResult;
    if (inner === ETHERTYPE_TEB) {
      r = decodeEthernet(b, off, end, p);
    } else {
      // A bare IP packet (GRE 0x0800/0x86DD, PPP, ERSPAN III FT=2, IP-in-IP): no link layer, so no MACs.
      p.etherType = inner;
      p.l3Off = off;
      r = DECODE_OK;
    }
    if (r !== DECODE_OK) return r;
    r = decodeNetwork(b, end, p);
    if (r !== DECODE_OK) return r;
    inner = tunnelPayload(b, p);
  }
  return DECODE_OK;
}

function rawIp(b: Uint8Array, off: number, end: number, p: Packet): DecodeResult {
  if (end - off < 1) return DECODE_MALFORMED;
  const v = b[off] >> 4;
  if (v === 4) p.etherType = ETHERTYPE_IPV4;
  else if (v === 6) p.etherType = ETHERTYPE_IPV6;
  else return DECODE_MALFORMED;
  p.l3Off = off;
  return DECODE_OK;
}

function decodeNetwork(b: Uint8Array, end: number, p: Packet): DecodeResult {
  let r: DecodeResult;
  switch (p.etherType) {
    case ETHERTYPE_IPV4:
      r = decodeIpv4(b, p.l3Off, end, p);
      break;
    case ETHERTYPE_IPV6:
      r = decodeIpv6(b, p.l3Off, end, p);
      break;
    case ETHERTYPE_ARP:
      return decodeArp(b, p.l3Off, end, p);
    default:
      return DECODE_UNSUPPORTED;
  }
  if (r !== DECODE_OK || p.l4Off < 0) return r;
  switch (p.ipProto) {
    case IPPROTO_TCP:
      return decodeTcp(b, p.l4Off, p.l4End, p);
    case IPPROTO_UDP:
      return decodeUdp(b, p.l4Off, p.l4End, p);
    case IPPROTO_ICMP:
    case IPPROTO_ICMPV6:
      return decodeIcmp(b, p.l4Off, p.l4End, p);
    default:
      return DECODE_OK;
  }
}
