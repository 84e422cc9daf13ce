// One identity per device: private MACs the inventory linked (same_device_as) become one device keyed by its first MAC.
//
// Phones and laptops rotate locally administered MACs (IEEE 802c): iOS 14+ uses one private address
// per network and, since iOS 18, may rotate it; Android 10+ randomises per network and, with
// "non-persistent" randomisation, per connection/day. The inventory links such MACs when they share a
// DHCP client id or a name (README: "same_device_as"), but keeps one record per MAC. Here a linked
// group becomes ONE device for people: the report, the API, MQTT and the dashboard.
//
// The key is the group's FIRST MAC (earliest first_seen, then the smaller MAC): it never changes when
// the phone rotates again, so alerts, names, answers and Home Assistant entities keyed by it stay put.
// The newest MAC would follow the phone but move every key on every rotation.
import type { Device, Evidence } from './types.js';

/** A device as people see it: its key MAC plus every MAC it was seen as (key first, then by first_seen). */
export interface OneDevice extends Device {
  seen_as: string[];
}

/** MACs kept per device (the inventory links at most 16 per device as well). */
export const SEEN_AS_MAX = 16;
/** Addresses kept on the merged device (the inventory keeps 8 per MAC). */
const MAX_IPS = 8;

/** The MACs linked to `mac`, transitively, that `get` still knows (the device itself first). */
export function groupOf(mac: string, get: (mac: string) => Device | undefined): Device[] {
  const first = get(mac);
  if (!first) return [];
  const out = new Map<string, Device>([[first.mac, first]]);
  const todo = [first];
  while (todo.length && out.size < SEEN_AS_MAX) {
    const d = todo.pop()!;
    for (const other of d.same_device_as ?? []) {
      if (out.has(other)) continue;
      const o = get(other);
      if (!o) continue;
      out.set(o.mac, o);
      todo.push(o);
      if (out.size >= SEEN_AS_MAX) break;
    }
  }
  return [...out.values()];
}

/** The key of a group: the earliest seen MAC (ties: the smaller MAC, so analyze and the daemon agree). */
export function keyOf(members: Device[]): string {
  let best = members[0];
  for (const m of members) if (m.first_seen < best.first_seen || (m.first_seen === best.first_seen && m.mac < best.mac)) best = m;
  return best.mac;
}

/** The "seen as" evidence line people read; the MACs are the only new fact, so that is all it says. */
export function seenAsEvidence(macs: string[], ts: number | undefined): Evidence {
  return { source: 'dhcp', detail: `seen as ${macs.join(', ')} (private addresses)`, weight: 0, ts };
}

/**
 * One device from the MACs of one group (plus MACs it was seen as before, e.g. before a restart). Identity (vendor, model, category, name, confidence) comes from
 * the member the inventory is surest of; addresses and hostname from the newest member (where the phone is
 * now); times span the group; evidence is the union, with the "seen as" line first. `key` defaults to keyOf.
 */
export function mergeGroup(members: Device[], key = keyOf(members), alsoSeenAs: string[] = []): OneDevice {
  const byFirst = [...members].sort((a, b) => a.first_seen - b.first_seen || (a.mac < b.mac ? -1 : 1));
  const newestFirst = [...members].sort((a, b) => b.last_seen - a.last_seen || (a.mac < b.mac ? -1 : 1));
  let sure = members[0];
  for (const m of members) if (m.confidence > sure.confidence || (m.confidence === sure.confidence && m.last_seen > sure.last_seen)) sure = m;
  const seen = [...new Set([key, ...alsoSeenAs, ...byFirst.map((m) => m.mac)])].slice(0, SEEN_AS_MAX);
  const union = (pick: (d: Device) => string[]) => [...new Set(newestFirst.flatMap(pick))].slice(0, MAX_IPS);
  const evidence = new Map<string, Evidence>();
  for (const m of newestFirst) for (const e of m.evidence) if (!evidence.has(e.detail)) evidence.set(e.detail, { ...e });
  const lines = [...evidence.values()].sort((a, b) => (b.weight ?? 0) - (a.weight ?? 0));
  const { same_device_as: _links, ...base } = sure;
  return {
    ...base,
    mac: key,
    ips: union((d) => d.ips),
    ipv6: union((d) => d.ipv6),
    hostname: newestFirst.find((m) => m.hostname)?.hostname ?? null,
    first_seen: Math.min(...members.map((m) => m.first_seen)),
    last_seen: Math.max(...members.map((m) => m.last_seen)),
    private_mac: members.some((m) => m.private_mac),
    evidence: seen.length > 1 ? [seenAsEvidence(seen, byFirst[0].first_seen), ...lines] : lines,
    seen_as: seen,
  };
}

/** Every device once: linked private MACs merged. `aliases` maps each MAC to its device's key. */
export function oneDevicePerDevice(devices: Device[]): { devices: OneDevice[]; aliases: Map<string, string> } {
  const byMac = new Map(devices.map((d) => [d.mac, d]));
  const aliases = new Map<string, string>();
  const out: OneDevice[] = [];
  for (const d of devices) {
    if (aliases.has(d.mac)) continue;
    const members = groupOf(d.mac, (m) => byMac.get(m));
    const merged = mergeGroup(members);
    for (const m of members) aliases.set(m.mac, merged.mac);
    out.push(merged);
  }
  return { devices: out, aliases };
}
