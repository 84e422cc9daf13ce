// The packet path's side of holding a known scanner (rules/engine/hold.ts decides what a held SYN counts
// for): which source MACs are held, the handle the engine gave for each, and when a hold ends.
import { macToNumber } from './decode/format.js';

/** A held SYN's fields as numbers (one object, refilled for every SYN: nothing allocated per packet). */
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
   * A held device's outbound SYN to a public IPv4 address. True: counted, nothing more to do; false: take
   * the usual path (flow, tcp_syn event).
   */
  heldSyn(handle: never, s: HeldSyn): boolean;
  /** The hold ended (the device went quiet). */
  releaseHeld(handle: never): void;
}

/** Also told of every held SYN (the connection log for abuse look-ups keeps them as it keeps tcp_syn events). */
export type HeldSynListener = (mac: number, ts: number, srcIp: number, srcPort: number, dstIp: number, dstPort: number) => void;

interface Hold {
  handle: unknown;
  /** Capture time of the last held SYN (or of the hold's start). */
  last: number;
}

/**
 * A hold ends after this much capture time without a held SYN: the device's next SYN goes the usual
 * way, so a bot that scans again is seen (and held again) by the rules, not by a stale hold.
 */
export const HOLD_IDLE_US = 60_000_000;

export class ScanHolds {
  private readonly byMac = new Map<number, Hold>();
  readonly stats = { held_syns: 0, holds: 0, releases: 0 };

  constructor(private readonly sink: HeldSynSink) {}

  get size(): number {
    return this.byMac.size;
  }

  /** Start holding a device (its MAC as text); `now` is the current capture time. */
  hold(mac: string, handle: unknown, now: number): void {
    const m = macToNumber(mac);
    if (m < 0) return;
    const old = this.byMac.get(m);
    if (old !== undefined && old.handle !== handle) this.sink.releaseHeld(old.handle as never);
    this.byMac.set(m, { handle, last: now });
    this.stats.holds++;
  }

  /** Whether a source MAC is held (checked before the SYN's fields are gathered). */
  has(mac: number): boolean {
    return this.byMac.has(mac);
  }

  /** The SYN's source MAC is held and the engine counted it: true. */
  syn(mac: number, s: HeldSyn): boolean {
    const h = this.byMac.get(mac);
    if (h === undefined || !this.sink.heldSyn(h.handle as never, s)) return false;
    if (s.ts > h.last) h.last = s.ts;
    this.stats.held_syns++;
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
