// Identification by behaviour (sensor/inventory/behaviour.ts, fingerprints/services.yaml), each inference
// with one case: brand, kind and the evidence line a household reads.
// Real packets where ../shared/pcaps has them (SmarterCoffee's app on TCP 2081, an HP printer's IPP, benign
// nDPI captures); otherwise SYNTHETIC traffic from behaviour-gen.ts, written as a pcap and read through
// analyze. Each synthetic case names the published behaviour it follows.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeFiles, type ReportDevice } from '../../../sensor/analyze.js';
import { Behaviour } from '../../../sensor/inventory/behaviour.js';
import type { ConnEvent } from '../../../sensor/events.js';
import { describeShared, pcap } from '../../helpers/shared.js';
import { Home, type Host } from './behaviour-gen.js';
import { ensureOuiTable } from './oui-helper.js';

ensureOuiTable();

/** Espressif (a module maker, no brand or kind of its own): what cheap cameras and plugs often carry. */
const CAM: Host = { mac: '5c:cf:7f:10:00:01', ip: '192.168.1.20' };
const PHONE: Host = { mac: '5c:cf:7f:10:00:09', ip: '192.168.1.30' };
const device = (devices: ReportDevice[], h: Host) => {
  const d = devices.find((x) => x.mac === h.mac);
  expect(d, `${h.mac} not in the report`).toBeDefined();
  return d!;
};
const lines = (d: ReportDevice) => d.evidence.map((e) => e.detail);
const someNames = (home: Home, h: Host, n: number) => { for (let i = 0; i < n; i++) home.lookup(h, `host${i}.example-${i}.com`, home.t + i * 10_000); };

describe('cameras from what they do', () => {
  it('calls to CS2 PPPP servers on UDP 32100 and a LAN search on UDP 32108 make a camera', async () => {
    // Follows P. Marrapese, "Abusing P2P to hack 3 million cameras" (DEF CON 28, 2020): CS2/iLnkP2P devices
    // send MSG_HELLO to P2P servers on UDP 32100 and answer the app's broadcast LAN search on UDP 32108.
    const home = new Home();
    home.lookup(CAM, 'pool.ntp.org');
    home.udp(CAM, { mac: '', ip: '47.91.10.20' }, 32100, { at: home.t + 100_000, count: 3 });
    home.udp(CAM, { mac: '', ip: '120.24.30.40' }, 32100, { at: home.t + 200_000, count: 3 });
    // The app's LAN search goes to the broadcast address; the camera answers from 32108 to the app's port.
    home.broadcastSearch(PHONE, CAM, 32108, home.t + 5_000_000);
    const d = device((await home.analyze()).devices, CAM);
    expect(d.category).toBe('camera');
    expect(d.vendor).toBe('Espressif');
    expect(lines(d)).toContain('Behaviour: it calls UDP port 32100 on the Internet');
    expect(lines(d)).toContain('Behaviour: a LAN device uses its UDP port 32108');
    expect(d.name).toBe('Espressif camera');
  });

  it('a LAN client pulling RTSP from TCP 554 makes a camera; an unanswered SYN to 554 does not', async () => {
    // RFC 7826 (RTSP 2.0) on its IANA port: recorders and apps pull camera streams from it.
    const home = new Home();
    home.lookup(CAM, 'pool.ntp.org');
    home.tcp(PHONE, CAM, 554, { at: home.t + 1_000_000, exchanges: 4, inLen: 1200 });
    const other: Host = { mac: '5c:cf:7f:10:00:02', ip: '192.168.1.21' };
    home.lookup(other, 'pool.ntp.org');
    // Only a SYN (a port scan, an app probing): the flow ends S0, nothing served.
    const probe = new Home(home.t + 2_000_000);
    probe.tcp(PHONE, other, 554, { exchanges: 0 });
    home.records.push(...probe.records.slice(0, 1));
    const r = await home.analyze();
    const d = device(r.devices, CAM);
    expect(d.category).toBe('camera');
    expect(lines(d)).toContain('Behaviour: a LAN device uses its TCP port 554');
    const o = device(r.devices, other);
    expect(o.category).toBe('other');
    expect(lines(o).some((l) => l.startsWith('Behaviour:'))).toBe(false);
  });

  it('a steady upstream video-like stream for a minute makes a camera; a laptop doing it, or 30 s of it, does not', async () => {
    // Cloud cameras upload a continuous H.264 stream (typically 0.3-2 Mbit/s) and receive little: here
    // 40 datagrams of 1200 bytes a second (384 kbit/s) for 70 s, one small answer per second.
    const home = new Home();
    home.lookup(CAM, 'api.example.net');
    home.stream(CAM, { mac: '', ip: '52.28.1.2' }, 10000, { at: home.t + 1_000_000, seconds: 70, pps: 40, len: 1200 });
    const laptop: Host = { mac: '5c:cf:7f:10:00:03', ip: '192.168.1.22' };
    someNames(home, laptop, 20);
    home.stream(laptop, { mac: '', ip: '52.28.1.3' }, 443, { at: home.t + 1_000_000, seconds: 70, pps: 40, len: 1200 });
    const brief: Host = { mac: '5c:cf:7f:10:00:04', ip: '192.168.1.23' };
    home.lookup(brief, 'pool.ntp.org');
    home.stream(brief, { mac: '', ip: '52.28.1.4' }, 10000, { at: home.t + 1_000_000, seconds: 30, pps: 40, len: 1200 });
    const r = await home.analyze();
    const d = device(r.devices, CAM);
    expect(d.category).toBe('camera');
    const line = lines(d).find((l) => l.startsWith('Behaviour: sends a steady video-like stream'));
    expect(line).toMatch(/about \d+ kbit\/s out, 60 s in a row, far more than it receives\) and looks up few names$/);
    for (const h of [laptop, brief]) {
      const x = device(r.devices, h);
      expect(x.category, h.mac).not.toBe('camera');
      expect(lines(x).some((l) => l.includes('video-like')), h.mac).toBe(false);
    }
  });
});

