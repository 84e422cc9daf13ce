// What a protocol room is: the descriptor each sensor/protocols/<proto>/room.ts exports (how the protocol
// is found, which events it makes) and the narrow view of the pipeline its handler works through.
import type { Direction, EventType, WaakhondEvent } from '../events.js';
import type { Packet } from '../decode/packet.js';
import type { FlowTable } from '../flows.js';

/**
 * What a room's handler may use of the pipeline: the packet being processed (decoded in place), the
 * flow table, the endpoint texts of the packet and the event sink. One implementation (the Pipeline),
 * so calls through it stay monomorphic.
 */
export interface RoomHost {
  readonly p: Packet;
  readonly flows: FlowTable;
  srcMac(): string | null;
  dstMac(): string | null;
  ipSrc(): string;
  ipDst(): string;
  /** Direction of the packet being processed (home network vs outside). */
  direction(): Direction;
  emit(e: WaakhondEvent): void;
  /** A payload on the room's port that its parser refused (random data on a well-known port). */
  unparsed(): void;
}

/** A room's per-pipeline TCP handler; its state lives in the handler (bounded), keyed by flow index. */
export interface TcpHandler {
  /**
   * One payload segment of a flow this room claimed. segs counts the sender's payload segments so far
   * (this one included, saturating at 255). Returns false when the room is done with the flow: its later
   * segments then skip every parser before the payload is even looked at (the common path of long flows).
   * A handler returning false has already dropped its state for the flow.
   */
  segment(f: number, payload: Uint8Array, fromClient: boolean, segs: number): boolean;
  /** The flow ended while the room still followed it: drop its state. */
  end?(f: number): void;
  /** Entries of per-flow state held now (maps keyed by flow or exchange), for health checks and tests. */
  held?(): number;
  /** Entries its bounded tables refused or dropped since the start (a full table is reported, not hidden). */
  readonly dropped?: number;
}

/** A room's per-pipeline UDP handler. */
export interface UdpHandler {
  /**
   * A datagram on one of the room's ports, or one its sniff accepted. flow is the flow table's answer
   * (flow+1 from the originator, -(flow+1) from the responder). Returns false when the datagram is not
   * this room's after all (the pipeline then tries the next room).
   */
  datagram(payload: Uint8Array, flow: number): boolean;
  /**
   * Rooms whose exchanges leave their port (TFTP's server answers from a new port, RFC 1350 4):
   * whether any exchange is being followed now, and a look at any datagram no port claimed.
   */
  following?(): boolean;
  follow?(payload: Uint8Array, flow: number): boolean;
  /** Entries of per-exchange state held now. */
  held?(): number;
  /** Entries its bounded tables refused or dropped since the start. */
  readonly dropped?: number;
}

export interface TcpFinding {
  /** Server ports that give the flow to this room (checked before any sniff). */
  ports?: readonly number[];
  /** Cheap look at the first payload of a flow on any other port (fromClient: who sent it). */
  sniff?: (first: Uint8Array, fromClient: boolean) => boolean;
  /** Who speaks first in this protocol (documentation, and what the sniff expects to see). */
  firstSpeaker: 'client' | 'server' | 'either';
  /** The room that takes every TCP flow no port and no sniff claimed (exactly one room). */
  fallback?: true;
  create(host: RoomHost): TcpHandler;
}

export interface UdpFinding {
  /** Ports (source or destination) that give the datagram to this room. */
  ports?: readonly number[];
  /**
   * Cheap look at a datagram on any port that no port room took: its payload is b[off .. end). Given the bytes
   * and bounds, not a view, because it is asked for every such datagram (most are nobody's).
   */
  sniff?: (b: Uint8Array, off: number, end: number) => boolean;
  firstSpeaker: 'client' | 'server' | 'either';
  create(host: RoomHost): UdpHandler;
}

/** One protocol room: a name from the wire, the events it makes, how it is found over TCP and/or UDP. */
export interface RoomDescriptor {
  name: string;
  events: readonly EventType[];
  tcp?: TcpFinding;
  udp?: UdpFinding;
}
