// MQTT exporter: retained device state, QoS 1 alerts, batched health and Home Assistant discovery under
// <prefix>/<site>/..., with a bounded queue while the broker is away (oldest dropped, counted) flushed on reconnect.
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import mqtt from 'mqtt';
import type { IClientOptions, MqttClient } from 'mqtt';
import { BoundedQueue } from './queue.js';
import { DEVICE_STATUSES } from './schema.js';
import type { AlertMessage, DeviceMessage, HealthMessage, MqttConfig } from './schema.js';
import type { ExportSink } from './index.js';

interface Outgoing {
  topic: string;
  payload: string;
  qos: 0 | 1;
  retain: boolean;
}

/** The MQTT topics of one site; HA ids use the MAC without colons. */
export function mqttTopics(prefix: string, site: string, discoveryPrefix = 'homeassistant') {
  const base = `${prefix}/${site}`;
  const node = `waakhond_${site}`;
  return {
    base,
    status: `${base}/status`,
    alert: `${base}/alert`,
    health: `${base}/health`,
    deviceState: (mac: string) => `${base}/device/${macId(mac)}/state`,
    haProblem: (mac: string) => `${discoveryPrefix}/binary_sensor/${node}/${macId(mac)}_problem/config`,
    haStatus: (mac: string) => `${discoveryPrefix}/sensor/${node}/${macId(mac)}_status/config`,
    haBirth: `${discoveryPrefix}/status`,
    haSensor: `${discoveryPrefix}/sensor/${node}/alerts/config`,
    /** ISP mode (ui/server/act): signed quarantine/release commands in, each device's act state out (retained). */
    actCommand: `${base}/act/command`,
    actState: (mac: string) => `${base}/act/${macId(mac)}/state`,
    node,
  };
}

export function macId(mac: string): string {
  return mac.toLowerCase().replace(/[^0-9a-f]/g, '');
}

/** Home Assistant discovery for the sensor itself (the via_device of every home device): an open-alerts count. */
export function haSensorDiscovery(topics: ReturnType<typeof mqttTopics>, site: string): string {
  return JSON.stringify({
    name: 'Open alerts',
    unique_id: `${topics.node}_alerts`,
    state_topic: topics.health,
    value_template: '{{ value_json.health.alerts }}',
    state_class: 'measurement',
    icon: 'mdi:shield-alert',
    availability_topic: topics.status,
    json_attributes_topic: topics.health,
    json_attributes_template: '{{ value_json.health | tojson }}',
    device: { identifiers: [topics.node], name: `Waakhond ${site}`, manufacturer: 'Waakhond', model: 'sensor' },
    origin: { name: 'waakhond' },
  });
}

/** Home Assistant MQTT discovery payloads for one home device: a problem binary_sensor and a status sensor. */
export function haDiscovery(msg: DeviceMessage, topics: ReturnType<typeof mqttTopics>): { problem: string; status: string } {
  const d = msg.device;
  const id = macId(d.mac);
  const label = d.name ?? ([d.vendor, d.model].filter(Boolean).join(' ') || d.hostname || d.mac);
  // One HA device per home device: identifiers + connections [["mac", mac]] let HA merge it with other integrations.
  const device = {
    identifiers: [`${topics.node}_${id}`],
    connections: [['mac', d.mac]],
    name: label,
    manufacturer: d.vendor ?? undefined,
    // No model known: the kind (the household's answer or the inventory's) is the next best description.
    model: d.model ?? (d.category !== 'other' ? d.category : undefined),
    via_device: topics.node,
  };
  const common = {
    state_topic: topics.deviceState(d.mac),
    availability_topic: topics.status,
    payload_available: 'online',
    payload_not_available: 'offline',
    json_attributes_topic: topics.deviceState(d.mac),
    json_attributes_template: '{{ value_json.device | tojson }}',
    device,
    origin: { name: 'waakhond' },
  };
  const problem = {
    name: 'Problem',
    unique_id: `${topics.node}_${id}_problem`,
    device_class: 'problem',
    // "exposed" (open telnet/UPnP) and "infected" are problems; ok and update-advised are not.
    value_template: "{{ 'ON' if value_json.device.status in ['exposed', 'infected'] else 'OFF' }}",
    ...common,
  };
  const status = {
    name: 'Status',
    unique_id: `${topics.node}_${id}_status`,
    device_class: 'enum',
    options: [...DEVICE_STATUSES],
    value_template: '{{ value_json.device.status }}',
    icon: 'mdi:shield-check',
    ...common,
  };
  return { problem: JSON.stringify(problem), status: JSON.stringify(status) };
}

