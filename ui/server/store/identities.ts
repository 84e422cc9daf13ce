// Keeps one stored device per physical device: linked private MACs fold into one key, and a household's answer follows a re-keyed device.
//
// The inventory restarts empty while the store does not: the key a device had before (an alias in the
// store) wins over the one the inventory would pick now, so alerts, names, answers and Home Assistant
// entities stay on one key across restarts and rotations. See sensor/inventory/one-device.ts for the
// choice of key (the first MAC).
import type { Device } from '../../../sensor/inventory/types.js';
import { keyOf as firstMacOf, mergeGroup } from '../../../sensor/inventory/one-device.js';
import type { Store } from './store.js';

export interface Stored {
  /** The key the device is stored under. */
  key: string;
  /** Keys that were separate devices and are now folded into `key` (exports must forget them). */
  folded: string[];
  /** The MAC an answer was moved from, when the device took over an answer given for another MAC. */
  adopted: string | null;
}

/**
 * Stores one device from the inventory's members of one group (groupOf): picks the key (a key the store
 * already has for any member, the earliest-seen one if several; else the group's first MAC), folds other
 * stored records of the same device into it and upserts the merged device.
 */
export function storeGroup(store: Store, members: Device[]): Stored {
  const known = new Set<string>();
  for (const m of members) {
    const k = store.keyOf(m.mac);
    if (store.data.devices[k]) known.add(k);
  }
  // Only today's MACs are stored (or none): this may be a phone the store knew before a restart. Looked
  // for only when a member is new to the store or brings a name it did not have (the look is a scan).
  const news = members.some((m) => {
    const s = store.data.devices[store.keyOf(m.mac)];
    return !s || (!!m.hostname && s.hostname?.toLowerCase() !== m.hostname.toLowerCase());
  });
  if (news && [...known].every((k) => members.some((m) => m.mac === k))) {
    const before = rememberedPrivate(store, members);
    if (before) known.add(before);
  }
  const stored = [...known].map((k) => store.data.devices[k]);
  let key: string;
  if (stored.length) {
    stored.sort((a, b) => a.first_seen - b.first_seen || (a.mac < b.mac ? -1 : 1));
    // The earliest stored key stays the key (what points at it stays put); later stored records of the
    // same device fold into it below. Only a group the store has never seen gets a key of its own.
    key = stored[0].mac;
  } else key = firstMacOf(members);
  const folded: string[] = [];
  for (const k of known) if (k !== key && store.fold(k, key)) folded.push(k);
  const prev = store.data.devices[key];
  const merged = mergeGroup(members, key, prev?.seen_as ?? []);
  if (prev && prev.first_seen < merged.first_seen) merged.first_seen = prev.first_seen;
  store.upsertDevice(merged);
  const adopted = adoptAnswer(store, key);
  return { key, folded, adopted };
}

/**
 * After a restart the inventory has forgotten the links it made: a phone that shows up under a new private
 * MAC is the stored private device with the same name (the inventory's own link rule, README) provided that
 * one has gone quiet before this one appeared (a second phone with the same name online at once is not it).
 */
function rememberedPrivate(store: Store, members: Device[]): string | null {
  if (!members.every((m) => m.private_mac)) return null;
  const names = new Set(members.map((m) => m.hostname?.toLowerCase()).filter((h): h is string => !!h));
  if (!names.size) return null;
  const since = Math.min(...members.map((m) => m.first_seen));
  for (const d of Object.values(store.data.devices)) {
    if (d.private_mac && d.hostname && names.has(d.hostname.toLowerCase()) && d.last_seen <= since && !members.some((m) => m.mac === d.mac)) return d.mac;
  }
  return null;
}

/**
 * A device with no answer of its own takes over the answer given for another MAC when it is that device
 * under a new MAC: the same DHCP client id (RFC 2132 9.14: the client chose it, it is not its MAC), or
 * the same hostname while the answered MAC has gone quiet (last seen before this one first appeared):
 * two identical cameras named "IPCAM" both online keep their own answers. Returns the MAC it came from.
 */
export function adoptAnswer(store: Store, key: string): string | null {
  const d = store.data.devices[key];
  if (!d || store.data.answers[key]) return null;
  const host = d.hostname?.toLowerCase() ?? null;
  if (!d.client_id && !host) return null;
  for (const [from, a] of Object.entries(store.data.answers)) {
    if (from === key) continue;
    const old = store.data.devices[from];
    // An answer given for one of this device's own MACs is already this device's (fold moved it).
    const sameCid = !!d.client_id && a.anchors.client_id === d.client_id;
    const quiet = !old || old.last_seen <= d.first_seen;
    const sameHost = !!host && a.anchors.hostname?.toLowerCase() === host && quiet;
    if ((sameCid && quiet) || sameHost) {
      store.moveAnswer(from, key);
      return from;
    }
  }
  return null;
}
