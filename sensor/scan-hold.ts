// The packet path's side of holding a known scanner or flooder (rules/engine/hold.ts decides what a held
// packet counts for): which source MACs are held, the handle the engine gave for each, and when a hold ends.
import { macToNumber } from './decode/format.js';

/** A held SYN's (or datagram's) fields as numbers (one object, refilled per packet: nothing allocated). */
export interface HeldSyn {
  ts: number;
  srcIp: number;
  srcPort: number;
  dstIp: number;
  dstPort: number;
  seq: number;
  window: number;
  ttl: number;
  optLen: number;
  ecn: boolean;
}

/** Who counts held SYNs (the rule engine). */
export interface HeldSynSink {
  /**
   * A held device's outbound SYN to a public IPv4 address: HELD_MATCHED (counted for a hold rule: the
   * device still does what it is held for), HELD_OTHER (counted, matched none), or 0: take the usual
   * path (flow, tcp_syn event).
   */
  heldSyn(handle: never, s: HeldSyn): number;
  /** A held device's outbound datagram to a public IPv4 address no room wants: true if counted, false: the usual path. */
  heldUdp(handle: never, s: HeldSyn): boolean;
  /** The hold ended (the device went quiet). */
  releaseHeld(handle: never): void;
}

export const HELD_MATCHED = 1;
export const HELD_OTHER = 2;

/**
 * Also told of held packets (the connection log for abuse look-ups keeps them as it keeps tcp_syn and
 * conn events): every held SYN; a held flow of datagrams once a second per destination.
 */
export type HeldSynListener = (mac: number, proto: 'tcp' | 'udp', ts: number, srcIp: number, srcPort: number, dstIp: number, dstPort: number) => void;

interface Hold {
  handle: unknown;
  /** Capture time the hold was last confirmed: a SYN matching a hold rule, or a hold rule firing again. */
  last: number;
  /** The last datagram destination told to the listener, and when (one a second per destination). */
  logDst: number;
  logTs: number;
}

/**
 * A hold ends after this much capture time without being confirmed (a SYN that matches a hold rule, or
 * a hold rule firing again, as a flood rule does every few seconds while the flood goes on): the
 * device's next packets go the usual way, so a bot that scans again is seen (and held again) by the
 * rules, and a device that stopped is no longer held because of its ordinary traffic.
 */
export const HOLD_IDLE_US = 60_000_000;

export class ScanHolds {
  private readonly byMac = new Map<number, Hold>();
  readonly stats = { held_syns: 0, held_datagrams: 0, holds: 0, releases: 0 };

  constructor(private readonly sink: HeldSynSink, private readonly listener: HeldSynListener | null) {}

  get size(): number {
    return this.byMac.size;
  }

  /** Start holding a device (its MAC as text), or confirm its hold; `now` is the current capture time. */
  hold(mac: string, handle: unknown, now: number): void {
    const m = macToNumber(mac);
    if (m < 0) return;
    const old = this.byMac.get(m);
    if (old !== undefined && old.handle === handle) {
      if (now > old.last) old.last = now;
      return;
    }
    if (old !== undefined) this.sink.releaseHeld(old.handle as never);
    this.byMac.set(m, { handle, last: now, logDst: -1, logTs: -Infinity });
    this.stats.holds++;
  }

  /** Whether a source MAC is held (checked before the SYN's fields are gathered). */
  has(mac: number): boolean {
    return this.byMac.has(mac);
  }

  /** The SYN's source MAC is held and the engine counted it: true. */
  syn(mac: number, s: HeldSyn): boolean {
    const h = this.byMac.get(mac);
    if (h === undefined) return false;
    const r = this.sink.heldSyn(h.handle as never, s);
    if (r === 0) return false;
    if (r === HELD_MATCHED && s.ts > h.last) h.last = s.ts;
    this.stats.held_syns++;
    if (this.listener !== null) this.listener(mac, 'tcp', s.ts, s.srcIp, s.srcPort, s.dstIp, s.dstPort);
    return true;
  }

  /** The datagram's source MAC is held and the engine counted it: true. */
  udp(mac: number, s: HeldSyn): boolean {
    const h = this.byMac.get(mac);
    if (h === undefined || !this.sink.heldUdp(h.handle as never, s)) return false;
    this.stats.held_datagrams++;
    if (this.listener !== null && (s.dstIp !== h.logDst || s.ts - h.logTs >= 1_000_000)) {
      h.logDst = s.dstIp;
      h.logTs = s.ts;
      this.listener(mac, 'udp', s.ts, s.srcIp, s.srcPort, s.dstIp, s.dstPort);
    }
    return true;
  }

  /** Release holds idle for HOLD_IDLE_US (called once a second of capture time), or all (end of capture). */
  expire(now: number): void {
    for (const [m, h] of this.byMac) {
      if (now - h.last <= HOLD_IDLE_US) continue;
      this.byMac.delete(m);
      this.stats.releases++;
      this.sink.releaseHeld(h.handle as never);
    }
  }
}