export class MqttExporter implements ExportSink {
  readonly name: string;
  readonly topics: ReturnType<typeof mqttTopics>;
  private client: MqttClient;
  private queue: BoundedQueue<Outgoing>;
  /** Latest retained payload per topic (device state, discovery): republished after a reconnect; '' = deleted. */
  private retained = new Map<string, Outgoing>();
  private inflight = 0;
  private sent = 0;
  private failed = 0;
  private everConnected = false;
  private lastError = '';
  private closing = false;
  /** Fleet commands (act): set by listenCommands; subscribed on every (re)connect. */
  private onCommand: ((payload: Buffer) => void) | null = null;

  constructor(readonly cfg: MqttConfig, readonly site: string, readonly log: (msg: string) => void, name = 'mqtt') {
    this.name = name;
    this.topics = mqttTopics(cfg.prefix, site, cfg.homeassistant.discovery_prefix);
    this.queue = new BoundedQueue<Outgoing>(cfg.queue_max);
    const read = (p: string | undefined, what: string): Buffer | undefined => {
      if (!p) return undefined;
      try {
        return readFileSync(p);
      } catch (err) {
        throw new Error(`mqtt: cannot read ${what} ${p}: ${(err as Error).message}`);
      }
    };
    const opts: IClientOptions = {
      clientId: cfg.client_id ?? `waakhond-${site}-${randomBytes(3).toString('hex')}`,
      username: cfg.username,
      password: cfg.password,
      ca: read(cfg.ca, 'CA'),
      cert: read(cfg.cert, 'certificate'),
      key: read(cfg.key, 'key'),
      rejectUnauthorized: cfg.reject_unauthorized,
      keepalive: cfg.keepalive_s,
      reconnectPeriod: cfg.reconnect_ms,
      connectTimeout: 10_000,
      clean: true,
      // Our own bounded queue holds messages while offline; mqtt.js must not grow its own.
      queueQoSZero: false,
      will: { topic: this.topics.status, payload: Buffer.from('offline'), qos: 1, retain: true },
    };
    this.client = mqtt.connect(cfg.url, opts);
    if (cfg.homeassistant.enabled) {
      this.enqueue({ topic: this.topics.haSensor, payload: haSensorDiscovery(this.topics, site), qos: 1, retain: true });
    }
    this.client.on('connect', () => this.onConnect());
    this.client.on('close', () => {
      if (this.everConnected && !this.closing && this.lastError !== 'closed') {
        this.lastError = 'closed';
        this.log(`mqtt: connection to ${cfg.url} lost; queueing (max ${cfg.queue_max})`);
      }
    });
    this.client.on('error', (err) => {
      // Logged once per distinct error so a long outage does not fill the log.
      if (err.message !== this.lastError) {
        this.lastError = err.message;
        this.log(`mqtt: ${err.message}`);
      }
    });
    // HA publishes "online" on <discovery_prefix>/status when it (re)starts: send discovery and state again.
    this.client.on('message', (topic, payload) => {
      if (topic === this.topics.haBirth && payload.toString() === 'online' && cfg.homeassistant.enabled) this.republish();
      else if (topic === this.topics.actCommand && this.onCommand) this.onCommand(payload);
    });
  }

  private onConnect(): void {
    const again = this.everConnected;
    this.everConnected = true;
    this.lastError = '';
    this.log(`mqtt: connected to ${this.cfg.url}${again ? ' again' : ''}`);
    // Availability first, so HA shows entities as available when their state arrives.
    this.publishNow({ topic: this.topics.status, payload: 'online', qos: 1, retain: true });
    if (this.cfg.homeassistant.enabled) this.client.subscribe(this.topics.haBirth, { qos: 0 });
    if (this.onCommand) this.client.subscribe(this.topics.actCommand, { qos: 1 });
    if (again && this.cfg.republish_on_reconnect) this.republish();
    this.flush();
  }

  /**
   * Publish the latest retained payloads again, ahead of the queue and outside its bound (they are the current
   * state, one per topic; a full queue of alerts must not push them out). Topics already waiting are left to the queue.
   */
  private republish(): void {
    if (!this.client.connected) return;
    for (const [topic, o] of this.retained) {
      if (!this.queue.has(topic)) this.publishNow(o);
    }
    this.flush();
  }

  private enqueue(o: Outgoing): void {
    if (this.closing) return;
    if (o.retain) {
      if (o.payload === '') this.retained.delete(o.topic);
      else this.retained.set(o.topic, o);
    }
    // Retained topics are keyed: only the latest state per topic waits in the queue.
    this.queue.push(o, o.retain ? o.topic : null, o.payload.length + o.topic.length);
    this.flush();
  }

