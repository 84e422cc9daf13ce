// The shape of every stored record (zod), checked on load: a record that does not fit is set aside with its reason
// and the rest of the store loads, so one bad device (evidence: null, a hand edit, a bug in an older version) can
// never make a page answer 500 or cost the household the whole store.
//
// Records keep fields this schema does not name (passthrough): a newer version's additions survive an older check.
import { z } from 'zod';
import { CATEGORIES } from '../../../sensor/inventory/types.js';
import { SEVERITIES } from '../../../rules/engine/types.js';
import { fastSafeParse } from '../../../sensor/zod-fast.js';

const num = z.number().finite();
const str = z.string();
const nstr = z.string().nullable();
const strs = z.array(z.string());

const evidence = z.object({
  source: str,
  detail: str,
  vendor: str.optional(),
  model: str.optional(),
  category: z.enum(CATEGORIES).optional(),
  weight: num.optional(),
  ts: num.optional(),
}).passthrough();

export const storedDeviceSchema = z.object({
  mac: str,
  ips: strs,
  ipv6: strs,
  vendor: nstr,
  model: nstr,
  category: z.enum(CATEGORIES),
  name: nstr,
  hostname: nstr,
  confidence: num,
  evidence: z.array(evidence),
  first_seen: num,
  last_seen: num,
  private_mac: z.boolean(),
  same_device_as: strs.optional(),
  // Points are mended to five finite numbers each before the check (checkRecords): 120 points x 1000 devices
  // through zod again would double the start-up cost of the check.
  traffic: z.array(z.unknown()),
  seen_as: strs.optional(),
  client_id: str.optional(),
}).passthrough();

export const storedAlertSchema = z.object({
  id: str,
  rule: str,
  title: str,
  severity: z.enum(SEVERITIES),
  device: nstr,
  first_seen: num,
  last_seen: num,
  count: num,
  summary: str,
  evidence: z.array(z.object({ detail: str, ts: num.optional() }).passthrough()),
  advice: nstr,
  group: z.record(z.string(), z.string()),
  stored_at: num,
}).passthrough();

export const adviceStateSchema = z.object({
  state: z.enum(['done', 'snoozed']),
  at: num,
  until: num.optional(),
  capture_at: num.optional(),
}).passthrough();

export const answerSchema = z.object({
  category: z.enum(CATEGORIES).nullable(),
  vendor: nstr,
  name: nstr,
  at: num,
  anchors: z.object({ client_id: nstr, hostname: nstr }),
  moved_from: str.optional(),
}).passthrough();

/** One record set aside on load, with why. */
export interface RejectedRecord {
  table: string;
  key: string;
  reason: string;
  record: unknown;
}

type Table = Record<string, unknown>;

/** First issue of a failed parse, as "path: message". */
function reasonOf(err: z.ZodError): string {
  const i = err.issues[0];
  return i ? `${i.path.join('.') || '(record)'}: ${i.message}` : 'invalid';
}

function checkTable(name: string, table: Table, schema: z.ZodTypeAny | null, rejected: RejectedRecord[], keyField?: string): void {
  for (const [key, rec] of Object.entries(table)) {
    let reason: string | null = null;
    if (schema) {
      const r = fastSafeParse(schema, rec);
      if (!r.success) reason = reasonOf(r.error);
      else if (keyField && (rec as Record<string, unknown>)[keyField] !== key) reason = `${keyField}: ${JSON.stringify((rec as Record<string, unknown>)[keyField])} is not its key`;
    } else if (typeof rec !== 'string') reason = `not a string (${rec === null ? 'null' : typeof rec})`;
    if (reason) {
      rejected.push({ table: name, key, reason, record: rec });
      delete table[key];
    }
  }
}

/**
 * Checks every record of a store document that passed the top-level check (validateStore), removing those that do
 * not fit and returning them. Mends what it safely can first: a missing or non-list traffic series becomes empty
 * and points that are not five numbers are dropped (traffic is the least precious data; the device is kept).
 */
export function checkRecords(data: Record<string, unknown>): RejectedRecord[] {
  const rejected: RejectedRecord[] = [];
  const devices = data.devices as Table;
  for (const d of Object.values(devices)) {
    if (d && typeof d === 'object' && !Array.isArray(d)) {
      const dev = d as { traffic?: unknown };
      dev.traffic = Array.isArray(dev.traffic)
        ? dev.traffic.filter((p) => Array.isArray(p) && p.length === 5 && p.every((x) => typeof x === 'number' && Number.isFinite(x)))
        : [];
    }
  }
  checkTable('devices', devices, storedDeviceSchema, rejected, 'mac');
  checkTable('alerts', data.alerts as Table, storedAlertSchema, rejected, 'id');
  checkTable('advice', data.advice as Table, adviceStateSchema, rejected);
  checkTable('names', data.names as Table, null, rejected);
  if (data.answers) checkTable('answers', data.answers as Table, answerSchema, rejected);
  if (data.aliases) checkTable('aliases', data.aliases as Table, null, rejected);
  const settings = data.settings as Record<string, unknown>;
  const pw = settings.password_hash;
  if (pw !== null && pw !== undefined && typeof pw !== 'string') {
    rejected.push({ table: 'settings', key: 'password_hash', reason: `not a string (${typeof pw})`, record: pw });
    settings.password_hash = null;
  }
  if (pw === undefined) settings.password_hash = null;
  return rejected;
}
