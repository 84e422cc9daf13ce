// The exports configuration (zod, validated at start) and the constants of the exported event schema
// (waakhond.event/1, whose zod schemas live in event-schema.ts and generate schema.json).
import { z } from 'zod';
import { SEVERITIES } from '../../../rules/engine/types.js';
import type { AlertMessage, DeviceMessage, EventMessage, HealthMessage } from './event-schema.js';

export type { AlertMessage, DeviceMessage, EventMessage, HealthMessage };

/** Version tag carried by every exported message; bump the number on any incompatible change. */
export const SCHEMA_ID = 'waakhond.event/1';

/** What a household should do about a device, worst last (the daemon computes it from alerts and advice). */
export const DEVICE_STATUSES = ['ok', 'update-advised', 'exposed', 'infected'] as const;
export type DeviceStatus = (typeof DEVICE_STATUSES)[number];

/** Site ids go into MQTT topics and Home Assistant node ids: RFC-free but HA-safe charset. */
const SITE_ID = /^[A-Za-z0-9_-]{1,64}$/;

// ---------------------------------------------------------------------------------------------
// Configuration: nothing is sent anywhere unless a section is present.

const FilePath = z.string().min(1);

export const MqttConfigSchema = z.object({
  /** mqtt://host:1883, mqtts://host:8883, ws(s)://... */
  url: z.string().regex(/^(mqtts?|wss?|tcp|ssl|tls):\/\//, 'mqtt:// mqtts:// ws:// or wss:// URL'),
  /** Topic prefix: messages go to <prefix>/<site_id>/... */
  prefix: z.string().regex(/^[^#+\u0000]{1,64}$/).default('waakhond'),
  client_id: z.string().max(64).optional(),
  username: z.string().optional(),
  password: z.string().optional(),
  /** TLS: CA bundle, client certificate and key (PEM file paths). */
  ca: FilePath.optional(),
  cert: FilePath.optional(),
  key: FilePath.optional(),
  reject_unauthorized: z.boolean().default(true),
  keepalive_s: z.number().int().min(5).max(3600).default(60),
  reconnect_ms: z.number().int().min(50).max(600_000).default(5000),
  /** Messages kept while the broker is away; beyond it the oldest are dropped (and counted). */
  queue_max: z.number().int().min(1).max(1_000_000).default(10_000),
  /** QoS 1 publishes awaiting PUBACK at once; beyond it messages wait in the bounded queue. */
  max_inflight: z.number().int().min(1).max(65_535).default(100),
  /** Retain device state and health on the broker (Home Assistant needs it; a fleet feeding Kafka may not want it). */
  retain_state: z.boolean().default(true),
  /** After a reconnect, publish the latest retained device state and discovery again (a broker restarted without persistence forgot them). */
  republish_on_reconnect: z.boolean().default(true),
  homeassistant: z.object({
    enabled: z.boolean().default(true),
    discovery_prefix: z.string().regex(/^[^#+\u0000]{1,64}$/).default('homeassistant'),
  }).strict().default({ enabled: true, discovery_prefix: 'homeassistant' }),
}).strict().refine((m) => m.retain_state || !m.homeassistant.enabled, {
  message: 'homeassistant discovery needs retain_state: true (HA reads the retained device state)', path: ['retain_state'],
});

export const SyslogConfigSchema = z.object({
  /**
   * udp: RFC 5426 datagrams; tcp: RFC 6587 octet counting; unix: a local stream socket (LF-framed), and when the
   * socket is a datagram socket (/dev/log of journald, rsyslog, OpenWrt logd) lines go through logger(1) instead;
   * logger: always through logger(1) (one per severity, long-lived).
   */
  transport: z.enum(['unix', 'udp', 'tcp', 'logger']),
  path: z.string().default('/dev/log'),
  host: z.string().default('127.0.0.1'),
  port: z.number().int().min(1).max(65535).default(514),
  /** RFC 5424 6.2.1 facility name. */
  facility: z.enum(['kern', 'user', 'daemon', 'auth', 'syslog', 'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7']).default('daemon'),
  app_name: z.string().regex(/^[!-~]{1,48}$/).default('waakhond'),
  /** HOSTNAME field; default os.hostname(). */
  hostname: z.string().regex(/^[!-~]{1,255}$/).optional(),
  /** MSG: a line of text for people (default) or the waakhond.event/1 JSON. */
  format: z.enum(['text', 'json']).default('text'),
  /** Which messages: alerts, device changes, health. */
  include: z.array(z.enum(['alert', 'device', 'health'])).default(['alert', 'device']),
  queue_max: z.number().int().min(1).max(1_000_000).default(1000),
  /** First reconnect delay for tcp/unix; doubles up to a minute. */
  reconnect_ms: z.number().int().min(10).max(600_000).default(1000),
  /** logger(1) binary for the logger transport. */
  logger_path: z.string().default('logger'),
}).strict();

export const WebhookConfigSchema = z.object({
  url: z.string().regex(/^https?:\/\//, 'http:// or https:// URL'),
  /** json: the waakhond.event/1 message; ntfy: plain text body with Title/Priority/Tags headers (ntfy.sh compatible). */
  format: z.enum(['json', 'ntfy']).default('json'),
  /** HMAC-SHA256 key: X-Waakhond-Signature: sha256=HMAC(secret, timestamp + "." + body). */
  secret: z.string().min(16).optional(),
  /** Which alert changes are posted. */
  events: z.array(z.enum(['raised', 'updated', 'cleared'])).default(['raised', 'cleared']),
  min_severity: z.enum(SEVERITIES).default('low'),
  /** Post "a new device joined" (the baseline's info alert) whatever min_severity says: the household
   *  wants to hear what just appeared on its network, as Fing and Firewalla users do (issue #11). */
  new_devices: z.boolean().default(true),
  /** Extra headers, e.g. Authorization for ntfy access tokens. */
  headers: z.record(z.string(), z.string()).default({}),
  timeout_ms: z.number().int().min(100).max(120_000).default(10_000),
  /** Attempts after the first; delays backoff_ms * 2^n, capped at backoff_max_ms. */
  retries: z.number().int().min(0).max(20).default(5),
  backoff_ms: z.number().int().min(1).max(600_000).default(1000),
  backoff_max_ms: z.number().int().min(1).max(3_600_000).default(300_000),
  queue_max: z.number().int().min(1).max(100_000).default(1000),
}).strict();

export const ExportsConfigSchema = z.object({
  /** Names this home in topics and messages (an ISP uses its customer/CPE id). */
  site_id: z.string().regex(SITE_ID, 'site_id: 1-64 of A-Z a-z 0-9 _ -').default('home'),
  /** Health is sent at most this often (batched: the latest counters win). */
  health_interval_s: z.number().min(0).max(86_400).default(300),
  /** An alert's "updated" messages go out at most this often per alert, latest wins (raised/cleared go at once). */
  alert_update_interval_s: z.number().min(0).max(86_400).default(60),
  /** A device whose identity and status did not change is re-sent at most this often (last_seen alone is no change). */
  device_refresh_s: z.number().min(0).max(7 * 86_400).default(3600),
  mqtt: MqttConfigSchema.optional(),
  syslog: SyslogConfigSchema.optional(),
  webhooks: z.array(WebhookConfigSchema).max(16).default([]),
}).strict();

export type MqttConfig = z.output<typeof MqttConfigSchema>;
export type SyslogConfig = z.output<typeof SyslogConfigSchema>;
export type WebhookConfig = z.output<typeof WebhookConfigSchema>;
/** The exports section as written by people (defaults optional). */
export type ExportsConfigInput = z.input<typeof ExportsConfigSchema>;
/** The validated exports configuration. */
export type ExportsConfig = z.output<typeof ExportsConfigSchema>;

/** Validate an exports configuration; throws an Error naming every bad field. */
export function parseExportsConfig(input: unknown): ExportsConfig {
  const r = ExportsConfigSchema.safeParse(input);
  if (r.success) return r.data;
  const lines = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  throw new Error(`invalid exports configuration:\n  ${lines.join('\n  ')}`);
}