describe('IoT-cloud devices: plug, sensor or hub, and why', () => {
  it('one quiet MQTT-over-TLS session to Tuya kept open for 10+ minutes: a smart plug', async () => {
    // Mains-powered Tuya plugs keep one MQTT/TLS session to m1.tuya<region>.com:8883 with a keep-alive
    // ping a minute or so (MQTT 3.1.1 3.1.2.10); nothing big is ever sent.
    const plug: Host = { mac: '5c:cf:7f:20:00:01', ip: '192.168.1.40' };
    const home = new Home();
    home.lookup(plug, 'm1.tuyaeu.com');
    home.tls(plug, { mac: '', ip: '18.185.20.30' }, 8883, 'm1.tuyaeu.com', { at: home.t + 50_000, exchanges: 12, gap: 60_000_000, keepOpen: true, outLen: 2, inLen: 2 });
    // The same device, but its one session ends after a minute; it stays busy with NTP for 12 minutes.
    const closed: Host = { mac: '5c:cf:7f:20:00:03', ip: '192.168.1.42' };
    home.lookup(closed, 'm1.tuyaeu.com');
    home.tls(closed, { mac: '', ip: '18.185.20.31' }, 8883, 'm1.tuyaeu.com', { at: home.t + 50_000, exchanges: 1, outLen: 2, inLen: 2 });
    home.udp(closed, { mac: '', ip: '162.159.200.1' }, 123, { at: home.t + 60_000_000, count: 12, gap: 60_000_000, len: 48 });
    const r = await home.analyze();
    const d = device(r.devices, plug);
    expect(d.vendor).toBe('Tuya');
    expect(d.category).toBe('smart-plug');
    expect(lines(d).find((l) => l.startsWith('Behaviour: keeps one quiet session to Tuya (MQTT) open for'))).toMatch(/for 1[01] min: always on and mains powered, most often a smart plug or switch$/);
    const c = device(r.devices, closed);
    expect(c.category).not.toBe('smart-plug');
    expect(lines(c).some((l) => l.includes('keeps one quiet session'))).toBe(false);
  });

  it('short MQTT sessions to AWS IoT minutes apart: a battery sensor', async () => {
    // Battery sensors wake, connect to their AWS IoT Core endpoint (<id>-ats.iot.<region>.amazonaws.com:8883),
    // publish one reading and sleep (AWS IoT developer guide; MQTT clean sessions).
    const sensor: Host = { mac: '5c:cf:7f:20:00:02', ip: '192.168.1.41' };
    const aws = { mac: '', ip: '3.120.1.2' };
    const home = new Home();
    const name = 'a1b2c3d4e5f6g7-ats.iot.eu-central-1.amazonaws.com';
    for (let i = 0; i < 3; i++) {
      home.lookup(sensor, name, home.t + i * 300_000_000);
      home.tls(sensor, aws, 8883, name, { at: home.t + i * 300_000_000 + 50_000, exchanges: 1 });
    }
    const d = device((await home.analyze()).devices, sensor);
    expect(d.category).toBe('sensor');
    expect(lines(d)).toContain('Behaviour: connects to AWS IoT (MQTT) 3 times, a minute or more apart, sending little: wakes, reports and sleeps like a battery sensor');
  });

  it('a device that calls four LAN devices, which answer, and looks up few names: a hub; a phone doing it with many names is not', async () => {
    // Bridges and controllers poll and relay the devices around them (e.g. a Hue bridge, a Home
    // Assistant box): many answered unicast exchanges inside the home.
    const hub: Host = { mac: '5c:cf:7f:30:00:01', ip: '192.168.1.50' };
    const phone: Host = { mac: '5c:cf:7f:30:00:02', ip: '192.168.1.51' };
    const home = new Home();
    home.lookup(hub, 'api.example-hub.com');
    someNames(home, phone, 20);
    for (let i = 0; i < 4; i++) {
      const dev: Host = { mac: `5c:cf:7f:30:01:0${i}`, ip: `192.168.1.6${i}` };
      home.lookup(dev, 'pool.ntp.org', home.t + 1000 * i);
      home.tcp(hub, dev, 80, { at: home.t + 1_000_000 + i * 100_000 });
      home.tcp(phone, dev, 80, { at: home.t + 2_000_000 + i * 100_000 });
    }
    const r = await home.analyze();
    const d = device(r.devices, hub);
    expect(d.category).toBe('hub');
    expect(lines(d)).toContain('Behaviour: calls 4 other devices in the home, which answer, and looks up few names: a hub, bridge or controller');
    expect(device(r.devices, phone).category).not.toBe('hub');
  });
});

