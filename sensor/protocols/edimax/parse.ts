// Edimax LAN discovery (UDP 20560) -> the kind, vendor, model, firmware, name and MAC of a DiscoveryEvent.
//
// No specification is published. The layout below was read from the real replies in
// ../shared/pcaps/iot-sentinel (EdimaxPlug1101W Setup-C-2..5, EdimaxPlug2101W Setup-C-1..5: 186-byte
// replies from source port 20560, the same layout for both plugs) and from the 22-byte probe an openHAB
// Edimax binding broadcasts (org.openhab.binding.edimax, UDPDiscoveryService.java: 6 x 0xff, "EDIMAX",
// 7 NULs, a1 ff 5e; it reads the replier's MAC from the first 6 bytes). All fields are fixed-size,
// NUL-padded; multi-byte numbers little-endian.
//
//   off len  field
//     0   6  MAC: the replying device's own; ff:ff:ff:ff:ff:ff in a probe (any device)
//     6  12  vendor, "EDIMAX"
//    18   4  not interpreted: 01 a1 fe 5e in the replies, 00 a1 ff 5e in the probe
//    22  14  model, "SP1101W" / "SP2101W"
//    36   8  firmware version, "1.09" / "1.03"
//    44 128  device name, "Plug4a7649" (the app's default: "Plug" + the MAC's last 3 bytes)
//   172   2  TCP port of the device's HTTP API, 10000 (0x2710, little-endian)
//   174   4  IPv4 address, 178 4 netmask, 182 4 gateway
//
// A message of the 22-byte header alone is a probe; anything longer a reply, each field read only when
// the bytes hold all of it (a cut reply gives the fields before the cut).
import type { DiscoveryEvent, Endpoints } from '../../events.js';
import { colonHex, ipv4At, netText } from '../bytes.js';

/** What the payload alone tells; the room adds type, ts, the endpoints, the ports and the protocol name. */
export type EdimaxFields = Omit<DiscoveryEvent, 'type' | 'ts' | keyof Endpoints | 'src_port' | 'dst_port' | 'protocol'> & {
  /** HTTP API port and IPv4 settings the reply states (not event fields: kept for tests and future use). */
  http_port: number | null;
  ip: string | null;
  netmask: string | null;
  gateway: string | null;
};

export const EDIMAX_PORT = 20560;
export const HEADER_LEN = 22;
export const REPLY_LEN = 186;

const VENDOR = [6, 12] as const;
const MODEL = [22, 14] as const;
const FIRMWARE = [36, 8] as const;
const NAME = [44, 128] as const;
const HTTP_PORT = 172;
const IPV4 = 174;

/** Text of a fixed NUL-padded field: up to the first NUL, cleaned and bounded; null when empty or cut. */
function field(b: Uint8Array, [off, len]: readonly [number, number]): string | null {
  if (off + len > b.length) return null;
  let end = off;
  while (end < off + len && b[end] !== 0) end++;
  const s = netText(b, off, end, len).trim();
  return s ? s : null;
}

/**
 * True if the vendor field is printable ASCII text ended by a NUL, with NUL padding after it: what keeps
 * other datagrams on the port (text included) out.
 */
function vendorFieldOk(b: Uint8Array): boolean {
  const [off, len] = VENDOR;
  if (b[off] === 0) return false;
  let i = off;
  while (i < off + len && b[i] !== 0) {
    if (b[i] < 0x20 || b[i] > 0x7e) return false;
    i++;
  }
  if (i === off + len) return false;
  for (; i < off + len; i++) if (b[i] !== 0) return false;
  return true;
}

/** Parse an Edimax discovery probe or reply; null when the bytes do not have its shape. Never throws. */
export function parseEdimaxDiscovery(payload: Uint8Array): EdimaxFields | null {
  const b = payload;
  if (b.length < HEADER_LEN || !vendorFieldOk(b)) return null;
  let ff = true;
  let zero = true;
  for (let i = 0; i < 6; i++) {
    if (b[i] !== 0xff) ff = false;
    if (b[i] !== 0) zero = false;
  }
  const reply = b.length > HEADER_LEN;
  const ipOk = b.length >= IPV4 + 12;
  return {
    kind: reply ? 'reply' : 'probe',
    vendor: field(b, VENDOR),
    model: reply ? field(b, MODEL) : null,
    firmware: reply ? field(b, FIRMWARE) : null,
    name: reply ? field(b, NAME) : null,
    device_mac: ff || zero ? null : colonHex(b, 0, 6),
    http_port: b.length >= HTTP_PORT + 2 ? b[HTTP_PORT] | (b[HTTP_PORT + 1] << 8) : null,
    ip: ipOk ? ipv4At(b, IPV4) : null,
    netmask: ipOk ? ipv4At(b, IPV4 + 4) : null,
    gateway: ipOk ? ipv4At(b, IPV4 + 8) : null,
  };
}
