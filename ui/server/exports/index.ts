// The exports front door the daemon calls: turns device, alert and health changes into waakhond.event/1 messages,
// deduplicates and batches them, and hands them to each configured exporter (MQTT, syslog, webhooks) without blocking.
import type { Device } from '../../../sensor/inventory/types.js';
import type { Alert } from '../../../rules/engine/types.js';
import { parseExportsConfig } from './schema.js';
import type { AlertMessage, DeviceMessage, DeviceStatus, ExportsConfig, ExportsConfigInput, HealthMessage } from './schema.js';
import { alertMessage, deviceMessage, healthMessage } from './messages.js';
import type { DeviceNames, ExportCounters, HealthInput } from './messages.js';
import { MqttExporter } from './mqtt.js';
import { SyslogExporter } from './syslog.js';
import { WebhookExporter } from './webhook.js';

export type { DeviceStatus, ExportsConfig, ExportsConfigInput } from './schema.js';
export { DEVICE_STATUSES, SCHEMA_ID, parseExportsConfig } from './schema.js';

/** What one exporter does with messages; every method returns at once (queues, never waits on the network). */
export interface ExportSink {
  readonly name: string;
  device(msg: DeviceMessage): void;
  alert(msg: AlertMessage): void;
  health(msg: HealthMessage): void;
  counters(): { queued: number; queued_bytes: number; dropped: number; sent: number; failed: number };
  close(): Promise<void>;
}

export interface Exporters {
  /** A device was seen or its identity/status changed. Unchanged devices are re-sent at most every device_refresh_s. */
  deviceChanged(d: Device, status: DeviceStatus): void;
  /** A device was forgotten (evicted or removed by the user): retained state and Home Assistant entities go away. */
  deviceForgotten(mac: string): void;
  /** names: the device's name per language for the household texts (views.ts deviceLabel). */
  alert(a: Alert, change: 'raised' | 'updated' | 'cleared', names?: DeviceNames): void;
  health(h: HealthInput): void;
  /** Counters per exporter (also inside each health message). */
  counters(): ExportCounters;
  /** Flush batched updates, give queued messages a moment to leave, and close connections. */
  close(): Promise<void>;
  /** The MQTT exporter when configured: the act room listens for fleet commands and publishes act state on it. */
  mqtt?: MqttExporter;
  /**
   * True when no export is configured (start.ts): every method does nothing, so the daemon skips
   * building what it would pass (a device's export view, its names, table counts) on each event.
   */
  idle?: boolean;
}

/** Bound on the per-device and per-alert memory of what was last sent. */
const MAX_TRACKED = 65_536;

export interface ExportsOptions {
  /** Extra sinks (tests, measurements). */
  sinks?: ExportSink[];
  /** Clock in milliseconds for the batching intervals (default Date.now; a replay may pass capture time). */
  now?: () => number;
}

