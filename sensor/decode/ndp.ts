// IPv6 Neighbor Discovery (RFC 4861 4.1-4.4): target address and link-layer address options.
// Called only for ICMPv6 types 133-136, so it may allocate its small result.

export interface NdpFields {
  kind: 'router_solicit' | 'router_advert' | 'neighbor_solicit' | 'neighbor_advert';
  /** Offset of the target address (NS/NA), or -1. */
  targetOff: number;
  /** Source (1) or target (2) link-layer address option value as a 48-bit integer, or -1. */
  lladdr: number;
  /** NA router flag, or true for RA. */
  router: boolean;
  /** RA Prefix Information options (RFC 4861 4.6.2) with the on-link or autonomous flag: offset of the
   *  16-byte prefix and its length in bits. The home's global IPv6 prefixes come from here. */
  prefixes: { off: number; bits: number }[];
}

const KINDS = ['router_solicit', 'router_advert', 'neighbor_solicit', 'neighbor_advert'] as const;

/** `off` points at the ICMPv6 header. Returns null if malformed or not NDP. */
export function parseNdp(b: Uint8Array, off: number, end: number): NdpFields | null {
  if (end - off < 8) return null;
  const type = b[off];
  if (type < 133 || type > 136) return null;
  const kind = KINDS[type - 133];
  // Fixed part: RS 8, RA 16, NS 24, NA 24 bytes (including the 4-byte ICMPv6 header).
  const fixed = type === 133 ? 8 : type === 134 ? 16 : 24;
  if (end - off < fixed) return null;
  const targetOff = type >= 135 ? off + 8 : -1;
  const router = type === 134 || (type === 136 && (b[off + 4] & 0x80) !== 0);
  let lladdr = -1;
  const prefixes: { off: number; bits: number }[] = [];
  let i = off + fixed;
  for (let n = 0; n < 16 && end - i >= 2; n++) {
    const optType = b[i];
    const optLen = b[i + 1] * 8;
    if (optLen === 0 || end - i < optLen) break; // RFC 4861 4.6: length 0 is invalid
    if ((optType === 1 || optType === 2) && optLen >= 8) {
      lladdr = ((b[i + 2] << 8) | b[i + 3]) * 0x100000000 + (((b[i + 4] << 24) | (b[i + 5] << 16) | (b[i + 6] << 8) | b[i + 7]) >>> 0);
    } else if (optType === 3 && type === 134 && optLen === 32 && prefixes.length < 8) {
      const bits = b[i + 2];
      const onLinkOrAuto = (b[i + 3] & 0xc0) !== 0;
      if (onLinkOrAuto && bits > 0 && bits <= 128) prefixes.push({ off: i + 16, bits });
    }
    i += optLen;
  }
  return { kind, targetOff, lladdr, router, prefixes };
}
