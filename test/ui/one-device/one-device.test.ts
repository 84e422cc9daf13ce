// One identity per device, end to end: the same synthetic capture of a phone rotating private MACs through `analyze`
// and through the daemon (API, store file, MQTT on a real mosquitto), which must agree; then a restart with a new MAC.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeFiles } from '../../../sensor/analyze.js';
import type { Report } from '../../../sensor/analyze.js';
import { parseRunArgs } from '../../../ui/server/config.js';
import { startDaemon } from '../../../ui/server/daemon.js';
import type { Daemon } from '../../../ui/server/daemon.js';
import { STORE_FILE } from '../../../ui/server/store/store.js';
import type { StoreData } from '../../../ui/server/store/store.js';
import type { AlertView, DeviceDetail, DeviceSummary } from '../../../ui/server/views.js';
import { mqttTopics } from '../../../ui/server/exports/mqtt.js';
import { Broker, Recorder, waitFor } from '../../exports/helpers/broker.js';
import { assertValid } from '../../exports/helpers/validate.js';
import { CAMERA, OTHER_PHONE, PHONE_MACS, PHONE_MAC_DAY4, nextDayCapture, rotatingPhoneCapture } from './rotating-phone.js';
import { scratchDir } from '../../helpers/scratch.js';

const PASSWORD = 'one-device-password-4410';
const KEY = PHONE_MACS[0];
const T = mqttTopics('waakhond', 'home');

let dir: string;
let dataDir: string;
let capture: string;
let broker: Broker;
let report: Report;
let daemon: Daemon | null = null;
const logs: string[] = [];

async function start(pcapFile: string): Promise<Daemon> {
  const opts = parseRunArgs(['--pcap', pcapFile, '--host', '127.0.0.1', '--port', '0', '--data', dataDir, '--mqtt', broker.url]);
  opts.config.store.save_delay_s = 0.1;
  const d = await startDaemon(opts, (m) => logs.push(m));
  if (!d) throw new Error(`daemon did not start:\n${logs.join('\n')}`);
  await d.captureDone;
  return d;
}