/** Start the configured exporters; with no mqtt/syslog/webhooks section nothing is ever sent. */
export function startExports(cfgIn: ExportsConfig | ExportsConfigInput, log: (msg: string) => void, opts: ExportsOptions = {}): Exporters {
  const cfg = parseExportsConfig(cfgIn);
  const site = cfg.site_id;
  const sinks: ExportSink[] = opts.sinks ? [...opts.sinks] : [];
  const clock = opts.now ?? Date.now;
  const mqtt = cfg.mqtt ? new MqttExporter(cfg.mqtt, site, log) : undefined;
  if (mqtt) sinks.push(mqtt);
  if (cfg.syslog) sinks.push(new SyslogExporter(cfg.syslog, site, log));
  cfg.webhooks.forEach((w, i) => sinks.push(new WebhookExporter(w, site, log, `webhook${i}`)));

  // What was last sent per device: identity+status key and when, so last_seen ticks are not re-sent.
  const sentDevices = new Map<string, { key: string; at: number }>();
  // Throttled "updated" alerts: when each id last went out, and the latest update waiting.
  const alertSentAt = new Map<string, number>();
  const pendingUpdates = new Map<string, AlertMessage>();
  let pendingHealth: HealthInput | null = null;
  let healthSentAt = -Infinity;
  let closed = false;

  const counters = (): ExportCounters => Object.fromEntries(sinks.map((s) => [s.name, s.counters()]));

  const each = (f: (s: ExportSink) => void): void => {
    for (const s of sinks) {
      try {
        f(s);
      } catch (err) {
        log(`exports: ${s.name}: ${(err as Error).message}`);
      }
    }
  };

  const bound = <V>(m: Map<string, V>): void => {
    // Maps keep insertion order: the first key is the oldest.
    while (m.size > MAX_TRACKED) m.delete(m.keys().next().value as string);
  };

  const sendHealth = (now: number): void => {
    if (!pendingHealth) return;
    const msg = healthMessage(site, pendingHealth, counters());
    pendingHealth = null;
    healthSentAt = now;
    each((s) => s.health(msg));
  };

  const tick = (): void => {
    const now = clock();
    const upd = cfg.alert_update_interval_s * 1000;
    for (const [id, msg] of pendingUpdates) {
      if (now - (alertSentAt.get(id) ?? -Infinity) >= upd) {
        pendingUpdates.delete(id);
        alertSentAt.delete(id);
        alertSentAt.set(id, now);
        bound(alertSentAt);
        each((s) => s.alert(msg));
      }
    }
    if (pendingHealth && now - healthSentAt >= cfg.health_interval_s * 1000) sendHealth(now);
  };
  const timer = setInterval(tick, 1000);
  timer.unref();

  if (sinks.length === 0) log('exports: none configured, nothing is sent');

  return {
    mqtt,
    deviceChanged(d, status) {
      if (closed || sinks.length === 0) return;
      const now = clock();
      const prev = sentDevices.get(d.mac);
      const msg = deviceMessage(site, d, status, prev ? 'changed' : 'seen');
      const { last_seen: _ls, ...identity } = msg.device;
      const key = JSON.stringify(identity);
      if (prev && prev.key === key && now - prev.at < cfg.device_refresh_s * 1000) return;
      sentDevices.delete(d.mac);
      sentDevices.set(d.mac, { key, at: now });
      bound(sentDevices);
      each((s) => s.device(msg));
    },
    deviceForgotten(mac) {
      if (closed || sinks.length === 0) return;
      sentDevices.delete(mac);
      const now = clock();
      const msg: DeviceMessage = {
        ...deviceMessage(site, {
          mac, ips: [], ipv6: [], vendor: null, model: null, category: 'other', name: null, hostname: null,
          confidence: 0, evidence: [], first_seen: now * 1000, last_seen: now * 1000, private_mac: false,
        }, 'ok', 'forgotten'),
      };
      each((s) => s.device(msg));
    },
    alert(a, change, names) {
      if (closed || sinks.length === 0) return;
      const msg = alertMessage(site, a, change, names);
      const now = clock();
      if (change === 'updated') {
        const last = alertSentAt.get(a.id) ?? -Infinity;
        if (now - last < cfg.alert_update_interval_s * 1000) {
          pendingUpdates.set(a.id, msg); // latest wins; sent by tick()
          bound(pendingUpdates);
          return;
        }
      }
      pendingUpdates.delete(a.id);
      if (change === 'cleared') alertSentAt.delete(a.id);
      else {
        alertSentAt.delete(a.id);
        alertSentAt.set(a.id, now);
        bound(alertSentAt);
      }
      each((s) => s.alert(msg));
    },
    health(h) {
      if (closed || sinks.length === 0) return;
      pendingHealth = h;
      const now = clock();
      if (now - healthSentAt >= cfg.health_interval_s * 1000) sendHealth(now);
    },
    counters,
    async close() {
      if (closed) return;
      // Batched updates and the latest health go out before closing: nothing waiting is lost on a clean stop.
      for (const [, msg] of pendingUpdates) each((s) => s.alert(msg));
      pendingUpdates.clear();
      if (pendingHealth) sendHealth(clock());
      closed = true;
      clearInterval(timer);
      await Promise.all(sinks.map((s) => s.close().catch((err: Error) => log(`exports: ${s.name}: close: ${err.message}`))));
    },
  };
}
