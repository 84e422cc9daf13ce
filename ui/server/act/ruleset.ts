// Renders the whole Waakhond ruleset (tables inet + bridge "waakhond") from the state as one nft script: applied in
// one `nft -f` transaction, it replaces the previous ruleset atomically or, on any error, changes nothing.
import { isIPv4, isIPv6 } from 'node:net';
import type { ActState } from './state.js';

export const TABLE = 'waakhond';

export interface RulesetInput {
  state: ActState;
  /** LAN interfaces (validated names). */
  lan: string[];
  /** The router's IPv4 address on the LAN: target of the HTTP redirect. */
  routerV4: string | null;
  portalPort: number;
  onlyKnown: boolean;
  /** The device's addresses, so traffic *to* it (port forwards, other subnets) is dropped too. */
  addresses: (mac: string) => { v4: string[]; v6: string[] };
  now: number;
}

const MAC_RE = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;
const IFACE_RE = /^[A-Za-z0-9_.@-]{1,15}$/;

/** Everything that reaches the script text is checked again here: the script is parsed by a root process. */
function macs(list: string[]): string[] {
  return list.filter((m) => MAC_RE.test(m));
}

function elements(items: string[]): string {
  return items.length ? ` elements = { ${items.join(', ')} }` : '';
}

/** The add-then-delete idiom empties our tables whether or not they exist, inside the same transaction. */
export function removeScript(): string {
  return `table inet ${TABLE}\ndelete table inet ${TABLE}\ntable bridge ${TABLE}\ndelete table bridge ${TABLE}\n`;
}

export function renderRuleset(i: RulesetInput): string {
  const lan = i.lan.filter((n) => IFACE_RE.test(n));
  if (lan.length === 0) throw new Error('no valid LAN interface name');
  const lanSet = `{ ${lan.map((n) => `"${n}"`).join(', ')} }`;
  const q = macs(Object.keys(i.state.quarantine)).sort();
  const v4 = new Set<string>();
  const v6 = new Set<string>();
  for (const m of q) {
    const a = i.addresses(m);
    for (const ip of a.v4) if (isIPv4(ip)) v4.add(ip);
    for (const ip of a.v6) if (isIPv6(ip) && !ip.includes('%')) v6.add(ip);
  }
  // Pauses end by themselves: the element carries its remaining time (nft set timeouts), also after a restore.
  const paused = Object.entries(i.state.pause)
    .filter(([m, p]) => MAC_RE.test(m) && p.until > i.now)
    .map(([m, p]) => `${m} timeout ${Math.max(1, Math.ceil((p.until - i.now) / 1000))}s`);
  const known = macs(i.state.known);
  const portal = i.routerV4 && isIPv4(i.routerV4) ? i.routerV4 : null;
  const lines: string[] = [removeScript()];
  lines.push(`table inet ${TABLE} {
  set quarantine { type ether_addr; size 4096;${elements(q)} }
  set quarantine4 { type ipv4_addr; size 16384;${elements([...v4])} }
  set quarantine6 { type ipv6_addr; size 16384;${elements([...v6])} }
  set paused { type ether_addr; size 4096; flags timeout;${elements(paused)} }
  set known { type ether_addr; size 16384;${elements(known)} }

  # A quarantined device may still ask the router for an address and names, and fetch the explanation page.
  chain input {
    type filter hook input priority filter - 5; policy accept;
    iifname ${lanSet} ether saddr @quarantine jump quarantined_input
  }
  chain quarantined_input {
    udp dport { 53, 67, 547 } accept
    tcp dport { 53, ${i.portalPort} } accept
    icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, nd-router-solicit } accept
    counter drop
  }

  chain forward {
    type filter hook forward priority filter - 5; policy accept;
    iifname ${lanSet} ether saddr @quarantine counter drop
    ip daddr @quarantine4 counter drop
    ip6 daddr @quarantine6 counter drop
    iifname ${lanSet} oifname != ${lanSet} ether saddr @paused counter drop${i.onlyKnown ? `
    iifname ${lanSet} oifname ${lanSet} ether saddr != @known counter drop` : ''}
  }
${portal ? `
  # Plain HTTP from a quarantined device is answered by the local explanation page.
  chain prerouting {
    type nat hook prerouting priority dstnat - 5; policy accept;
    iifname ${lanSet} ether saddr @quarantine meta nfproto ipv4 tcp dport 80 dnat ip to ${portal}:${i.portalPort}
  }
` : ''}}
`);
  // Devices on one LAN bridge talk without routing: the bridge family sees those frames (OpenWrt br-lan).
  lines.push(`table bridge ${TABLE} {
  set quarantine { type ether_addr; size 4096;${elements(q)} }
  set known { type ether_addr; size 16384;${elements(known)} }
  chain forward {
    type filter hook forward priority filter - 5; policy accept;
    ether saddr @quarantine counter drop
    ether daddr @quarantine counter drop${i.onlyKnown ? `
    ether saddr != @known counter drop` : ''}
  }
}
`);
  return lines.join('\n');
}
