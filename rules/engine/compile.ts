// Compile a rule's match conditions and group-by names into small closures (no per-event allocation).
import { inCidrs, isMulticast, isPrivate, isPublic, parseCidr, type Cidr } from './addr.js';
import { baseDomain, type EngineEvent } from './fields.js';
import type { RuleCondition, RuleMatch } from './types.js';

/** What derived fields need from the engine. */
export interface FieldContext {
  /** DNS servers and routers DHCP gave a device (by MAC), if seen. */
  dhcpResolvers(device: string): readonly string[] | undefined;
}

// Events are read by field name: the union's members share the names rules use.
type AnyEvent = EngineEvent & Record<string, unknown>;
export type Getter = (e: AnyEvent, ctx: FieldContext) => unknown;
export type Predicate = (e: AnyEvent, ctx: FieldContext) => boolean;

/** The home side of an event; `side` overrides the direction's answer. */
export function deviceOf(e: AnyEvent, side?: 'src' | 'dst'): string | null {
  switch (e.type) {
    case 'traffic':
      return (e.mac ?? e.ip) as string | null;
    case 'dhcp':
      return e.client_mac as string;
    case 'arp':
      return e.sender_mac as string;
    case 'ndp':
      return (e.mac ?? e.src_ip) as string | null;
    case 'alert':
      return e.device as string | null;
    case 'sensor_stats':
      return null;
    default: {
      const dst = side ? side === 'dst' : e.direction === 'inbound';
      return (dst ? (e.dst_mac ?? e.dst_ip) : (e.src_mac ?? e.src_ip)) as string | null;
    }
  }
}

function remoteIp(e: AnyEvent, side?: 'src' | 'dst'): unknown {
  if (e.src_ip === undefined || e.type === 'traffic') return undefined;
  const deviceIsDst = side ? side === 'dst' : e.direction === 'inbound';
  return deviceIsDst ? e.src_ip : e.dst_ip;
}

function localIp(e: AnyEvent, side?: 'src' | 'dst'): unknown {
  if (e.type === 'traffic') return e.ip;
  if (e.src_ip === undefined) return undefined;
  const deviceIsDst = side ? side === 'dst' : e.direction === 'inbound';
  return deviceIsDst ? e.dst_ip : e.src_ip;
}

function qname(e: AnyEvent): string | undefined {
  const q = (e.questions as { name: string }[] | undefined)?.[0];
  return q ? q.name.toLowerCase() : undefined;
}

export function getter(field: string, side?: 'src' | 'dst'): Getter {
  switch (field) {
    case 'device':
      return (e) => deviceOf(e, side);
    case 'remote_ip':
      return (e) => remoteIp(e, side);
    case 'local_ip':
      return (e) => localIp(e, side);
    case 'qname':
      return (e) => qname(e);
    case 'qname_base':
      return (e) => {
        const q = qname(e);
        return q === undefined ? undefined : baseDomain(q);
      };
    case 'qname_label':
      return (e) => {
        const q = qname(e);
        if (q === undefined) return undefined;
        const dot = q.indexOf('.');
        return dot < 0 ? q : q.slice(0, dot);
      };
    case 'duration_s':
      return (e) => ((e.end_ts as number) - (e.ts as number)) / 1e6;
    case 'dhcp_dns':
      return (e, ctx) => {
        const dev = deviceOf(e, side);
        const list = dev ? ctx.dhcpResolvers(dev) : undefined;
        if (!list) return 'unknown';
        return list.includes(e.dst_ip as string) ? 'assigned' : 'not_assigned';
      };
    default:
      return (e) => e[field];
  }
}

const asList = (x: string | string[]): string[] => (Array.isArray(x) ? x : [x]);

function cidrList(x: string | string[]): Cidr[] {
  return asList(x).map((t) => {
    const c = parseCidr(t);
    if (!c) throw new Error(`bad CIDR "${t}"`);
    return c;
  });
}

/** Equality that lets "23" in a rule match the number 23 and the reverse, without allocating per event. */
function equalsTo(want: string | number | boolean, nocase: boolean): (v: unknown) => boolean {
  const wantStr = String(want);
  const wantNum = typeof want === 'number' ? want : typeof want === 'string' && /^-?\d+(\.\d+)?$/.test(want) ? Number(want) : undefined;
  if (nocase && typeof want === 'string') {
    const low = want.toLowerCase();
    return (v) => typeof v === 'string' && v.toLowerCase() === low;
  }
  return (v) => v === want || (typeof v === 'number' && v === wantNum) || (typeof v === 'string' && v === wantStr);
}

/** A set of allowed values, holding numeric strings also as numbers and numbers also as strings. */
function valueSet(list: (string | number)[], nocase: boolean): Set<unknown> {
  const set = new Set<unknown>();
  for (const x of list) {
    set.add(nocase && typeof x === 'string' ? x.toLowerCase() : x);
    set.add(String(x));
    if (typeof x === 'string' && /^-?\d+(\.\d+)?$/.test(x)) set.add(Number(x));
  }
  return set;
}