async function session(d: Daemon): Promise<{ cookie: string; csrf: string }> {
  const res = await fetch(`${d.url}api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ password: PASSWORD }) });
  expect(res.status).toBe(200);
  return { cookie: (res.headers.get('set-cookie') ?? '').split(';')[0], csrf: ((await res.json()) as { csrf: string }).csrf };
}

async function get<T>(d: Daemon, p: string, s: { cookie: string }): Promise<T> {
  const res = await fetch(`${d.url}${p}`, { headers: { cookie: s.cookie } });
  expect(res.status, p).toBe(200);
  return (await res.json()) as T;
}

/** What both sides must agree on: each device's key, the MACs it was seen as, its kind and vendor. */
const shape = (d: { mac: string; seen_as: string[]; category: string; vendor: string | null }) =>
  `${d.mac} [${[...d.seen_as].sort().join(' ')}] ${d.category} ${d.vendor}`;

beforeAll(async () => {
  dir = scratchDir('waakhond-onedev-');
  dataDir = path.join(dir, 'data');
  capture = path.join(dir, 'rotating-phone.pcap');
  writeFileSync(capture, rotatingPhoneCapture());
  process.env.WAAKHOND_PASSWORD = PASSWORD;
  broker = await Broker.start();
  report = await analyzeFiles([capture]);
}, 60_000);

afterAll(async () => {
  delete process.env.WAAKHOND_PASSWORD;
  await daemon?.stop();
  await broker?.destroy();
});

describe('a phone rotating private MACs is one device', () => {
  it('analyze: one device keyed by the first MAC, seen as all three, alerts raised on a rotated MAC point at the key', () => {
    const phone = report.devices.filter((d) => PHONE_MACS.includes(d.mac) || d.seen_as.some((m) => PHONE_MACS.includes(m)));
    expect(phone).toHaveLength(1);
    expect(phone[0].mac).toBe(KEY);
    expect(phone[0].seen_as).toEqual(PHONE_MACS);
    expect(phone[0].evidence[0].detail).toBe(`seen as ${PHONE_MACS.join(', ')} (private addresses)`);
    // The other phone shares nothing with it and stays apart; the camera is untouched.
    expect(report.devices.find((d) => d.mac === OTHER_PHONE.mac)?.seen_as).toEqual([OTHER_PHONE.mac]);
    expect(report.devices.find((d) => d.mac === CAMERA.mac)?.category).toBe('camera');
    expect(report.alerts.length).toBeGreaterThan(0);
    expect(new Set(report.alerts.map((a) => a.device))).toEqual(new Set([KEY]));
  });

  it('the daemon (API, store, MQTT) shows the same device set as analyze', async () => {
    const rec = await Recorder.connect(broker.url, ['waakhond/#', 'homeassistant/#']);
    try {
      daemon = await start(capture);
      const s = await session(daemon);
      const api = (await get<{ devices: DeviceSummary[] }>(daemon, 'api/devices', s)).devices;
      expect(api.map(shape).sort()).toEqual(report.devices.map(shape).sort());
      // Every alert points at the key, in the API as in the report.
      const alerts = (await get<{ alerts: AlertView[] }>(daemon, 'api/alerts', s)).alerts;
      expect(alerts.map((a) => a.rule).sort()).toEqual(report.alerts.map((a) => a.rule).sort());
      expect(new Set(alerts.map((a) => a.device))).toEqual(new Set([KEY]));
      expect(api.find((d) => d.mac === KEY)?.alert_count).toBe(report.alerts.length);
      // A rotated MAC still opens the phone's page.
      const viaRotated = await get<DeviceDetail>(daemon, `api/devices/${PHONE_MACS[2]}`, s);
      expect(viaRotated.mac).toBe(KEY);
      expect(viaRotated.evidence.some((e) => e.detail.startsWith('seen as ') && e.detail.includes(PHONE_MACS[1]))).toBe(true);

      // The store file: one record per device, the rotated MACs as aliases of the key.
      await daemon.stop();
      daemon = null;
      const file = JSON.parse(readFileSync(path.join(dataDir, STORE_FILE), 'utf8')) as StoreData;
      expect(Object.keys(file.devices).sort()).toEqual(report.devices.map((d) => d.mac).sort());
      expect(file.aliases).toEqual({ [PHONE_MACS[1]]: KEY, [PHONE_MACS[2]]: KEY });
      expect(Object.values(file.alerts).every((a) => a.device === KEY)).toBe(true);

      // MQTT: the retained device states are exactly the report's devices (rotated MACs have none left).
      await waitFor(() => rec.on(T.deviceState(KEY)).length > 0, 5000, 'phone state');
      const retained = new Map<string, string>();
      for (const m of rec.msgs) if (/\/device\/[0-9a-f]{12}\/state$/.test(m.topic)) retained.set(m.topic, m.payload);
      const live = [...retained].filter(([, p]) => p !== '').map(([, p]) => JSON.parse(p) as { device: { mac: string; seen_as?: string[] } });
      for (const m of live) assertValid(m);
      expect(live.map((m) => m.device.mac).sort()).toEqual(report.devices.map((d) => d.mac).sort());
      expect(live.find((m) => m.device.mac === KEY)?.device.seen_as).toEqual(PHONE_MACS);
      for (const alias of PHONE_MACS.slice(1)) expect(retained.get(T.deviceState(alias)) ?? '').toBe('');
    } finally {
      await rec.close();
    }
  }, 60_000);

  it('after a restart, a fourth MAC with the same name joins the stored device and keeps the household answer', async () => {
    daemon = await start(capture);
    let s = await session(daemon);
    const rec = await Recorder.connect(broker.url, [T.deviceState(KEY), `homeassistant/+/${T.node}/${KEY.replace(/:/g, '')}_status/config`]);
    try {
      const put = await fetch(`${daemon.url}api/devices/${PHONE_MACS[1]}/answer`, {
        method: 'PUT', headers: { cookie: s.cookie, 'x-csrf-token': s.csrf, 'content-type': 'application/json' },
        body: JSON.stringify({ category: 'phone', vendor: 'Apple', name: 'Anne haar telefoon' }),
      });
      expect(put.status).toBe(200);
      // MQTT: the answer reaches the retained state (identity 'user') and Home Assistant's device name.
      await waitFor(() => rec.on(T.haStatus(KEY)).some((m) => JSON.parse(m.payload).device.name === 'Anne haar telefoon'), 5000, 'HA name');
      await waitFor(() => rec.on(T.deviceState(KEY)).some((m) => JSON.parse(m.payload).device.identity === 'user'), 5000, 'state');
      const state = JSON.parse(rec.on(T.deviceState(KEY)).at(-1)!.payload);
      assertValid(state);
      expect(state.device).toMatchObject({ mac: KEY, name: 'Anne haar telefoon', vendor: 'Apple', category: 'phone', identity: 'user', confidence: 1 });
      expect(state.device.evidence[0]).toBe('you said so: phone, Apple, "Anne haar telefoon"');
    } finally {
      await rec.close();
    }
    await daemon.stop();

    const day4 = path.join(dir, 'day4.pcap');
    writeFileSync(day4, nextDayCapture());
    daemon = await start(day4);
    s = await session(daemon);
    const api = (await get<{ devices: DeviceSummary[] }>(daemon, 'api/devices?lang=nl', s)).devices;
    const phones = api.filter((d) => d.mac === KEY || d.mac === PHONE_MAC_DAY4);
    expect(phones).toHaveLength(1);
    expect(phones[0].mac).toBe(KEY);
    expect(phones[0].seen_as).toEqual([...PHONE_MACS, PHONE_MAC_DAY4]);
    expect(phones[0]).toMatchObject({ label: 'Anne haar telefoon', identity: 'user', vendor: 'Apple', category: 'phone' });
    const d = await get<DeviceDetail>(daemon, `api/devices/${PHONE_MAC_DAY4}?lang=nl`, s);
    expect(d.evidence[0]).toMatchObject({ source: 'user', detail: 'dat heb je zelf aangegeven: phone, Apple, "Anne haar telefoon"' });
  }, 60_000);
});
