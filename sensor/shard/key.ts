// Which shard a frame belongs to: the home device whose traffic it is (issue #15, worker threads).
//
// Each shard runs its own pipeline, inventory and rule engine, so everything that keeps state per
// flow or per device must see all of that flow's and that device's packets. The key is therefore
// symmetric (a packet and its reply give the same key) and names the device the traffic is about:
//
// - a frame to a group MAC (broadcast, multicast: ARP requests, DHCP, mDNS, SSDP) is its sender's;
// - ARP is its sender's (the owner of the address it announces);
// - traffic between the home and the internet is the home side's: the source MAC when the source
//   address is local, the destination MAC when the destination is;
// - DHCP (UDP 67/68) is the client's, read from the BOOTP chaddr (RFC 2131 2): a server's broadcast
//   OFFER or ACK is about the client, not the router that sends it (and is copied to the server's);
// - traffic inside the home is the client's: the side with the higher port (the ephemeral one, RFC
//   6335 6); the lower MAC when the ports say nothing (equal, fragments, no transport). It is also
//   copied to the other side's shard (`copyTo`), which sees it as a copy (not counted again): a NAS or
//   a coffee machine is known by what it serves, and its own shard must see that;
// - anything else (transit between two outside addresses) by the lower MAC; frames of another link
//   type (no MAC) all go to the first shard.
//
// So the shard a MAC hashes to (its owner) sees every frame the device sends or receives, and what
// it concludes about that device stands as a single thread's would (merge.ts relies on this). IPv6
// prefixes are learnt from router advertisements here as the pipeline learns them, so a device's
// global IPv6 traffic is its own and not the router's.
//
// Only the headers needed for that are read, bounds-checked: this runs for every frame on the
// thread that reads the capture, which must stay far faster than the shards behind it.
import { LINKTYPE_ETHERNET } from '../capture/frame.js';
import type { LocalNets } from '../addr.js';
import { parseNdp } from '../decode/ndp.js';

const ETH_IPV4 = 0x0800;
const ETH_IPV6 = 0x86dd;
const ETH_ARP = 0x0806;
const ETH_VLAN = 0x8100;
const ETH_QINQ = 0x88a8;
const ETH_QINQ_OLD = 0x9100;
const TCP = 6;
const UDP = 17;
const ICMPV6 = 58;
const ND_ROUTER_ADVERT = 134;

/** The second owner of the last frame ownerHash looked at (a copy goes there), or -1: none. */
export const copyTo = { hash: -1 };

/**
 * A 32-bit hash of the frame's owner (a MAC, or an address when there is no link layer); 0 for frames
 * that name none (too short, another link type). shardOf() maps it to a shard.
 */
