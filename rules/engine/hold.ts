// Holding a known scanner (issue #15). Once a rule marked `hold: true` has an open alert for a device, the
// device is known to scan: its outbound IPv4 SYNs to public addresses are counted straight into the open
// alerts of the hold rules they match, instead of each becoming a flow, a tcp_syn event and a conn event
// that every rule, the inventory and the baseline would look at. A Mirai bot scans at hundreds to
// thousands of SYNs a second (Antonakakis et al., USENIX Security 2017, section 4; scanner.c sends a
// burst every few ms), and a sensor that spends ~10 us on each falls behind exactly when it matters.
//
// What a held SYN would have matched is decided once per (destination port, Mirai sequence trait, TCP
// options length) by running each rule's own compiled checks on a probe event with those values, so the
// rules stay data and the per-SYN work is a table read and a few counter increments.
import type { RuleMatch } from './types.js';
import { acceptedValues, matches, type Check, type FieldContext } from './compile.js';

/** Fields a hold rule's match may test: everything a held SYN is known by (see probe()). */
const HOLD_FIELDS = new Set(['direction', 'dst_port', 'dst_ip', 'mirai_seq', 'options_length', 'proto', 'state']);

/**
 * Why a rule cannot be a hold rule (empty: it can). A held SYN is known only by the fields above, its
 * destination is a public IPv4 address, and it counts for the device that sent it.
 */
export function holdErrors(r: {
  hold?: boolean; match?: RuleMatch; sequence?: unknown; group_by: string[]; threshold: unknown;
}): string[] {
  if (r.hold !== true) return [];
  const out: string[] = [];
  const m = r.match;
  if (!m || r.sequence) return ['hold: only a rule with one match (not a sequence) can hold a device'];
  if (m.event === 'traffic') {
    // A flood rule (its alert is counted from the per-second traffic counters, which held SYNs still
    // feed) only starts the hold: no held SYN is matched against it.
    if (r.group_by.length !== 1 || r.group_by[0] !== 'device') out.push('hold: group_by must be [device]');
    return out;
  }
  if (m.event !== 'tcp_syn' && m.event !== 'conn') out.push(`hold: the rule must match tcp_syn, conn or traffic (not ${m.event})`);
  if (m.device_is === 'dst') out.push('hold: the device must be the sender (device_is: dst)');
  for (const [k, cond] of Object.entries(m)) {
    if (k === 'event' || k === 'device_is') continue;
    if (!HOLD_FIELDS.has(k)) out.push(`hold: a held SYN is not matched on "${k}" (only ${[...HOLD_FIELDS].join(', ')})`);
    if (k === 'dst_ip' && JSON.stringify(cond) !== '{"public":true}') out.push('hold: dst_ip may only be { public: true }');
  }
  if (r.group_by.length !== 1 || r.group_by[0] !== 'device') out.push('hold: group_by must be [device]');
  const t = r.threshold as Record<string, unknown>;
  if (!('count' in t) && !('distinct' in t && (t.distinct === 'dst_ip' || t.distinct === 'dst_port'))) {
    out.push('hold: threshold must be a count or distinct dst_ip / dst_port');
  }
  return out;
}

/** A globally routable address (Cloudflare's resolver) standing for "any public destination" in probes. */
const PROBE_PUBLIC_IP = '1.1.1.1';

/**
 * What a rule's checks are tested on: a held SYN as a tcp_syn or as the unanswered attempt (conn S0) it
 * ends as; a held datagram as the one-way UDP flow (conn S0) it ends as. One object of each, refilled
 * (a UDP flood to random ports asks for every port once).
 */
const BASE = () => ({
  ts: 0, src_mac: null, dst_mac: null, src_ip: '192.168.0.2', dst_ip: PROBE_PUBLIC_IP, direction: 'outbound',
  src_port: 40000, dst_port: 0,
});
const SYN_PROBE: Record<string, unknown> = { ...BASE(), type: 'tcp_syn', seq: 0, window: 0, ttl: 64, options_length: 0, mirai_seq: false, ecn: false };
const TCP_CONN_PROBE: Record<string, unknown> = { ...BASE(), type: 'conn', end_ts: 0, proto: 'tcp', ip_proto: 6, state: 'S0', orig_pkts: 1, orig_bytes: 0, resp_pkts: 0, resp_bytes: 0, reason: 'timeout' };
const UDP_CONN_PROBE: Record<string, unknown> = { ...BASE(), type: 'conn', end_ts: 0, proto: 'udp', ip_proto: 17, state: 'S0', orig_pkts: 1, orig_bytes: 512, resp_pkts: 0, resp_bytes: 0, reason: 'timeout' };
const OTHER_PROBE: Record<string, unknown> = { type: 'other' };

