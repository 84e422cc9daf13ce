// What a device does on the network, when no fingerprint names it: a bounded per-device summary fed from
// events the inventory already sees (conn, traffic, dns, tls_client_hello, tcp_syn), turned into evidence.
//
// Two kinds of output, both weaker than fingerprint knowledge:
// - service observations ("serves tcp/2081", "calls udp/32100", "announces udp/6667"): matched by the inventory against the
//   `service` rules in fingerprints/services.yaml (the port knowledge is data, with its sources there);
// - traits computed here from amounts and timing, each with the reason a household can read:
//   a steady upstream video-like stream (camera), a small always-on IoT-cloud session (plug), short
//   repeated IoT-cloud sessions (battery sensor), unicast exchanges with many LAN devices (hub).
import type { ConnEvent, TcpSynEvent, TrafficEvent, WaakhondEvent } from '../events.js';
import { baseDomain } from '../../rules/engine/fields.js';
import type { Category, Evidence } from './types.js';

export interface BehaviourOptions {
  /** Devices summarised at once (the inventory's cap): the stalest summary is dropped beyond it. */
  maxDevices?: number;
}

/** What one event says about one device: service observations to match, or traits already concluded. */
export interface BehaviourHit {
  mac: string;
  ts: number;
  /** A service observation: field -> value, e.g. serves = "tcp/2081". */
  service?: { field: 'serves' | 'calls' | 'announces'; value: string; detail: string };
  /** A trait concluded here. */
  evidence?: Evidence;
}

/**
 * A general-purpose client: a phone, tablet, computer or TV looks up names under dozens of registered
 * domains within minutes (its apps, its browser, ads and analytics); an appliance uses its vendor's cloud,
 * a CDN and NTP. At this many distinct registered domains the vendor clouds a device names are taken to be
 * its apps' (the Ring app on a phone is no Ring camera), so the inventory counts them for little
 * (Inventory: CLIENT_CLOUD_SHARE). The set stops growing there.
 */
export const CLIENT_MIN_DOMAINS = 15;
/** The detail of the evidence line that says so (the inventory recognises it by this prefix). */
export const CLIENT_DETAIL = 'Behaviour: looks up names under';

/** Per-device bounds: port sets are capped and count what they drop (stats.portsDropped). */
const MAX_PORTS = 16;
const MAX_PEERS = 32;

/**
 * Names looked up: a phone or computer resolves dozens of names within minutes, a camera, plug or sensor a
 * handful (its vendor's cloud, NTP). Traits from amounts only count for devices below this ("IoT-like"),
 * so a laptop uploading a backup is not taken for a camera.
 */
const IOT_MAX_NAMES = 12;
/** Names kept per device: one more than IOT_MAX_NAMES says all the test needs, so the set saturates there. */
const MAX_NAMES = IOT_MAX_NAMES + 1;

/**
 * Upstream video: a camera streaming to its cloud or recorder sends a steady bit rate, far more than it
 * receives. 1-second traffic intervals with >= 25 kB out (200 kbit/s, below even a low-resolution H.264
 * sub-stream) and out >= 3x in, for 60 intervals in a row (gaps up to 3 s allowed).
 */
const VIDEO_MIN_OUT_BYTES = 25_000;
const VIDEO_MIN_RATIO = 3;
const VIDEO_MIN_SECONDS = 60;
const VIDEO_MAX_GAP_US = 3_000_000;

/** MQTT (OASIS MQTT 3.1.1 section 4.8 / IANA: 1883 plain, 8883 over TLS): the IoT clouds' device protocol. */
const MQTT_PORTS: ReadonlySet<number> = new Set([1883, 8883]);
/**
 * IoT device clouds by name (their MQTT/TLS endpoints): AWS IoT Core "<id>-ats.iot.<region>.amazonaws.com"
 * (AWS IoT developer guide, "AWS IoT device data endpoints"); Aliyun IoT Platform
 * "<productKey>.iot-as-mqtt.<region>.aliyuncs.com" (Alibaba Cloud IoT Platform docs, MQTT connection);
 * Tuya "m1/mq/a1.tuya{eu,us,cn,in}.com" (Tuya IoT Core docs; the names tinytuya logs).
 */
