// The exported event schema (waakhond.event/1) as zod (v4) schemas: the one source of truth for what leaves the box;
// schema.json is generated from these (npm run -s gen:schema, checked by a test). Types only at run time: the daemon
// never imports this file's values, so zod v4 (and its JSON Schema generator) stays out of the daemon's memory.
import { z } from 'zod/v4';
import { CATEGORIES } from '../../../sensor/inventory/types.js';
import { SEVERITIES } from '../../../rules/engine/types.js';
import { DEVICE_STATUSES, SCHEMA_ID } from './schema.js';

/** Site ids and MAC-derived ids go into MQTT topics and Home Assistant node ids: RFC-free but HA-safe charset. */
const SITE_ID = /^[A-Za-z0-9_-]{1,64}$/;
const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;
const ISO = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/, 'ISO-8601 UTC time');

// ---------------------------------------------------------------------------------------------
// Messages

const Envelope = {
  schema: z.literal(SCHEMA_ID),
  site: z.string().regex(SITE_ID),
  /** When it happened (capture time of the last packet involved), ISO-8601 UTC. */
  time: ISO,
};

export const DeviceInfoSchema = z.object({
  mac: z.string().regex(MAC),
  ips: z.array(z.string()).max(16),
  ipv6: z.array(z.string()).max(16),
  vendor: z.string().max(128).nullable(),
  model: z.string().max(128).nullable(),
  category: z.enum(CATEGORIES),
  name: z.string().max(128).nullable(),
  /** Self-given hostname: hostile text, escape when rendering. */
  hostname: z.string().max(128).nullable(),
  confidence: z.number().min(0).max(1),
  status: z.enum(DEVICE_STATUSES),
  private_mac: z.boolean(),
  first_seen: ISO,
  last_seen: ISO,
  /** The strongest evidence, in words (at most 5). */
  evidence: z.array(z.string().max(256)).max(5),
  /** Added to waakhond.event/1: 'user' when the household said what it is (it outranks inference). */
  identity: z.enum(['user', 'inferred']).optional(),
  /** Added to waakhond.event/1: every MAC the device was seen as (a phone's private addresses), its key (mac) first. */
  seen_as: z.array(z.string().regex(MAC)).max(16).optional(),
}).strict();

export const DeviceMessageSchema = z.object({
  ...Envelope,
  kind: z.literal('device'),
  /** seen: first message about this device since start; changed: identity or status changed; forgotten: removed. */
  change: z.enum(['seen', 'changed', 'forgotten']),
  device: DeviceInfoSchema,
}).strict();

export const AlertInfoSchema = z.object({
  id: z.string().max(256),
  rule: z.string().max(128),
  title: z.string().max(256),
  severity: z.enum(SEVERITIES),
  /** The home device (MAC) the alert is about, or null. */
  device: z.string().regex(MAC).nullable(),
  first_seen: ISO,
  last_seen: ISO,
  count: z.number().int().min(0),
  summary: z.string().max(1024),
  /** Advice id (rules/advice): update, change-password, disable-telnet, disable-upnp, infected-reset, ask-isp, check-device. */
  advice: z.string().max(64).nullable(),
  group: z.record(z.string(), z.string().max(256)),
  /** The first evidence items in words (at most 5). */
  evidence: z.array(z.object({ detail: z.string().max(512), time: ISO.nullable() }).strict()).max(5),
  /**
   * Added to waakhond.event/1: title and summary as the household reads them, per language, the device
   * named as they know it (title/summary above stay the technical English ones).
   */
  text: z.object({
    nl: z.object({ title: z.string().max(256), summary: z.string().max(1024) }).strict(),
    en: z.object({ title: z.string().max(256), summary: z.string().max(1024) }).strict(),
  }).strict().optional(),
}).strict();

export const AlertMessageSchema = z.object({
  ...Envelope,
  kind: z.literal('alert'),
  change: z.enum(['raised', 'updated', 'cleared']),
  alert: AlertInfoSchema,
}).strict();

const Count = z.number().int().min(0);

export const HealthInfoSchema = z.object({
  packets: Count,
  bytes: Count,
  malformed: Count,
  unsupported_link: Count,
  ip_fragments: Count,
  dropped: Count.nullable(),
  flows_active: Count,
  flows_evicted: Count,
  /** Bounded tables that are full (pressure warnings). */
  tables_full: z.array(z.string().max(64)).max(32),
  devices: Count.nullable(),
  alerts: Count.nullable(),
  /** Per exporter: messages (and payload bytes) waiting now, dropped so far (oldest first), sent, failed. */
  exports: z.record(z.string(), z.object({ queued: Count, queued_bytes: Count, dropped: Count, sent: Count, failed: Count }).strict()),
}).strict();

export const HealthMessageSchema = z.object({
  ...Envelope,
  kind: z.literal('health'),
  health: HealthInfoSchema,
}).strict();

export const EventMessageSchema = z.discriminatedUnion('kind', [DeviceMessageSchema, AlertMessageSchema, HealthMessageSchema]);

export type DeviceMessage = z.infer<typeof DeviceMessageSchema>;
export type AlertMessage = z.infer<typeof AlertMessageSchema>;
export type HealthMessage = z.infer<typeof HealthMessageSchema>;
export type EventMessage = z.infer<typeof EventMessageSchema>;

/** The JSON Schema (draft 2020-12) of every exported message: what schema.json holds. */
export function eventJsonSchema(): Record<string, unknown> {
  const s = z.toJSONSchema(EventMessageSchema, { target: 'draft-2020-12', io: 'output' }) as Record<string, unknown>;
  return {
    $schema: s.$schema,
    $id: 'https://waakhond.invalid/schema/waakhond.event-1.json',
    title: `Waakhond exported event (${SCHEMA_ID})`,
    description: 'Every message Waakhond sends over MQTT, syslog (json mode) or webhooks (json mode).',
    ...Object.fromEntries(Object.entries(s).filter(([k]) => k !== '$schema')),
  };
}

