// Compile a rule's match conditions into flat check lists and its field names into getters (no per-event allocation).
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

/** The reader of a field: derived ones are computed, any other is read off the event by name. */
export function getter(field: string, side?: 'src' | 'dst'): Getter {
  return derivedGetter(field, side) ?? ((e) => e[field]);
}

/** The computed fields of fields.ts DERIVED_FIELDS; null for a plain event field. */
function derivedGetter(field: string, side?: 'src' | 'dst'): Getter | null {
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
      return null;
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

// Check operators. Plain numbers, not a const enum (see DESIGN.md); testValue() and testOther() switch on them.
const EQ = 1, NE = 2, EQ_NOCASE = 3, NE_NOCASE = 4, IN = 5, NOT_IN = 6, IN_NOCASE = 7, NOT_IN_NOCASE = 8;
const GT = 9, GTE = 10, LT = 11, LTE = 12, CIDR = 13, NOT_CIDR = 14, REGEX = 15, NOT_REGEX = 16;
const CONTAINS = 17, STARTS_WITH = 18, ENDS_WITH = 19, PRIVATE = 20, MULTICAST = 21, PUBLIC = 22, EXISTS = 23, GTE_FIELD = 24;

/**
 * One test of one field's value. A match block compiles to a flat list of checks that matches()
 * walks with a switch on the operator, rather than a tree of small closures: closures made by the same
 * function literal share one call-site feedback, so with 35 rules every call through them was
 * megamorphic (never inlined). Every check has the same fields (one hidden class), so reading
 * them stays monomorphic.
 */
export interface Check {
  op: number;
  /** A rule field: read straight off the event unless derived. */
  field: string;
  /** Derived fields (device, qname, ...) are computed; null for a plain event field. */
  get: Getter | null;
  /** eq/ne: the value as written, its text and its number (so "23" matches 23 and the reverse). */
  want: unknown;
  wantStr: string;
  wantNum: number | undefined;
  /** gt/gte/lt/lte bound; gte_field factor. */
  num: number;
  set: Set<unknown> | null;
  re: RegExp | null;
  cidrs: Cidr[] | null;
  /** private/multicast/public/exists: the wanted answer. */
  flag: boolean;
  nocase: boolean;
  /** gte_field: the other field. */
  other: Getter | null;
}

function check(op: number, field: string, get: Getter | null, nocase: boolean, o: Partial<Check> = {}): Check {
  return {
    op, field, get,
    want: o.want, wantStr: o.wantStr ?? '', wantNum: o.wantNum, num: o.num ?? 0,
    set: o.set ?? null, re: o.re ?? null, cidrs: o.cidrs ?? null, flag: o.flag ?? false, nocase, other: o.other ?? null,
  };
}

/** Operands of eq/ne: the text and number forms a value may be compared in. */
function equalsOperands(want: string | number | boolean, nocase: boolean): Partial<Check> {
  if (nocase && typeof want === 'string') return { want: want.toLowerCase(), wantStr: want.toLowerCase() };
  const wantNum = typeof want === 'number' ? want : typeof want === 'string' && /^-?\d+(\.\d+)?$/.test(want) ? Number(want) : undefined;
  return { want, wantStr: String(want), wantNum };
}

/** One field condition -> its checks (all must hold), in a fixed operator order. */
export function compileCondition(field: string, cond: RuleCondition, side?: 'src' | 'dst'): Check[] {
  const get = derivedGetter(field, side);
  if (cond === null || typeof cond !== 'object') return [check(EQ, field, get, false, equalsOperands(cond, false))];
  if (Array.isArray(cond)) return [check(IN, field, get, false, { set: valueSet(cond, false) })];
  const nocase = cond.nocase === true;
  const flags = nocase ? 'i' : '';
  const out: Check[] = [];
  const add = (op: number, o: Partial<Check> = {}): void => { out.push(check(op, field, get, nocase, o)); };
  const strCase = nocase ? (s: string): string => s.toLowerCase() : (s: string): string => s;
  if (cond.eq !== undefined) add(nocase && typeof cond.eq === 'string' ? EQ_NOCASE : EQ, equalsOperands(cond.eq, nocase));
  if (cond.ne !== undefined) add(nocase && typeof cond.ne === 'string' ? NE_NOCASE : NE, equalsOperands(cond.ne, nocase));
  if (cond.in) add(nocase ? IN_NOCASE : IN, { set: valueSet(cond.in, nocase) });
  if (cond.not_in) add(nocase ? NOT_IN_NOCASE : NOT_IN, { set: valueSet(cond.not_in, nocase) });
  if (cond.gt !== undefined) add(GT, { num: cond.gt });
  if (cond.gte !== undefined) add(GTE, { num: cond.gte });
  if (cond.lt !== undefined) add(LT, { num: cond.lt });
  if (cond.lte !== undefined) add(LTE, { num: cond.lte });
  if (cond.cidr !== undefined) add(CIDR, { cidrs: cidrList(cond.cidr) });
  if (cond.not_cidr !== undefined) add(NOT_CIDR, { cidrs: cidrList(cond.not_cidr) });
  if (cond.regex !== undefined) add(REGEX, { re: new RegExp(cond.regex, flags) });
  if (cond.not_regex !== undefined) add(NOT_REGEX, { re: new RegExp(cond.not_regex, flags) });
  if (cond.contains !== undefined) add(CONTAINS, { wantStr: strCase(cond.contains) });
  if (cond.starts_with !== undefined) add(STARTS_WITH, { wantStr: strCase(cond.starts_with) });
  if (cond.ends_with !== undefined) add(ENDS_WITH, { wantStr: strCase(cond.ends_with) });
  if (cond.private !== undefined) add(PRIVATE, { flag: cond.private });
  if (cond.multicast !== undefined) add(MULTICAST, { flag: cond.multicast });
  if (cond.public !== undefined) add(PUBLIC, { flag: cond.public });
  if (cond.exists !== undefined) add(EXISTS, { flag: cond.exists });
  if (cond.gte_field !== undefined) add(GTE_FIELD, { other: getter(cond.gte_field.field, side), num: cond.gte_field.times ?? 1 });
  return out;
}

/**
 * Does the value pass one check? The operators the packs use on every event come first and stay in a
 * function small enough for V8 to inline into matches(); the rest are in testOther(). (`e` and `ctx`
 * only for gte_field.)
 */
function testValue(c: Check, v: unknown, e: AnyEvent, ctx: FieldContext): boolean {
  switch (c.op) {
    case EQ: return v === c.want || (typeof v === 'number' && v === c.wantNum) || (typeof v === 'string' && v === c.wantStr);
    case IN: return c.set!.has(v);
    case GTE: return typeof v === 'number' && v >= c.num;
    case LTE: return typeof v === 'number' && v <= c.num;
    default: return testOther(c, v, e, ctx);
  }
}

/** The operators testValue() does not handle itself. */
function testOther(c: Check, v: unknown, e: AnyEvent, ctx: FieldContext): boolean {
  switch (c.op) {
    case NE: return !(v === c.want || (typeof v === 'number' && v === c.wantNum) || (typeof v === 'string' && v === c.wantStr));
    case EQ_NOCASE: return typeof v === 'string' && v.toLowerCase() === c.wantStr;
    case NE_NOCASE: return !(typeof v === 'string' && v.toLowerCase() === c.wantStr);
    case NOT_IN: return !c.set!.has(v);
    case IN_NOCASE: return c.set!.has(typeof v === 'string' ? v.toLowerCase() : v);
    case NOT_IN_NOCASE: return !c.set!.has(typeof v === 'string' ? v.toLowerCase() : v);
    case GT: return typeof v === 'number' && v > c.num;
    case LT: return typeof v === 'number' && v < c.num;
    case CIDR: return typeof v === 'string' && inCidrs(v, c.cidrs!);
    case NOT_CIDR: return typeof v !== 'string' || !inCidrs(v, c.cidrs!);
    case REGEX: return v != null && c.re!.test(String(v));
    case NOT_REGEX: return v == null || !c.re!.test(String(v));
    case CONTAINS: return typeof v === 'string' && (c.nocase ? v.toLowerCase() : v).includes(c.wantStr);
    case STARTS_WITH: return typeof v === 'string' && (c.nocase ? v.toLowerCase() : v).startsWith(c.wantStr);
    case ENDS_WITH: return typeof v === 'string' && (c.nocase ? v.toLowerCase() : v).endsWith(c.wantStr);
    case PRIVATE: return typeof v === 'string' && isPrivate(v) === c.flag;
    case MULTICAST: return typeof v === 'string' && isMulticast(v) === c.flag;
    case PUBLIC: return typeof v === 'string' && isPublic(v) === c.flag;
    case EXISTS: return (v !== null && v !== undefined && v !== '') === c.flag;
    case GTE_FIELD: {
      const o = c.other!(e, ctx);
      return typeof v === 'number' && typeof o === 'number' && v >= c.num * o;
    }
    default: throw new Error(`unknown check ${c.op}`);
  }
}

/**
 * Every value that passes an equality check (a list or eq, case-sensitive, on a plain event field), or
 * null for any other check. The engine uses it to hand an event only to the rules that can accept the
 * value it carries (see Dispatch in engine.ts), so the list must hold every passing value.
 */
export function acceptedValues(c: Check): unknown[] | null {
  if (c.get !== null) return null;
  // A Set and a Map key both compare by SameValueZero, so a Map from these values agrees with set.has().
  if (c.op === IN) return [...c.set!];
  if (c.op === EQ) {
    // testValue: v === want, or the same number or text in the other form. NaN equals nothing under ===
    // but itself as a Map key, so leave it out of the index.
    if (typeof c.want === 'number' && Number.isNaN(c.want)) return null;
    return c.wantNum === undefined ? [c.want, c.wantStr] : [c.want, c.wantStr, c.wantNum];
  }
  return null;
}

/** Do all checks hold for the event? (A compiled match block; an empty list matches everything.) */
export function matches(checks: readonly Check[], e: AnyEvent, ctx: FieldContext): boolean {
  for (let i = 0; i < checks.length; i++) {
    const c = checks[i]!;
    if (!testValue(c, c.get === null ? e[c.field] : c.get(e, ctx), e, ctx)) return false;
  }
  return true;
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

/** Compiled match blocks are stateless: one per block, shared by every engine using the rule. */
const compiledMatches = new WeakMap<RuleMatch, Check[]>();

/** A whole match block -> its checks (all must hold), cheapest conditions first. */
export function compileMatch(m: RuleMatch): Check[] {
  const hit = compiledMatches.get(m);
  if (hit) return hit;
  const p = compileMatchUncached(m);
  compiledMatches.set(m, p);
  return p;
}

function compileMatchUncached(m: RuleMatch): Check[] {
  const side = m.device_is;
  const entries = Object.entries(m)
    .filter(([k, v]) => k !== 'event' && k !== 'device_is' && v !== undefined)
    .map(([k, v], i) => ({ k, v: v as RuleCondition, i, cost: costOf(k, v as RuleCondition) }))
    .sort((a, b) => a.cost - b.cost || a.i - b.i);
  const checks: Check[] = [];
  for (const { k, v } of entries) checks.push(...compileCondition(k, v, side));
  return checks;
}