const IOT_CLOUDS: { name: string; re: RegExp }[] = [
  { name: 'AWS IoT', re: /(^|\.)iot\.[a-z0-9-]+\.amazonaws\.com\.?$/i },
  { name: 'Aliyun IoT', re: /(^|\.)iot-as-mqtt\.[a-z0-9-]+\.aliyuncs\.com\.?$|(^|\.)iot-auth\.[a-z0-9-]+\.aliyuncs\.com\.?$/i },
  { name: 'Tuya', re: /(^|\.)(m\d?|mq|a\d?)\.tuya(eu|us|cn|in)\.com\.?$/i },
];
/**
 * A mains-powered plug or switch keeps one session open for hours (MQTT keep-alive pings only); a
 * battery sensor wakes, connects, reports and sleeps. After 10 minutes with one session still open and
 * nothing big sent, the device is taken for always-on; three or more sessions a minute or more apart,
 * those before the last ended within 10 minutes, for a device that sends little, for one that sleeps.
 */
const ALWAYS_ON_US = 600_000_000;
const SLEEPER_SESSIONS = 3;
const SLEEPER_GAP_US = 60_000_000;
/** A device that sends more than this per interval is doing more than small cloud messages. */
const SMALL_OUT_BYTES = 20_000;

/** A hub calls (unicast, answered) this many other LAN devices: a bridge, controller or gateway. */
const HUB_MIN_PEERS = 4;

/** Ports at or above this are ephemeral (IANA dynamic range, RFC 6335 6): the client side of a flow. */
const EPHEMERAL = 49152;
/** Clients' source ports: Linux and Android pick them from 32768 up (ip_local_port_range), Windows and
 *  iOS from 49152: a reply from below this to at or above it is a server answering a client. */
const CLIENT_PORTS = 32768;

const WEIGHT = { video: 0.4, alwaysOn: 0.3, sleeper: 0.3, hub: 0.3 } as const;

interface Summary {
  mac: string;
  served: Set<string>;
  called: Set<string>;
  announced: Set<string>;
  names: Set<string>;
  /** Registered domains of the names looked up (saturates at CLIENT_MIN_DOMAINS). */
  domains: Set<string>;
  /** Other LAN devices it called and that answered (the router is no device, so never one); saturates at MAX_PEERS. */
  peers: Set<string>;
  videoRun: number;
  videoLast: number;
  /** Outbound bytes of the biggest interval since MQTT began (did it do more than small messages?). */
  maxOut: number;
  cloud: string | null;
  mqttFirst: number;
  mqttLast: number;
  mqttSessions: number;
  /** The last MQTT session has not ended (no FIN/RST, not idle 5 min) as far as the flow table knows. */
  mqttOpen: boolean;
  /** MQTT sessions seen to end within ALWAYS_ON_US of their start. */
  mqttShort: number;
  reported: Set<string>;
}

export class Behaviour {
  private readonly max: number;
  /** Summaries by MAC; Map order is insertion: the stalest is dropped first when full. */
  private readonly devices = new Map<string, Summary>();
  private droppedCount = 0;
  private portsDroppedCount = 0;

  constructor(opts: BehaviourOptions = {}) {
    this.max = Math.max(1, opts.maxDevices ?? 1024);
  }

  /** Summaries held, summaries dropped (table full), port observations dropped (a device's set full). */
  get stats(): { devices: number; dropped: number; portsDropped: number } {
    return { devices: this.devices.size, dropped: this.droppedCount, portsDropped: this.portsDroppedCount };
  }

  /** Forget a device (evicted, or found to be the router). */
  forget(mac: string): void {
    this.devices.delete(mac);
  }

