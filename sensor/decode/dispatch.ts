// The dispatch table: link type -> link decoder -> EtherType -> network decoder -> transport decoder.
import {
  LINKTYPE_ETHERNET, LINKTYPE_IPV4, LINKTYPE_IPV6, LINKTYPE_LINUX_SLL, LINKTYPE_LINUX_SLL2,
  LINKTYPE_LOOP, LINKTYPE_NULL, LINKTYPE_RAW, LINKTYPE_RAW_ALT12, LINKTYPE_RAW_ALT14,
} from '../capture/frame.js';
import { decodeArp } from './arp.js';
import { decodeEthernet, ETHERTYPE_ARP, ETHERTYPE_IPV4, ETHERTYPE_IPV6 } from './ethernet.js';
import { decodeIcmp } from './icmp.js';
import { decodeIpv4 } from './ipv4.js';
import { decodeIpv6 } from './ipv6.js';
import {
  DECODE_MALFORMED, DECODE_OK, DECODE_UNSUPPORTED, IPPROTO_ICMP, IPPROTO_ICMPV6, IPPROTO_TCP, IPPROTO_UDP,
  type DecodeResult, type Packet,
} from './packet.js';
import { decodeSll, decodeSll2 } from './sll.js';
import { decodeTcp } from './tcp.js';
import { decodeUdp } from './udp.js';

/** Decodes one frame into p (which the caller has reset). Never throws on any input. */
export function decodeFrame(b: Uint8Array, linktype: number, p: Packet): DecodeResult {
  const end = b.length;
  let r: DecodeResult;
  switch (linktype) {
    case LINKTYPE_ETHERNET:
      r = decodeEthernet(b, 0, end, p);
      break;
    case LINKTYPE_LINUX_SLL:
      r = decodeSll(b, 0, end, p);
      break;
    case LINKTYPE_LINUX_SLL2:
      r = decodeSll2(b, 0, end, p);
      break;
    case LINKTYPE_RAW:
    case LINKTYPE_RAW_ALT12:
    case LINKTYPE_RAW_ALT14:
    case LINKTYPE_IPV4:
    case LINKTYPE_IPV6:
      r = rawIp(b, 0, end, p);
      break;
    case LINKTYPE_NULL:
    case LINKTYPE_LOOP:
      // 4-byte address family (host order for NULL, network order for LOOP); the IP version nibble tells.
      if (end < 4) return DECODE_MALFORMED;
      r = rawIp(b, 4, end, p);
      break;
    default:
      return DECODE_UNSUPPORTED;
  }
  if (r !== DECODE_OK) return r;
  return decodeNetwork(b, end, p);
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