  private flush(): void {
    while (this.client.connected && this.inflight < this.cfg.max_inflight && this.queue.length > 0) {
      const o = this.queue.shift()!;
      this.publishNow(o);
    }
  }

  private publishNow(o: Outgoing): void {
    this.inflight++;
    this.client.publish(o.topic, o.payload, { qos: o.qos, retain: o.retain }, (err) => {
      this.inflight--;
      if (err) {
        // QoS 0 lost with the connection: put it back unless it is stale (a newer one with the same topic waits).
        this.failed++;
        if (!this.closing) this.queue.unshift(o, o.retain ? o.topic : null, o.payload.length + o.topic.length);
      } else this.sent++;
      this.flush();
    });
  }

  /** ISP mode: hand each message on <prefix>/<site>/act/command to the act room (which verifies its signature). */
  listenCommands(handler: (payload: Buffer) => void): void {
    this.onCommand = handler;
    if (this.client.connected) this.client.subscribe(this.topics.actCommand, { qos: 1 });
  }

  /** A device's quarantine/pause state, retained so the ISP sees the current state after it reconnects; null clears. */
  actState(mac: string, state: object | null): void {
    this.enqueue({ topic: this.topics.actState(mac), payload: state ? JSON.stringify(state) : '', qos: 1, retain: true });
  }

  device(msg: DeviceMessage): void {
    const mac = msg.device.mac;
    if (!this.cfg.retain_state) {
      // Not retained (fleet mode): every change, "forgotten" included, is an ordinary message on the state topic.
      this.enqueue({ topic: this.topics.deviceState(mac), payload: JSON.stringify(msg), qos: 1, retain: false });
      return;
    }
    if (msg.change === 'forgotten') {
      // An empty retained message deletes the retained state and, for discovery topics, the HA entity.
      this.enqueue({ topic: this.topics.deviceState(mac), payload: '', qos: 1, retain: true });
      if (this.cfg.homeassistant.enabled) {
        this.enqueue({ topic: this.topics.haProblem(mac), payload: '', qos: 1, retain: true });
        this.enqueue({ topic: this.topics.haStatus(mac), payload: '', qos: 1, retain: true });
      }
      return;
    }
    if (this.cfg.homeassistant.enabled) {
      const ha = haDiscovery(msg, this.topics);
      // Discovery goes before the state so HA has the entity when the state arrives; unchanged configs are not re-sent.
      if (this.retained.get(this.topics.haProblem(mac))?.payload !== ha.problem) {
        this.enqueue({ topic: this.topics.haProblem(mac), payload: ha.problem, qos: 1, retain: true });
      }
      if (this.retained.get(this.topics.haStatus(mac))?.payload !== ha.status) {
        this.enqueue({ topic: this.topics.haStatus(mac), payload: ha.status, qos: 1, retain: true });
      }
    }
    this.enqueue({ topic: this.topics.deviceState(mac), payload: JSON.stringify(msg), qos: 1, retain: true });
  }

  alert(msg: AlertMessage): void {
    this.enqueue({ topic: this.topics.alert, payload: JSON.stringify(msg), qos: 1, retain: false });
  }

  health(msg: HealthMessage): void {
    this.enqueue({ topic: this.topics.health, payload: JSON.stringify(msg), qos: 0, retain: this.cfg.retain_state });
  }

  counters() {
    return { queued: this.queue.length, queued_bytes: this.queue.bytes, dropped: this.queue.dropped, sent: this.sent, failed: this.failed };
  }

  /** Bytes of payload and topic waiting in the queue now. */
  get queuedBytes(): number {
    return this.queue.bytes;
  }

  get connected(): boolean {
    return this.client.connected;
  }

  async close(timeoutMs = 2000): Promise<void> {
    // Give queued messages a moment to leave, then say "offline" (retained) and disconnect cleanly.
    const deadline = Date.now() + timeoutMs;
    while (this.client.connected && (this.queue.length > 0 || this.inflight > 0) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    if (this.queue.length > 0 || this.inflight > 0) {
      this.log(`mqtt: closing with ${this.queue.length} queued and ${this.inflight} unacknowledged messages`);
    }
    this.closing = true;
    if (this.client.connected) {
      await new Promise<void>((r) => {
        this.client.publish(this.topics.status, 'offline', { qos: 1, retain: true }, () => r());
        setTimeout(r, Math.max(100, deadline - Date.now())).unref();
      });
    }
    await this.client.endAsync(true).catch(() => undefined);
  }
}