  /**
   * What e says about the devices it touches. isDevice says whether a MAC is a device of the
   * inventory (only those get a summary: a flow's MAC alone is no reason to track anything).
   */
  observe(e: WaakhondEvent, isDevice: (mac: string) => boolean): BehaviourHit[] {
    switch (e.type) {
      case 'conn': return this.onConn(e, isDevice);
      case 'tcp_syn': return this.onSyn(e, isDevice);
      case 'traffic': return this.onTraffic(e, isDevice);
      case 'dns': {
        // Queries go to the router's resolver (internal) or straight out (outbound).
        if (e.mdns || e.llmnr || e.response || (e.direction !== 'outbound' && e.direction !== 'internal') || !e.src_mac || !isDevice(e.src_mac)) return [];
        const s = this.summary(e.src_mac);
        let hit: BehaviourHit | null = null;
        for (const q of e.questions) hit = this.name(s, q.name, e.ts) ?? hit;
        return hit ? [hit] : [];
      }
      case 'tls_client_hello': {
        if (e.direction !== 'outbound' || !e.src_mac || !e.sni || !isDevice(e.src_mac)) return [];
        const hit = this.name(this.summary(e.src_mac), e.sni, e.ts);
        return hit ? [hit] : [];
      }
      default:
        return [];
    }
  }

  private summary(mac: string): Summary {
    let s = this.devices.get(mac);
    if (s) return s;
    if (this.devices.size >= this.max) {
      const oldest = this.devices.keys().next().value as string;
      this.devices.delete(oldest);
      this.droppedCount++;
    }
    s = {
      mac, served: new Set(), called: new Set(), announced: new Set(), names: new Set(), domains: new Set(), peers: new Set(), videoRun: 0, videoLast: 0,
      maxOut: 0, cloud: null, mqttFirst: 0, mqttLast: 0, mqttSessions: 0, mqttOpen: false, mqttShort: 0, reported: new Set(),
    };
    this.devices.set(mac, s);
    return s;
  }

  /** Add a port to a device's capped set: true if it is new; a full set drops it and counts that. */
  private add(set: Set<string>, v: string): boolean {
    if (set.has(v)) return false;
    if (set.size >= MAX_PORTS) { this.portsDroppedCount++; return false; }
    set.add(v);
    return true;
  }

  /** Records a name the device looked up; the hit when it makes the device a general-purpose client. */
  private name(s: Summary, raw: string, ts: number): BehaviourHit | null {
    const n = raw.toLowerCase().replace(/\.$/, '').slice(0, 253);
    if (!n || /\.(arpa|local)$/.test(n)) return null;
    if (s.names.size < MAX_NAMES) s.names.add(n);
    if (!s.cloud) for (const c of IOT_CLOUDS) if (c.re.test(n)) { s.cloud = c.name; break; }
    if (s.domains.size >= CLIENT_MIN_DOMAINS) return null;
    s.domains.add(baseDomain(n));
    if (s.domains.size < CLIENT_MIN_DOMAINS) return null;
    return {
      mac: s.mac, ts,
      evidence: {
        source: 'dns', ts, weight: 0,
        detail: `${CLIENT_DETAIL} ${CLIENT_MIN_DOMAINS} or more different domains, as a phone, tablet, computer or TV does: the vendor clouds it names are probably its apps', so they count for little`,
      },
    };
  }

  /** Has the device looked up names under CLIENT_MIN_DOMAINS or more registered domains? */
  isClient(mac: string): boolean {
    return (this.devices.get(mac)?.domains.size ?? 0) >= CLIENT_MIN_DOMAINS;
  }

  /**
   * Looked up at least one name (so the count means something) and few (IOT_MAX_NAMES), from a burned-in
   * MAC: phones and laptops use random, locally administered ones (IEEE 802c), IoT devices rarely do,
   * so a phone in a long video call is not taken for a camera.
   */
  private iotLike(s: Summary): boolean {
    return s.names.size >= 1 && s.names.size <= IOT_MAX_NAMES && (parseInt(s.mac.slice(0, 2), 16) & 2) === 0;
  }

