// One truth for every view (issue #13, point 1): the same captures through `waakhond analyze --json` and through
// `waakhond run` (--pcap and --stdin, with a real mosquitto on loopback) must give the same device set — the router
// listed and marked, private MACs of one phone merged, nothing of the sensor itself — and the same alerts, in the
// report, /api/devices, /api/alerts, the store file and the MQTT retained state. Both commands run as processes
// of the real CLI (bundled like dist/waakhond.mjs).
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Report } from '../../sensor/analyze.js';
import { STORE_FILE } from '../../ui/server/store/store.js';
import type { StoreData } from '../../ui/server/store/store.js';
import type { AlertView, DeviceSummary } from '../../ui/server/views.js';
import { Broker } from '../exports/helpers/broker.js';
import { assertValid } from '../exports/helpers/validate.js';
import { PROJECT_ROOT, describeShared, pcap } from '../helpers/shared.js';
import { PHONE_MACS, rotatingPhoneCapture } from '../ui/one-device/rotating-phone.js';
import { bundleCli } from './cli-bundle.js';

const PASSWORD = 'consistency-password-7731';
const DEMO = path.join(PROJECT_ROOT, 'firmware-scripts/demo/demo-home.pcap');

interface Capture {
  name: string;
  file: () => string;
  /** How the daemon reads it: a file, or the bytes on stdin (as `tcpdump -w - | waakhond run --stdin`). */
  via: 'pcap' | 'stdin';
  /** What this capture must show, so that agreeing on nothing cannot pass. */
  expect: { routers: number; merged?: string[]; minDevices: number; minAlerts: number };
}

let dir: string;
let cliBundle: string;
let removeBundle = () => {};
let rotating: string;

const CAPTURES: Capture[] = [
  // The demo home: AVM router, infected camera, a phone with a private address.
  { name: 'demo home', file: () => DEMO, via: 'pcap', expect: { routers: 1, minDevices: 6, minAlerts: 3 } },
  // Slips Hide and Seek: analyze had 2 devices, run --stdin 3 (the router). Now 3 everywhere.
  { name: 'slips hide-and-seek', file: () => pcap('slips/hide-and-seek_test7-malicious.pcap'), via: 'stdin', expect: { routers: 1, minDevices: 3, minAlerts: 1 } },
  { name: 'iot-sentinel D-LinkCam', file: () => pcap('iot-sentinel/D-LinkCam/Setup-A-1-STA.pcap'), via: 'pcap', expect: { routers: 1, minDevices: 3, minAlerts: 0 } },
  { name: 'nDPI whatsapp_login_call', file: () => pcap('ndpi/pcap/whatsapp_login_call.pcap'), via: 'stdin', expect: { routers: 1, minDevices: 3, minAlerts: 0 } },
  { name: 'nDPI iphone', file: () => pcap('ndpi/pcap/iphone.pcap'), via: 'pcap', expect: { routers: 1, minDevices: 3, minAlerts: 0 } },
  // SYNTHETIC (test/ui/one-device/rotating-phone.ts): one phone under three private MACs, scanning under the second.
  { name: 'rotating phone (synthetic)', file: () => rotating, via: 'stdin', expect: { routers: 0, merged: PHONE_MACS, minDevices: 3, minAlerts: 1 } },
];

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'waakhond-consistency-'));
  rotating = path.join(dir, 'rotating-phone.pcap');
  writeFileSync(rotating, rotatingPhoneCapture());
  // The CLI as dist/waakhond.mjs is built; data found via WAAKHOND_HOME.
  ({ file: cliBundle, remove: removeBundle } = await bundleCli('consistency'));
}, 60_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  removeBundle();
});

interface Proc { child: ChildProcess; stdout: () => string; stderr: () => string; exited: Promise<number | null> }

function cli(args: string[], stdinFile?: string): Proc {
  const stdin = stdinFile ? openSync(stdinFile, 'r') : 'ignore';
  const child = spawn(process.execPath, [cliBundle, ...args], {
    env: { ...process.env, WAAKHOND_HOME: PROJECT_ROOT, WAAKHOND_PASSWORD: PASSWORD }, stdio: [stdin, 'pipe', 'pipe'],
  });
  if (typeof stdin === 'number') closeSync(stdin);
  let out = '';
  let err = '';
  child.stdout!.on('data', (b: Buffer) => { out += b.toString(); });
  child.stderr!.on('data', (b: Buffer) => { err += b.toString(); });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exited };
}