describe('brands from their local protocols', () => {
  it('broadcasts to UDP 6667 name Tuya; an app talking miIO to UDP 54321 names Xiaomi', async () => {
    // tinytuya/tuyapi: Tuya devices broadcast a discovery datagram to UDP 6666/6667 every few seconds.
    // python-miio: Xiaomi miIO devices answer on UDP 54321 (a "hello" then commands).
    const tuya: Host = { mac: '5c:cf:7f:60:00:01', ip: '192.168.1.70' };
    const mi: Host = { mac: '5c:cf:7f:60:00:02', ip: '192.168.1.71' };
    const home = new Home();
    home.lookup(tuya, 'pool.ntp.org');
    home.lookup(mi, 'pool.ntp.org');
    home.udp(tuya, { mac: 'ff:ff:ff:ff:ff:ff', ip: '192.168.1.255' }, 6667, { at: home.t + 1_000_000, count: 3, gap: 5_000_000, answer: false, sport: 63145 });
    home.udp(PHONE, mi, 54321, { at: home.t + 2_000_000, count: 2 });
    const r = await home.analyze();
    const t = device(r.devices, tuya);
    expect(t.vendor).toBe('Tuya');
    expect(lines(t)).toContain('Behaviour: it announces itself on UDP port 6667 to the whole home');
    const m = device(r.devices, mi);
    expect(m.vendor).toBe('Xiaomi');
    expect(lines(m)).toContain('Behaviour: a LAN device uses its UDP port 54321');
  });
});

describe('Behaviour bounds', () => {
  it('keeps at most maxDevices summaries and counts the ones it drops', () => {
    const b = new Behaviour({ maxDevices: 3 });
    const conn = (i: number): ConnEvent => ({
      type: 'conn', ts: i, end_ts: i, src_mac: `5c:cf:7f:40:00:0${i}`, dst_mac: '00:00:5e:00:53:01', src_ip: `192.168.1.${i}`,
      dst_ip: '8.8.8.8', direction: 'outbound', proto: 'udp', ip_proto: 17, src_port: 40000, dst_port: 123, state: 'SF',
      orig_pkts: 1, orig_bytes: 48, resp_pkts: 1, resp_bytes: 48, reason: 'idle',
    });
    for (let i = 1; i <= 5; i++) expect(b.observe(conn(i), () => true)).toHaveLength(1);
    expect(b.stats).toEqual({ devices: 3, dropped: 2, portsDropped: 0 });
    // A MAC the inventory does not list gets no summary at all.
    expect(b.observe(conn(6), () => false)).toEqual([]);
    expect(b.stats.devices).toBe(3);
    // A device calling 20 Internet ports keeps 16 and counts the 4 it dropped.
    const many = new Behaviour();
    for (let p = 1; p <= 20; p++) many.observe({ ...conn(1), dst_port: 1000 + p }, () => true);
    expect(many.stats).toEqual({ devices: 1, dropped: 0, portsDropped: 4 });
  });
});