  private onConn(e: ConnEvent, isDevice: (mac: string) => boolean): BehaviourHit[] {
    const out: BehaviourHit[] = [];
    if (e.proto !== 'tcp' && e.proto !== 'udp') return out;
    if (e.direction === 'internal' && e.dst_mac && isDevice(e.dst_mac) && e.dst_port > 0 && served(e)) {
      // A LAN client (the phone's app, a recorder) used a port the device listens on: what it serves.
      // Any port: local protocols live in the dynamic range too (miIO 54321, LIFX 56700); the client
      // speaks first, so the flow's destination is the server's port.
      const s = this.summary(e.dst_mac);
      const v = `${e.proto}/${e.dst_port}`;
      if (this.add(s.served, v)) {
        out.push({ mac: s.mac, ts: e.ts, service: { field: 'serves', value: v, detail: `a LAN device uses its ${e.proto.toUpperCase()} port ${e.dst_port}` } });
      }
    }
    if (e.direction === 'internal' && e.proto === 'udp' && e.src_mac && e.dst_mac && isUnicast(e.dst_mac) && isDevice(e.src_mac)
      && e.src_port > 0 && e.src_port < CLIENT_PORTS && e.dst_port >= CLIENT_PORTS) {
      // An answer to a broadcast search (CS2 LAN search, SSDP, vendor discovery): the search went to the
      // broadcast address, so the device's reply from its own port to the client's is its own flow.
      const s = this.summary(e.src_mac);
      const v = `udp/${e.src_port}`;
      if (this.add(s.served, v)) {
        out.push({ mac: s.mac, ts: e.ts, service: { field: 'serves', value: v, detail: `a LAN device uses its UDP port ${e.src_port}` } });
      }
    }
    if (e.direction === 'internal' && e.proto === 'udp' && e.src_mac && e.dst_mac && !isUnicast(e.dst_mac) && isDevice(e.src_mac)
      && e.dst_port > 0 && e.dst_port < EPHEMERAL) {
      // Broadcasts and multicasts to a fixed port: how many devices announce themselves to their app.
      const s = this.summary(e.src_mac);
      const v = `udp/${e.dst_port}`;
      if (this.add(s.announced, v)) {
        out.push({ mac: s.mac, ts: e.ts, service: { field: 'announces', value: v, detail: `it announces itself on UDP port ${e.dst_port} to the whole home` } });
      }
    }
    if (e.direction === 'outbound' && e.src_mac && isDevice(e.src_mac) && e.dst_port > 0 && e.dst_port < EPHEMERAL) {
      const s = this.summary(e.src_mac);
      const v = `${e.proto}/${e.dst_port}`;
      if (this.add(s.called, v)) {
        out.push({ mac: s.mac, ts: e.ts, service: { field: 'calls', value: v, detail: `it calls ${e.proto.toUpperCase()} port ${e.dst_port} on the Internet` } });
      }
    }
    if (e.direction === 'outbound' && e.proto === 'tcp' && MQTT_PORTS.has(e.dst_port) && e.src_mac && (e.reason === 'closed' || e.reason === 'idle')) {
      // An MQTT session that ended (FIN/RST, or 5 minutes silent): not one kept open.
      const s = this.devices.get(e.src_mac);
      if (s) {
        s.mqttOpen = false;
        if (e.end_ts - e.ts < ALWAYS_ON_US) s.mqttShort++;
      }
    }
    if (e.direction === 'internal' && e.src_mac && e.dst_mac && e.src_mac !== e.dst_mac && isUnicast(e.dst_mac)
      && e.resp_pkts > 0 && isDevice(e.src_mac) && isDevice(e.dst_mac)) {
      // A device that calls other LAN devices and gets answers (polling, relaying): its peers.
      const s = this.summary(e.src_mac);
      if (s.peers.size < MAX_PEERS) s.peers.add(e.dst_mac);
      const hub = this.hubTrait(s, e.end_ts);
      if (hub) out.push(hub);
    }
    return out;
  }

  private onSyn(e: TcpSynEvent, isDevice: (mac: string) => boolean): BehaviourHit[] {
    if (e.direction !== 'outbound' || !e.src_mac || !MQTT_PORTS.has(e.dst_port) || !isDevice(e.src_mac)) return [];
    const s = this.summary(e.src_mac);
    // Retransmitted SYNs of one attempt come within seconds: a new session is one a minute after the last.
    if (s.mqttSessions === 0) { s.mqttFirst = e.ts; s.mqttSessions = 1; s.maxOut = 0; }
    else if (e.ts - s.mqttLast >= SLEEPER_GAP_US) s.mqttSessions++;
    s.mqttLast = e.ts;
    s.mqttOpen = true;
    const t = this.cloudTrait(s, e.ts, e.dst_port);
    return t ? [t] : [];
  }