/** One field condition -> predicate over the field's value (and the event, for gte_field). */
export function compileCondition(field: string, cond: RuleCondition, side?: 'src' | 'dst'): Predicate {
  const get = getter(field, side);
  const tests: ((v: unknown, e: AnyEvent, ctx: FieldContext) => boolean)[] = [];
  if (cond === null || typeof cond !== 'object') {
    const eq = equalsTo(cond, false);
    return (e, ctx) => eq(get(e, ctx));
  }
  if (Array.isArray(cond)) {
    const set = valueSet(cond, false);
    return (e, ctx) => set.has(get(e, ctx));
  }
  const nocase = cond.nocase === true;
  const flags = nocase ? 'i' : '';
  if (cond.eq !== undefined) { const eq = equalsTo(cond.eq, nocase); tests.push((v) => eq(v)); }
  if (cond.ne !== undefined) { const eq = equalsTo(cond.ne, nocase); tests.push((v) => !eq(v)); }
  if (cond.in) {
    const set = valueSet(cond.in, nocase);
    tests.push(nocase ? (v) => set.has(typeof v === 'string' ? v.toLowerCase() : v) : (v) => set.has(v));
  }
  if (cond.not_in) {
    const set = valueSet(cond.not_in, nocase);
    tests.push(nocase ? (v) => !set.has(typeof v === 'string' ? v.toLowerCase() : v) : (v) => !set.has(v));
  }
  if (cond.gt !== undefined) { const n = cond.gt; tests.push((v) => typeof v === 'number' && v > n); }
  if (cond.gte !== undefined) { const n = cond.gte; tests.push((v) => typeof v === 'number' && v >= n); }
  if (cond.lt !== undefined) { const n = cond.lt; tests.push((v) => typeof v === 'number' && v < n); }
  if (cond.lte !== undefined) { const n = cond.lte; tests.push((v) => typeof v === 'number' && v <= n); }
  if (cond.cidr !== undefined) { const c = cidrList(cond.cidr); tests.push((v) => typeof v === 'string' && inCidrs(v, c)); }
  if (cond.not_cidr !== undefined) { const c = cidrList(cond.not_cidr); tests.push((v) => typeof v !== 'string' || !inCidrs(v, c)); }
  if (cond.regex !== undefined) { const r = new RegExp(cond.regex, flags); tests.push((v) => v != null && r.test(String(v))); }
  if (cond.not_regex !== undefined) { const r = new RegExp(cond.not_regex, flags); tests.push((v) => v == null || !r.test(String(v))); }
  const norm = (s: string): string => (nocase ? s.toLowerCase() : s);
  if (cond.contains !== undefined) { const s = norm(cond.contains); tests.push((v) => typeof v === 'string' && norm(v).includes(s)); }
  if (cond.starts_with !== undefined) { const s = norm(cond.starts_with); tests.push((v) => typeof v === 'string' && norm(v).startsWith(s)); }
  if (cond.ends_with !== undefined) { const s = norm(cond.ends_with); tests.push((v) => typeof v === 'string' && norm(v).endsWith(s)); }
  if (cond.private !== undefined) { const b = cond.private; tests.push((v) => typeof v === 'string' && isPrivate(v) === b); }
  if (cond.multicast !== undefined) { const b = cond.multicast; tests.push((v) => typeof v === 'string' && isMulticast(v) === b); }
  if (cond.public !== undefined) { const b = cond.public; tests.push((v) => typeof v === 'string' && isPublic(v) === b); }
  if (cond.exists !== undefined) { const b = cond.exists; tests.push((v) => (v !== null && v !== undefined && v !== '') === b); }
  if (cond.gte_field !== undefined) {
    const other = getter(cond.gte_field.field, side);
    const times = cond.gte_field.times ?? 1;
    tests.push((v, e, ctx) => {
      const o = other(e, ctx);
      return typeof v === 'number' && typeof o === 'number' && v >= times * o;
    });
  }
  if (tests.length === 1) {
    const t = tests[0]!;
    return (e, ctx) => t(get(e, ctx), e, ctx);
  }
  return (e, ctx) => {
    const v = get(e, ctx);
    for (const t of tests) if (!t(v, e, ctx)) return false;
    return true;
  };
}

/** Rough cost of evaluating a condition, so cheap and selective tests run first. */
function costOf(field: string, cond: RuleCondition): number {
  let c = field === 'device' || field === 'remote_ip' || field === 'local_ip' ? 1 : field.startsWith('qname') || field === 'dhcp_dns' ? 3 : 0;
  if (cond !== null && typeof cond === 'object' && !Array.isArray(cond)) {
    if (cond.regex !== undefined || cond.not_regex !== undefined) c += 4;
    if (cond.cidr !== undefined || cond.not_cidr !== undefined || cond.public !== undefined || cond.private !== undefined ||
        cond.multicast !== undefined) c += 3;
    if (cond.contains !== undefined || cond.starts_with !== undefined || cond.ends_with !== undefined || cond.nocase) c += 2;
  }
  return c;
}

/** Compiled predicates are stateless: one per match block, shared by every engine using the rule. */
const compiledMatches = new WeakMap<RuleMatch, Predicate>();

/** A whole match block -> one predicate (all conditions must hold), cheapest conditions first. */
export function compileMatch(m: RuleMatch): Predicate {
  const hit = compiledMatches.get(m);
  if (hit) return hit;
  const p = compileMatchUncached(m);
  compiledMatches.set(m, p);
  return p;
}

function compileMatchUncached(m: RuleMatch): Predicate {
  const side = m.device_is;
  const entries = Object.entries(m)
    .filter(([k, v]) => k !== 'event' && k !== 'device_is' && v !== undefined)
    .map(([k, v], i) => ({ k, v: v as RuleCondition, i, cost: costOf(k, v as RuleCondition) }))
    .sort((a, b) => a.cost - b.cost || a.i - b.i);
  const preds: Predicate[] = [];
  for (const { k, v } of entries) preds.push(compileCondition(k, v, side));
  const n = preds.length;
  if (n === 0) return () => true;
  if (n === 1) return preds[0]!;
  return (e, ctx) => {
    for (let i = 0; i < n; i++) if (!preds[i]!(e, ctx)) return false;
    return true;
  };
}