describeShared('behaviour on real captures', () => {
  it('SmarterCoffee (IoT Sentinel): its app talks to TCP 2081, the Smarter protocol port: Smarter appliance', async () => {
    const dir = pcap('iot-sentinel/SmarterCoffee');
    const files = readdirSync(dir).filter((f) => f.endsWith('.pcap')).sort().map((f) => path.join(dir, f));
    const d = (await analyzeFiles(files, { ruleDirs: [] })).devices.find((x) => x.mac === '5c:cf:7f:07:ae:fb')!;
    expect(d).toMatchObject({ vendor: 'Smarter', category: 'appliance', name: 'Smarter appliance' });
    expect(lines(d)).toContain('Behaviour: a LAN device uses its TCP port 2081');
  });

  it('an HP printer (nDPI ipp.pcap) serving IPP on TCP 631 gets that line', async () => {
    const d = (await analyzeFiles([pcap('ndpi/pcap/ipp.pcap')], { ruleDirs: [] })).devices.find((x) => x.mac === '00:12:79:80:69:60')!;
    expect(d.category).toBe('printer');
    expect(lines(d)).toContain('Behaviour: a LAN device uses its TCP port 631');
  });

  it('benign computers and phones in nDPI captures keep their kind and get no behavioural trait', async () => {
    const want: [string, string, string][] = [
      ['1kxun.pcap', 'cc:3d:82:1e:ee:e3', 'computer'], ['1kxun.pcap', '70:3e:ac:f0:f0:07', 'phone'],
      ['android.pcap', '4c:6a:f6:9f:f6:27', 'phone'], ['anyconnect-vpn.pcap', '34:36:3b:cf:75:28', 'computer'],
      ['alexa-app.pcapng', '78:f8:82:d3:fb:c2', 'phone'], ['anydesk.pcapng', '3c:a9:f4:a8:1f:ec', 'computer'],
      ['wa_video.pcap', 'd8:30:62:56:00:1c', 'computer'], ['telegram_videocall.pcapng', '9a:df:58:fa:eb:dc', 'other'],
      ['zoom_p2p.pcapng', '08:be:ac:0b:17:6e', 'other'],
    ];
    for (const [file, mac, category] of want) {
      const r = await analyzeFiles([pcap(`ndpi/pcap/${file}`)], { ruleDirs: [] });
      const d = r.devices.find((x) => x.mac === mac);
      expect(d?.category, `${file} ${mac}`).toBe(category);
      for (const x of r.devices) {
        const traits = x.evidence.filter((e) => e.source === 'behaviour' && e.category && !e.detail.includes('uses its'));
        expect(traits, `${file} ${x.mac}`).toEqual([]);
      }
    }
  });
});

describe('Behaviour inside the inventory', () => {
  it('summarises only devices the inventory lists, within its maxDevices, and says so in behaviourStats', async () => {
    const { Inventory } = await import('../../../sensor/inventory/inventory.js');
    const inv = new Inventory({ maxDevices: 2 });
    const conn = (mac: string, port: number): ConnEvent => ({
      type: 'conn', ts: 1, end_ts: 2, src_mac: mac, dst_mac: '00:00:5e:00:53:01', src_ip: '192.168.1.9', dst_ip: '47.91.10.20',
      direction: 'outbound', proto: 'udp', ip_proto: 17, src_port: 40000, dst_port: port, state: 'SF',
      orig_pkts: 1, orig_bytes: 44, resp_pkts: 1, resp_bytes: 44, reason: 'idle',
    });
    // A flow from a MAC the inventory never listed: no device, no summary.
    inv.observe(conn('5c:cf:7f:70:00:01', 32100));
    expect(inv.get('5c:cf:7f:70:00:01')).toBeUndefined();
    expect(inv.behaviourStats.devices).toBe(0);
    for (const n of [1, 2, 3]) {
      inv.observe({ type: 'arp', ts: n, op: 'request', sender_mac: `5c:cf:7f:70:00:0${n}`, sender_ip: `192.168.1.${n}`, target_mac: '00:00:00:00:00:00', target_ip: '192.168.1.1', gratuitous: false });
      inv.observe(conn(`5c:cf:7f:70:00:0${n}`, 32100));
    }
    // Three devices through a table of two: the first was evicted and its summary forgotten.
    expect(inv.behaviourStats).toEqual({ devices: 2, dropped: 0, portsDropped: 0 });
    expect(inv.get('5c:cf:7f:70:00:03')!.evidence.map((e) => e.detail)).toContain('Behaviour: it calls UDP port 32100 on the Internet');
  });
});
