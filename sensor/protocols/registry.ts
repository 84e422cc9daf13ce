// The protocol registry: the rooms in order, checked at start-up, turned into per-port tables and sniff
// lists the pipeline asks without naming any protocol.
import type { RoomDescriptor, RoomHost, TcpHandler, UdpHandler } from './room.js';
import { btDhtRoom } from './bt_dht/room.js';
import { dhcpRoom } from './dhcp/room.js';
import { dnsRoom } from './dns/room.js';
import { edimaxRoom } from './edimax/room.js';
import { ftpRoom } from './ftp/room.js';
import { httpRoom } from './http/room.js';
import { netbiosRoom } from './netbios/room.js';
import { quicRoom } from './quic/room.js';
import { ssdpRoom } from './ssdp/room.js';
import { tcpRoom } from './tcp/room.js';
import { telnetRoom } from './telnet/room.js';
import { tftpRoom } from './tftp/room.js';
import { tlsRoom } from './tls/room.js';

/**
 * Every room. Order is priority: a UDP datagram whose two ports belong to two rooms goes to the earlier
 * one first; sniffs are tried in this order (TLS before HTTP: cheaper and never ambiguous).
 */
export const ROOMS: readonly RoomDescriptor[] = [
  dhcpRoom, dnsRoom, netbiosRoom, ssdpRoom, quicRoom, tftpRoom, edimaxRoom, btDhtRoom,
  telnetRoom, ftpRoom, tlsRoom, httpRoom, tcpRoom,
];

/** flows.app value of a TCP flow no room follows any more: its segments skip the payload entirely. */
export const ROOM_DONE = 255;

/** The problems of a room list (empty when usable): names unique, a port in at most one room per transport, one TCP fallback. */
export function checkRooms(rooms: readonly RoomDescriptor[]): string[] {
  const errors: string[] = [];
  const names = new Set<string>();
  const tcpPorts = new Map<number, string>();
  const udpPorts = new Map<number, string>();
  let fallbacks = 0;
  let tcpRooms = 0;
  for (const r of rooms) {
    if (!/^[a-z][a-z0-9_]*$/.test(r.name)) errors.push(`room name ${JSON.stringify(r.name)} is not a lower-case wire name`);
    if (names.has(r.name)) errors.push(`room ${r.name} listed twice`);
    names.add(r.name);
    if (r.events.length === 0) errors.push(`room ${r.name} makes no events`);
    if (!r.tcp && !r.udp) errors.push(`room ${r.name} has neither tcp nor udp`);
    for (const [finding, ports] of [[r.tcp, tcpPorts], [r.udp, udpPorts]] as const) {
      for (const port of finding?.ports ?? []) {
        if (!Number.isInteger(port) || port < 1 || port > 65535) errors.push(`room ${r.name}: bad port ${port}`);
        const other = ports.get(port);
        if (other !== undefined) errors.push(`port ${port} is in rooms ${other} and ${r.name}`);
        ports.set(port, r.name);
      }
    }
    if (r.tcp) {
      tcpRooms++;
      if (r.tcp.fallback) fallbacks++;
    }
  }
  if (tcpRooms > ROOM_DONE - 1) errors.push(`more than ${ROOM_DONE - 1} TCP rooms`);
  if (fallbacks !== 1) errors.push(`${fallbacks} TCP fallback rooms (need exactly 1)`);
  return errors;
}

/** The rooms' handlers for one pipeline, with the lookup tables built from their descriptors. */
export class Rooms {
  /** TCP handlers by room id (flows.app value; 0 = not decided yet, ROOM_DONE = done). */
  readonly tcp: (TcpHandler | undefined)[] = [undefined];
  readonly tcpNames: string[] = [''];
  readonly udp: UdpHandler[] = [];
  readonly udpNames: string[] = [];
  /** Port -> TCP room id, port -> UDP handler index + 1 (0: no room). */
  private readonly tcpByPort = new Uint8Array(65536);
  private readonly udpByPort = new Uint16Array(65536);
  private readonly tcpSniffs: { id: number; sniff: (b: Uint8Array, fromClient: boolean) => boolean }[] = [];
  private readonly udpSniffs: { i: number; sniff: (b: Uint8Array, off: number, end: number) => boolean }[] = [];
  private readonly followers: UdpHandler[] = [];
  private tcpFallback = 0;