export function ownerHash(b: Uint8Array, off: number, end: number, linktype: number, local: LocalNets, learn6 = true): number {
  copyTo.hash = -1;
  if (linktype !== LINKTYPE_ETHERNET) return 0;
  if (end - off < 14 || end > b.length) return 0;
  const dstHi = (b[off] << 8) | b[off + 1];
  const dstLo = ((b[off + 2] << 24) | (b[off + 3] << 16) | (b[off + 4] << 8) | b[off + 5]) >>> 0;
  const srcHi = (b[off + 6] << 8) | b[off + 7];
  const srcLo = ((b[off + 8] << 24) | (b[off + 9] << 16) | (b[off + 10] << 8) | b[off + 11]) >>> 0;
  const src = macHash(srcHi, srcLo);
  // The group bit (the first octet's lowest bit): a broadcast or multicast frame is its sender's (but
  // for DHCP, below), and no copy goes anywhere.
  const group = (dstHi & 0x0100) !== 0;
  const dst = group ? src : macHash(dstHi, dstLo);
  const lower = group ? src : srcHi < dstHi || (srcHi === dstHi && srcLo < dstLo) ? src : dst;
  // Unicast between two MACs that the rules below cannot tell apart: the lower one's, copied to the other.
  if (!group) copyTo.hash = lower === src ? dst : src;
  let o = off + 12;
  let type = (b[o] << 8) | b[o + 1];
  o += 2;
  for (let tags = 0; (type === ETH_VLAN || type === ETH_QINQ || type === ETH_QINQ_OLD) && tags < 2; tags++) {
    if (o + 4 > end) return lower;
    type = (b[o + 2] << 8) | b[o + 3];
    o += 4;
  }
  if (type === ETH_ARP) { copyTo.hash = -1; return src; }
  let srcLocal: boolean;
  let dstLocal: boolean;
  let proto = -1;
  let l4 = -1;
  if (type === ETH_IPV4) {
    if (o + 20 > end || b[o] >> 4 !== 4) return lower;
    const ihl = (b[o] & 15) * 4;
    const srcIp = ((b[o + 12] << 24) | (b[o + 13] << 16) | (b[o + 14] << 8) | b[o + 15]) >>> 0;
    const dstIp = ((b[o + 16] << 24) | (b[o + 17] << 16) | (b[o + 18] << 8) | b[o + 19]) >>> 0;
    srcLocal = local.isLocal4(srcIp);
    dstLocal = local.isLocal4(dstIp);
    // A fragment other than an unfragmented datagram: no ports for the whole datagram (MF or offset set).
    if ((((b[o + 6] << 8) | b[o + 7]) & 0x3fff) === 0 && ihl >= 20) {
      proto = b[o + 9];
      l4 = o + ihl;
    }
  } else if (type === ETH_IPV6) {
    if (o + 40 > end || b[o] >> 4 !== 6) return lower;
    proto = b[o + 6];
    l4 = o + 40;
    // RFC 4861 6.3.4: the advertised prefixes are the home's (as Pipeline.ndp learns them).
    if (learn6 && proto === ICMPV6 && l4 < end && b[l4] === ND_ROUTER_ADVERT) {
      const n = parseNdp(b, l4, end);
      if (n) for (const pre of n.prefixes) local.learn6(b, pre.off, pre.bits);
    }
    srcLocal = local.isLocal6(b, o + 8);
    dstLocal = local.isLocal6(b, o + 24);
  } else {
    return lower;
  }
  if (proto !== TCP && proto !== UDP || l4 + 4 > end) return srcLocal !== dstLocal && !group ? homeSide(srcLocal, src, dst) : lower;
  const sport = (b[l4] << 8) | b[l4 + 1];
  const dport = (b[l4 + 2] << 8) | b[l4 + 3];
  if (proto === UDP && (sport === 67 || sport === 68) && (dport === 67 || dport === 68)) {
    // BOOTP: chaddr at 28 of the UDP payload (8 bytes of UDP header first).
    const c = l4 + 8 + 28;
    if (c + 6 <= end) {
      // A server's reply is also the server's: copied to its shard (the router is known by serving DHCP).
      const client = macHash((b[c] << 8) | b[c + 1], ((b[c + 2] << 24) | (b[c + 3] << 16) | (b[c + 4] << 8) | b[c + 5]) >>> 0);
      copyTo.hash = client === src ? -1 : src;
      return client;
    }
    return lower;
  }
  if (group) return src;
  if (srcLocal !== dstLocal) return homeSide(srcLocal, src, dst);
  if (!srcLocal || sport === dport) return lower;
  const client = sport > dport ? src : dst;
  copyTo.hash = client === src ? dst : src;
  return client;
}

/** Between the home and the internet: the home side's, no copy (the router's shard would get all). */
function homeSide(srcLocal: boolean, src: number, dst: number): number {
  copyTo.hash = -1;
  return srcLocal ? src : dst;
}

/** A MAC (16 + 32 bits) as a well-mixed 32-bit number (murmur3's finaliser). */
function macHash(hi: number, lo: number): number {
  let h = Math.imul(lo ^ Math.imul(hi, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The shard of an owner hash among n. */
export function shardOf(hash: number, n: number): number {
  return hash % n;
}

/** ownerHash's hash of a MAC written as text ("aa:bb:cc:dd:ee:ff"); 0 for anything else. */
export function macHashOf(mac: string): number {
  const m = /^([0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2})$/i.exec(mac);
  if (!m) return 0;
  const o = m.slice(1).map((x) => parseInt(x, 16));
  return macHash((o[0] << 8) | o[1], ((o[2] << 24) | (o[3] << 16) | (o[4] << 8) | o[5]) >>> 0);
}