  private onTraffic(e: TrafficEvent, isDevice: (mac: string) => boolean): BehaviourHit[] {
    if (!e.mac || e.out_pkts === 0 || !isDevice(e.mac)) return [];
    const s = this.devices.get(e.mac);
    const video = e.out_bytes >= VIDEO_MIN_OUT_BYTES && e.out_bytes >= VIDEO_MIN_RATIO * e.in_bytes;
    if (!s && !video) return [];
    const sum = s ?? this.summary(e.mac);
    const out: BehaviourHit[] = [];
    if (sum.mqttSessions > 0 && e.out_bytes > sum.maxOut) sum.maxOut = e.out_bytes;
    if (video) {
      sum.videoRun = sum.videoRun > 0 && e.ts - sum.videoLast <= VIDEO_MAX_GAP_US ? sum.videoRun + 1 : 1;
      sum.videoLast = e.ts;
      if (sum.videoRun >= VIDEO_MIN_SECONDS && this.iotLike(sum) && !sum.reported.has('video')) {
        sum.reported.add('video');
        const kbit = Math.round((e.out_bytes * 8) / 1000 / Math.max(1, e.interval / 1_000_000));
        out.push(trait(sum, e.ts, 'camera', WEIGHT.video,
          `sends a steady video-like stream (about ${kbit} kbit/s out, ${sum.videoRun} s in a row, far more than it receives) and looks up few names`));
      }
    }
    const t = this.cloudTrait(sum, e.ts, null);
    if (t) out.push(t);
    return out;
  }

  /** Plug or sensor from the IoT-cloud session pattern, once it is clear (see ALWAYS_ON_US). */
  private cloudTrait(s: Summary, ts: number, port: number | null): BehaviourHit | null {
    if (s.mqttSessions === 0 || s.reported.has('cloud') || !this.iotLike(s)) return null;
    const where = s.cloud ? `${s.cloud} (MQTT)` : `an MQTT broker (port ${port ?? '1883/8883'})`;
    // Sleeper: the sessions before the last were seen to end soon after they began.
    if (s.mqttSessions >= SLEEPER_SESSIONS && s.mqttShort >= SLEEPER_SESSIONS - 1 && s.maxOut <= SMALL_OUT_BYTES) {
      s.reported.add('cloud');
      return trait(s, ts, 'sensor', WEIGHT.sleeper,
        `connects to ${where} ${s.mqttSessions} times, a minute or more apart, sending little: wakes, reports and sleeps like a battery sensor`);
    }
    if (s.mqttSessions === 1 && s.mqttOpen && ts - s.mqttFirst >= ALWAYS_ON_US && s.maxOut <= SMALL_OUT_BYTES) {
      s.reported.add('cloud');
      return trait(s, ts, 'smart-plug', WEIGHT.alwaysOn,
        `keeps one quiet session to ${where} open for ${Math.round((ts - s.mqttFirst) / 60_000_000)} min: always on and mains powered, most often a smart plug or switch`);
    }
    return null;
  }

  private hubTrait(s: Summary, ts: number): BehaviourHit | null {
    if (s.peers.size < HUB_MIN_PEERS || s.reported.has('hub') || !this.iotLike(s)) return null;
    s.reported.add('hub');
    return trait(s, ts, 'hub', WEIGHT.hub,
      `calls ${s.peers.size} other devices in the home, which answer, and looks up few names: a hub, bridge or controller`);
  }
}

/** A LAN client's flow to the device that the device took part in (not a probe left unanswered). */
function served(e: ConnEvent): boolean {
  if (e.proto === 'udp') return e.resp_pkts > 0;
  // S0 (no answer), REJ (refused) and SH (SYN, FIN, no answer) say the port is not served. OTH (no
  // SYN seen: picked up mid-stream) may have either end first: take it when the port is the lower one,
  // as a server's port is below the client's ephemeral one.
  if (e.state === 'OTH') return e.dst_port < e.src_port;
  return e.state !== 'S0' && e.state !== 'REJ' && e.state !== 'SH';
}

/** IEEE 802 group bit: multicast and broadcast destinations are not exchanges with one device. */
function isUnicast(mac: string): boolean {
  return (parseInt(mac.slice(0, 2), 16) & 1) === 0;
}

function trait(s: Summary, ts: number, category: Category, weight: number, detail: string): BehaviourHit {
  return { mac: s.mac, ts, evidence: { source: 'behaviour', detail: `Behaviour: ${detail}`, category, weight, ts } };
}