  constructor(host: RoomHost, rooms: readonly RoomDescriptor[] = ROOMS) {
    const errors = checkRooms(rooms);
    if (errors.length > 0) throw new Error(`protocol rooms: ${errors.join('; ')}`);
    for (const r of rooms) {
      if (r.tcp) {
        const id = this.tcp.length;
        this.tcp.push(r.tcp.create(host));
        this.tcpNames.push(r.name);
        for (const port of r.tcp.ports ?? []) this.tcpByPort[port] = id;
        if (r.tcp.sniff) this.tcpSniffs.push({ id, sniff: r.tcp.sniff });
        if (r.tcp.fallback) this.tcpFallback = id;
      }
      if (r.udp) {
        const i = this.udp.length;
        const handler = r.udp.create(host);
        this.udp.push(handler);
        this.udpNames.push(r.name);
        for (const port of r.udp.ports ?? []) this.udpByPort[port] = i + 1;
        if (r.udp.sniff) this.udpSniffs.push({ i, sniff: r.udp.sniff });
        if (handler.following && handler.follow) this.followers.push(handler);
      }
    }
  }

  /** Per-flow and per-exchange state entries the rooms hold now, by room name. */
  held(): Record<string, number> {
    const out: Record<string, number> = {};
    this.tcp.forEach((h, i) => { if (h?.held) out[this.tcpNames[i]] = h.held(); });
    this.udp.forEach((h, i) => { if (h.held) out[this.udpNames[i]] = (out[this.udpNames[i]] ?? 0) + h.held(); });
    return out;
  }

  /** Entries the rooms' bounded tables dropped since the start, by room name (rooms that dropped any). */
  dropped(): Record<string, number> {
    const out: Record<string, number> = {};
    const add = (name: string, n: number | undefined): void => { if (n) out[name] = (out[name] ?? 0) + n; };
    this.tcp.forEach((h, i) => add(this.tcpNames[i], h?.dropped));
    this.udp.forEach((h, i) => add(this.udpNames[i], h.dropped));
    return out;
  }

  /** The room of a TCP flow, decided on its first payload: the server port's room, else the first sniff that accepts, else the fallback. */
  claimTcp(serverPort: number, first: Uint8Array, fromClient: boolean): number {
    const byPort = this.tcpByPort[serverPort];
    if (byPort !== 0) return byPort;
    const sniffs = this.tcpSniffs;
    for (let i = 0; i < sniffs.length; i++) if (sniffs[i].sniff(first, fromClient)) return sniffs[i].id;
    return this.tcpFallback;
  }

  /**
   * Whether some room would look at a datagram (its ports, an exchange being followed, a sniff that
   * recognises it). A held flooder's datagrams no room wants skip the flow table (sensor/scan-hold.ts).
   */
  wantsDatagram(sp: number, dp: number, b: Uint8Array, off: number, len: number): boolean {
    if (this.udpByPort[sp] !== 0 || this.udpByPort[dp] !== 0) return true;
    const fol = this.followers;
    for (let i = 0; i < fol.length; i++) if (fol[i].following!()) return true;
    const sniffs = this.udpSniffs;
    for (let i = 0; i < sniffs.length; i++) if (sniffs[i].sniff(b, off, off + len)) return true;
    return false;
  }

  /**
   * A UDP datagram: the rooms of its two ports (the earlier room first), then rooms following exchanges
   * off their port, then the sniffs. Returns whether a room took it. The payload is data[off .. off +
   * len): a view of it is made only for a room that looks (most datagrams on a busy link are nobody's).
   */
  datagram(sp: number, dp: number, data: Uint8Array, off: number, len: number, flow: number): boolean {
    const a = this.udpByPort[sp];
    const b = this.udpByPort[dp];
    if (a !== 0 || b !== 0) {
      const payload = data.subarray(off, off + len);
      const first = a === 0 ? b : b === 0 ? a : Math.min(a, b);
      if (this.udp[first - 1].datagram(payload, flow)) return true;
      const second = first === a ? b : a;
      if (second !== 0 && second !== first && this.udp[second - 1].datagram(payload, flow)) return true;
      return false;
    }
    const fol = this.followers;
    for (let i = 0; i < fol.length; i++) if (fol[i].following!() && fol[i].follow!(data.subarray(off, off + len), flow)) return true;
    const sniffs = this.udpSniffs;
    for (let i = 0; i < sniffs.length; i++) {
      if (sniffs[i].sniff(data, off, off + len) && this.udp[sniffs[i].i].datagram(data.subarray(off, off + len), flow)) return true;
    }
    return false;
  }
}
