// DHCPv4 message parser: BOOTP header (RFC 2131) and options (RFC 2132) -> the fields of a DhcpEvent.
import type { DhcpEvent } from '../../events.js';
import { colonHex, hexOf, ipv4At, netText } from '../bytes.js';

/** What the payload alone tells; the pipeline adds type, ts and the IP/MAC endpoints. */
export type DhcpFields = Omit<DhcpEvent, 'type' | 'ts' | 'src_mac' | 'src_ip' | 'dst_ip'>;

// RFC 2131 2: fixed BOOTP header offsets.
const OFF_CIADDR = 12;
const OFF_YIADDR = 16;
const OFF_CHADDR = 28;
const OFF_SNAME = 44;
const OFF_FILE = 108;
const OFF_COOKIE = 236;
const OFF_OPTIONS = 240;

/** Bounds on what one message may contribute (an option is at most 255 bytes anyway). */
export const DHCP_LIMITS = { options: 128, addresses: 16, text: 255 } as const;

const MESSAGE_TYPES: DhcpFields['message_type'][] = [
  null, 'discover', 'offer', 'request', 'decline', 'ack', 'nak', 'release', 'inform',
];

/** Parse a DHCPv4 payload (UDP 67/68). Null when it is not a DHCP message (no magic cookie). */
export function parseDhcp(payload: Uint8Array): DhcpFields | null {
  const buf = payload;
  if (buf.length < OFF_OPTIONS) return null;
  const op = buf[0];
  if (op !== 1 && op !== 2) return null;
  // RFC 2131 3: options start with the magic cookie 99.130.83.99; without it this is plain BOOTP.
  if (buf[OFF_COOKIE] !== 99 || buf[OFF_COOKIE + 1] !== 130 || buf[OFF_COOKIE + 2] !== 83 || buf[OFF_COOKIE + 3] !== 99) {
    return null;
  }
  const hlen = Math.min(buf[2], 16);
  const f: DhcpFields = {
    client_mac: colonHex(buf, OFF_CHADDR, OFF_CHADDR + hlen),
    message_type: null,
    op: op === 1 ? 'request' : 'reply',
    xid: ((buf[4] << 24) | (buf[5] << 16) | (buf[6] << 8) | buf[7]) >>> 0,
    ciaddr: ipv4At(buf, OFF_CIADDR),
    yiaddr: ipv4At(buf, OFF_YIADDR),
    hostname: null,
    fqdn: null,
    vendor_class: null,
    param_list: null,
    client_id: null,
    requested_ip: null,
    server_id: null,
    routers: [],
    dns_servers: [],
    lease_time: null,
    max_message_size: null,
    options: [],
  };
  const overload = walkOptions(buf, OFF_OPTIONS, buf.length, f);
  // RFC 2131 4.1 / RFC 2132 9.3: overloaded options continue in file, then in sname.
  if (overload === 1 || overload === 3) walkOptions(buf, OFF_FILE, OFF_FILE + 128, f);
  if (overload === 2 || overload === 3) walkOptions(buf, OFF_SNAME, OFF_SNAME + 64, f);
  return f;
}

/**
 * Walk one options area [start, end) into f; returns the option-overload value (52) seen, or 0.
 * A truncated option ends the walk: everything before it is kept.
 */
function walkOptions(buf: Uint8Array, start: number, end: number, f: DhcpFields): number {
  let overload = 0;
  let off = start;
  while (off < end) {
    const code = buf[off];
    if (code === 0) { off++; continue; } // RFC 2132 3.1 pad: no length byte
    if (code === 255) break; // RFC 2132 3.2 end
    if (off + 1 >= end) break;
    const len = buf[off + 1];
    const v = off + 2;
    const ve = v + len;
    if (ve > end) break; // truncated option: stop, keep what came before
    if (f.options.length < DHCP_LIMITS.options) f.options.push(code);
    switch (code) {
      case 53: // RFC 2132 9.6 message type
        if (len >= 1) f.message_type = MESSAGE_TYPES[buf[v]] ?? 'other';
        break;
      case 12: // RFC 2132 3.14 host name
        f.hostname = netText(buf, v, ve, DHCP_LIMITS.text);
        break;
      case 81: // RFC 4702 2: flags, rcode1, rcode2, domain name
        if (len >= 3) f.fqdn = fqdnName(buf, v + 3, ve, (buf[v] & 0x04) !== 0);
        break;
      case 55: { // RFC 2132 9.8 parameter request list, order kept (it is the fingerprint)
        const list: number[] = new Array(len);
        for (let i = 0; i < len; i++) list[i] = buf[v + i];
        f.param_list = list;
        break;
      }
      case 60: // RFC 2132 9.13 vendor class identifier
        f.vendor_class = netText(buf, v, ve, DHCP_LIMITS.text);
        break;
      case 61: // RFC 2132 9.14 client identifier (type byte + id), kept raw as hex
        f.client_id = hexOf(buf, v, ve);
        break;
      case 50: // RFC 2132 9.1 requested IP address
        if (len === 4) f.requested_ip = ipv4At(buf, v);
        break;
      case 54: // RFC 2132 9.7 server identifier
        if (len === 4) f.server_id = ipv4At(buf, v);
        break;
      case 3: // RFC 2132 3.5 routers
        addresses(buf, v, ve, f.routers);
        break;
      case 6: // RFC 2132 3.8 domain name servers
        addresses(buf, v, ve, f.dns_servers);
        break;
      case 51: // RFC 2132 9.2 lease time
        if (len === 4) f.lease_time = ((buf[v] << 24) | (buf[v + 1] << 16) | (buf[v + 2] << 8) | buf[v + 3]) >>> 0;
        break;
      case 57: // RFC 2132 9.10 maximum DHCP message size
        if (len === 2) f.max_message_size = (buf[v] << 8) | buf[v + 1];
        break;
      case 52: // RFC 2132 9.3 option overload: 1 file, 2 sname, 3 both
        if (len === 1 && buf[v] >= 1 && buf[v] <= 3) overload = buf[v];
        break;
      default:
        break;
    }
    off = ve;
  }
  return overload;
}

function addresses(buf: Uint8Array, v: number, ve: number, out: string[]): void {
  for (let p = v; p + 4 <= ve && out.length < DHCP_LIMITS.addresses; p += 4) out.push(ipv4At(buf, p));
}

/** RFC 4702 2.3: the name is in DNS wire format when the E flag is set, else (deprecated) ASCII. */
function fqdnName(buf: Uint8Array, start: number, end: number, wire: boolean): string {
  if (!wire) return netText(buf, start, end, DHCP_LIMITS.text);
  let name = '';
  let off = start;
  while (off < end) {
    const len = buf[off];
    // A zero label ends a fully qualified name; compression pointers are not allowed here.
    if (len === 0 || (len & 0xc0) !== 0) break;
    const le = Math.min(off + 1 + len, end);
    const label = netText(buf, off + 1, le, 63);
    name = name.length === 0 ? label : `${name}.${label}`;
    off = off + 1 + len;
    if (name.length >= DHCP_LIMITS.text) return name.slice(0, DHCP_LIMITS.text);
  }
  return name;
}