async function waitLog(p: Proc, re: RegExp, ms = 60_000): Promise<RegExpMatchArray> {
  const t0 = Date.now();
  for (;;) {
    const m = re.exec(p.stderr());
    if (m) return m;
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${re}; stderr:\n${p.stderr()}`);
    await new Promise((res) => setTimeout(res, 50));
  }
}

/** The broker's retained messages under a prefix, as a new subscriber gets them (what Home Assistant reads after a restart). */
async function retained(url: string, topic: string): Promise<Map<string, string>> {
  const client = await mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 5000 });
  const got = new Map<string, string>();
  let last = Date.now();
  client.on('message', (t, payload, packet) => {
    if (packet.retain) { got.set(t, payload.toString()); last = Date.now(); }
  });
  await client.subscribeAsync(topic, { qos: 1 });
  // Retained messages come at once after SUBACK; wait until they stop.
  while (Date.now() - last < 400) await new Promise((r) => setTimeout(r, 50));
  await client.endAsync(true);
  return got;
}

/** A device as every view can say it: key MAC, MACs it was seen as, kind, router mark. */
interface Seen { mac: string; seen_as: string[]; category: string; router: boolean }
const line = (d: Seen) => `${d.mac} [${[...d.seen_as].sort().join(' ')}] ${d.category}${d.router ? ' router' : ''}`;
const lines = (ds: Seen[]) => ds.map(line).sort();

describeShared('one truth: analyze, API, store and MQTT agree on real captures', () => {
  for (const c of CAPTURES) {
    it(`${c.name} (run --${c.via})`, async () => {
      // 1. analyze --json
      const a = cli(['analyze', '--json', c.file()]);
      expect(await a.exited, a.stderr()).toBe(0);
      const report = JSON.parse(a.stdout()) as Report;
      expect(report.devices.length).toBeGreaterThanOrEqual(c.expect.minDevices);
      expect(report.alerts.length).toBeGreaterThanOrEqual(c.expect.minAlerts);
      const routers = report.devices.filter((d) => d.router);
      expect(routers.map((d) => d.category)).toEqual(Array(c.expect.routers).fill('router'));
      if (c.expect.merged) expect(report.devices.find((d) => d.mac === c.expect.merged![0])?.seen_as).toEqual(c.expect.merged);

      // 2. the daemon on the same capture, exporting to a real mosquitto on loopback
      const broker = await Broker.start({ persistence: false });
      const data = mkdtempSync(path.join(dir, 'data-'));
      const source = c.via === 'pcap' ? ['--pcap', c.file()] : ['--stdin'];
      const d = cli(['run', ...source, '--host', '127.0.0.1', '--port', '0', '--data', data, '--mqtt', broker.url], c.via === 'stdin' ? c.file() : undefined);
      try {
        const [, url] = await waitLog(d, /dashboard at (http:\/\/127\.0\.0\.1:\d+\/)/);
        await waitLog(d, /capture: finished/);
        const health = await (await fetch(`${url}api/health`)).json() as { capture: string; last_packet: string | null };
        expect(health.capture).toBe('ended');
        expect(health.last_packet).toBe(report.stats.last_packet);
        const login = await fetch(`${url}api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ password: PASSWORD }) });
        expect(login.status).toBe(200);
        const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0];
        const api = (await (await fetch(`${url}api/devices?lang=en`, { headers: { cookie } })).json() as { devices: DeviceSummary[] }).devices;
        const apiAlerts = (await (await fetch(`${url}api/alerts`, { headers: { cookie } })).json() as { alerts: AlertView[] }).alerts;

        // The API's device set is the report's: same keys, same merged MACs, same kinds, same router.
        expect(lines(api)).toEqual(lines(report.devices));
        // The same alerts, on the same devices.
        const alertLine = (x: { rule: string; device: string | null }) => `${x.rule} ${x.device}`;
        expect(apiAlerts.map(alertLine).sort()).toEqual(report.alerts.map(alertLine).sort());
        for (const dev of api) expect(dev.alert_count, dev.mac).toBe(report.alerts.filter((x) => x.device === dev.mac).length);

        // 3. stop (SIGTERM flushes the store), then read the store file
        d.child.kill('SIGTERM');
        expect(await d.exited, d.stderr()).toBe(0);
        const store = JSON.parse(readFileSync(path.join(data, STORE_FILE), 'utf8')) as StoreData;
        const stored: Seen[] = Object.values(store.devices).map((s) => ({ mac: s.mac, seen_as: s.seen_as ?? [s.mac], category: s.category, router: s.router === true }));
        expect(lines(stored)).toEqual(lines(report.devices));
        expect(Object.values(store.alerts).map(alertLine).sort()).toEqual(report.alerts.map(alertLine).sort());

        // 4. MQTT: the retained device states are the same devices; the retained health counts them and the alerts.
        const ret = await retained(broker.url, 'waakhond/#');
        const states = [...ret].filter(([t, p]) => /\/device\/[0-9a-f]{12}\/state$/.test(t) && p !== '')
          .map(([, p]) => JSON.parse(p) as { device: { mac: string; seen_as?: string[]; category: string } });
        for (const s of states) assertValid(s);
        const mqttSeen: Seen[] = states.map((s) => ({ mac: s.device.mac, seen_as: s.device.seen_as ?? [s.device.mac], category: s.device.category, router: false }));
        expect(lines(mqttSeen)).toEqual(lines(report.devices.map((r) => ({ ...r, router: false }))));
        // MQTT (and Home Assistant) carry the mark as the kind: every gateway is there, of kind router.
        for (const r of routers) expect(states.find((s) => s.device.mac === r.mac)?.device.category, r.mac).toBe('router');
        const healthMsg = ret.get('waakhond/home/health');
        expect(healthMsg, 'retained health').toBeDefined();
        expect(JSON.parse(healthMsg!).health).toMatchObject({ devices: report.devices.length, alerts: report.alerts.length });
        // The log named every device it listed.
        for (const r of report.devices) expect(r.seen_as.some((m) => d.stderr().includes(`device: new ${m}`)), r.mac).toBe(true);
        // ...and every alert it raised, once, on the device's key.
        const raised = d.stderr().match(/ alert raised: .*/g) ?? [];
        expect(raised.length).toBe(report.alerts.length);
        for (const x of report.alerts) expect(raised.some((l) => l.includes(`] ${x.rule} on ${x.device ?? 'the network'}`)), x.id).toBe(true);
      } finally {
        if (d.child.exitCode === null) { d.child.kill('SIGTERM'); await d.exited; }
        await broker.destroy();
      }
    }, 120_000);
  }
});