function probe(event: string, port: number, seqIsDst: boolean, optLen: number, udp = false): Record<string, unknown> {
  if (udp) {
    if (event !== 'conn') return OTHER_PROBE;
    UDP_CONN_PROBE.dst_port = port;
    return UDP_CONN_PROBE;
  }
  if (event === 'conn') {
    TCP_CONN_PROBE.dst_port = port;
    return TCP_CONN_PROBE;
  }
  SYN_PROBE.dst_port = port;
  SYN_PROBE.options_length = optLen;
  SYN_PROBE.mirai_seq = seqIsDst;
  return SYN_PROBE;
}

/** A rule as the plan sees it: its event type and checks per step, and what it groups by. */
export interface PlanRule {
  stepEvents: string[];
  steps: Check[][];
  groupBy: string[];
}

/** Set in a mask: a rule that is not a hold rule wants this SYN as an event. */
export const HOLD_PASS = 1 << 30;
const MAX_CACHED = 8192;
/** Group-by fields that key a rule per destination (see HoldPlan). */
const PER_DESTINATION = new Set(['dst_ip', 'remote_ip', 'dst_port']);

/**
 * Which hold rules a held SYN matches (bit i: hold rule i), or HOLD_PASS when a rule that is not a hold
 * rule names the SYN's port, groups by device alone and accepts the SYN (mirai.report.port-48101: one
 * SYN to 48101 is its alert): the SYN then goes the usual way.
 *
 * Rules that accept any port (generic.scan.vertical, a sequence step with `not_in` ports), rules keyed
 * per destination (behaviour.c2.unanswered-retries-c2-port, by device, remote_ip and port) and the
 * baseline do not see a held device's scan SYNs. The per-destination ones are blind under a scan anyway:
 * a scanner's fresh destination per SYN pushes every older key out of their bounded tables (max_keys)
 * within milliseconds, so a C2 retried once a minute was never kept long enough to be seen twice.
 */
export class HoldPlan {
  private readonly cache = new Map<number, number>();
  /** Per UDP port: 1 a held datagram goes the usual way (a rule wants it as an event), 2 it is counted. */
  private readonly udpCache = new Uint8Array(65536);
  /** Rules that may pass a SYN: their steps on tcp_syn or conn that pin dst_port, with the ports pinned. */
  private readonly passSteps: { event: string; checks: Check[]; ports: Set<number> }[] = [];

  constructor(private readonly holds: PlanRule[], others: PlanRule[], private readonly ctx: FieldContext) {
    if (holds.length > 30) throw new Error('more than 30 hold rules');
    for (const r of others) {
      if (r.groupBy.some((g) => PER_DESTINATION.has(g))) continue;
      r.stepEvents.forEach((ev, i) => {
        if (ev !== 'tcp_syn' && ev !== 'conn') return;
        const ports = new Set<number>();
        for (const c of r.steps[i]!) {
          if (c.field !== 'dst_port') continue;
          for (const v of acceptedValues(c) ?? []) if (typeof v === 'number' && Number.isInteger(v)) ports.add(v);
        }
        if (ports.size > 0) this.passSteps.push({ event: ev, checks: r.steps[i]!, ports });
      });
    }
  }

  mask(port: number, seqIsDst: boolean, optLen: number): number {
    const key = (port * 2 + (seqIsDst ? 1 : 0)) * 64 + (optLen & 63);
    let m = this.cache.get(key);
    if (m === undefined) {
      m = this.compute(port, seqIsDst, optLen);
      if (this.cache.size >= MAX_CACHED) this.cache.clear();
      this.cache.set(key, m);
    }
    return m;
  }

  /**
   * Whether a held device's datagram to this port must go the usual way: a rule that is not a hold rule
   * groups by device alone, names the port and accepts the one-way flow, or a hold rule accepts it (held
   * datagrams count for no alert). Otherwise only the traffic counters, the baseline and the connection
   * log see it.
   */
  udpPass(port: number): boolean {
    let v = this.udpCache[port];
    if (v === 0) {
      let pass = false;
      for (const s of this.passSteps) {
        if (s.event === 'conn' && s.ports.has(port) && matches(s.checks, probe('conn', port, false, 0, true) as never, this.ctx)) pass = true;
      }
      for (const r of this.holds) {
        if (r.stepEvents[0] === 'conn' && matches(r.steps[0]!, probe('conn', port, false, 0, true) as never, this.ctx)) pass = true;
      }
      this.udpCache[port] = v = pass ? 1 : 2;
    }
    return v === 1;
  }

  private compute(port: number, seqIsDst: boolean, optLen: number): number {
    for (const s of this.passSteps) {
      if (s.ports.has(port) && matches(s.checks, probe(s.event, port, seqIsDst, optLen) as never, this.ctx)) return HOLD_PASS;
    }
    let m = 0;
    for (let i = 0; i < this.holds.length; i++) {
      const r = this.holds[i]!;
      if (r.stepEvents[0] !== 'tcp_syn' && r.stepEvents[0] !== 'conn') continue; // a flood rule: it only starts holds
      if (matches(r.steps[0]!, probe(r.stepEvents[0]!, port, seqIsDst, optLen) as never, this.ctx)) m |= 1 << i;
    }
    return m;
  }
}
