// MQTT exporter against a real mosquitto on loopback: messages arrive and validate, Home Assistant discovery,
// retained state survives reconnects and restarts, the offline buffer loses nothing within its bound and counts drops.
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import { startExports } from '../../ui/server/exports/index.js';
import type { Exporters } from '../../ui/server/exports/index.js';
import { mqttTopics } from '../../ui/server/exports/mqtt.js';
import { Broker, Recorder, waitFor } from './helpers/broker.js';
import { assertValid } from './helpers/validate.js';
import { sampleAlert, sampleDevice, sampleStats } from './helpers/samples.js';

const SITE = 'home-1';
const T = mqttTopics('waakhond', SITE);
const MAC = 'b8:27:eb:c7:e9:c9';

let cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const f of cleanup.reverse()) await f().catch(() => undefined);
  cleanup = [];
});

function start(url: string, over: Record<string, unknown> = {}, mqttOver: Record<string, unknown> = {}) {
  const logs: string[] = [];
  const ex = startExports({
    site_id: SITE, health_interval_s: 0, alert_update_interval_s: 0,
    mqtt: { url, reconnect_ms: 100, ...mqttOver }, ...over,
  }, (m) => logs.push(m));
  cleanup.push(() => ex.close());
  return { ex, logs };
}

async function broker(opts: Parameters<typeof Broker.start>[0] = {}): Promise<Broker> {
  const b = await Broker.start(opts);
  cleanup.push(() => b.destroy());
  return b;
}

async function recorder(url: string, topics: string[], opts = {}): Promise<Recorder> {
  const r = await Recorder.connect(url, topics, opts);
  cleanup.push(() => r.close());
  return r;
}

const sent = (ex: Exporters) => ex.counters().mqtt!.sent;

describe('MQTT exporter (real mosquitto)', () => {
  it('publishes retained device state, QoS 1 alerts, health and HA discovery; every message validates', async () => {
    const b = await broker();
    const rec = await recorder(b.url, ['waakhond/#', 'homeassistant/#']);
    const { ex } = start(b.url);
    ex.deviceChanged(sampleDevice(), 'infected');
    ex.alert(sampleAlert(1), 'raised');
    ex.health({ ...sampleStats(), devices: 1, alerts: 1 });
    await waitFor(() => rec.on(T.alert).length === 1 && rec.on(T.health).length === 1 && rec.on(T.deviceState(MAC)).length === 1
      && rec.on(T.haProblem(MAC)).length === 1 && rec.on(T.haStatus(MAC)).length === 1, 10_000, 'messages');

    const state = JSON.parse(rec.on(T.deviceState(MAC))[0]!.payload);
    assertValid(state);
    expect(state).toMatchObject({ kind: 'device', change: 'seen', site: SITE, device: { mac: MAC, status: 'infected' } });
    const alert = JSON.parse(rec.on(T.alert)[0]!.payload);
    assertValid(alert);
    expect(alert).toMatchObject({ kind: 'alert', change: 'raised', alert: { rule: 'mirai.scan.telnet', advice: 'infected-reset' } });
    const health = JSON.parse(rec.on(T.health)[0]!.payload);
    assertValid(health);
    expect(health.health).toMatchObject({ packets: 12345, devices: 1, alerts: 1 });

    // Home Assistant: one HA device per home device, grouped by identifiers and the MAC connection.
    const problem = JSON.parse(rec.on(T.haProblem(MAC))[0]!.payload);
    const status = JSON.parse(rec.on(T.haStatus(MAC))[0]!.payload);
    expect(T.haProblem(MAC)).toBe('homeassistant/binary_sensor/waakhond_home-1/b827ebc7e9c9_problem/config');
    expect(problem).toMatchObject({
      device_class: 'problem', state_topic: T.deviceState(MAC), availability_topic: T.status,
      unique_id: 'waakhond_home-1_b827ebc7e9c9_problem',
      device: { identifiers: ['waakhond_home-1_b827ebc7e9c9'], connections: [['mac', MAC]], manufacturer: 'Raspberry Pi Foundation' },
    });
    expect(status).toMatchObject({ device_class: 'enum', options: ['ok', 'update-advised', 'exposed', 'infected'], device: problem.device });
    expect(problem.value_template).toContain("'infected'");
    expect(rec.on(T.status).at(-1)?.payload).toBe('online');

    // An unchanged device (only last_seen moved) is not re-sent; a status change is, without re-sending discovery.
    await waitFor(() => sent(ex) === 7, 5000, 'acks'); // online, sensor + 2 device discovery configs, state, alert, health
    const sensorCfg = JSON.parse(rec.on(T.haSensor)[0]!.payload);
    expect(sensorCfg.device.identifiers).toEqual([problem.device.via_device]);
    expect(sensorCfg.state_topic).toBe(T.health);
    const before = sent(ex);
    ex.deviceChanged(sampleDevice(MAC, { last_seen: sampleDevice().last_seen + 60_000_000 }), 'infected');
    ex.deviceChanged(sampleDevice(), 'ok');
    await waitFor(() => rec.on(T.deviceState(MAC)).length === 2, 5000, 'second state');
    expect(JSON.parse(rec.on(T.deviceState(MAC))[1]!.payload)).toMatchObject({ change: 'changed', device: { status: 'ok' } });
    expect(sent(ex) - before).toBe(1);
    expect(rec.on(T.haProblem(MAC))).toHaveLength(1);

    await ex.close();
    await waitFor(() => rec.on(T.status).at(-1)?.payload === 'offline', 5000, 'offline status');
  });

  it('forgetting a device removes its retained state and its Home Assistant entities', async () => {
    const b = await broker();
    const { ex } = start(b.url);
    ex.deviceChanged(sampleDevice(), 'exposed');
    ex.deviceChanged(sampleDevice('00:11:22:33:44:55'), 'ok');
    await waitFor(() => sent(ex) >= 8, 5000, 'publish'); // online + sensor config + 2 x (2 configs + state)
    const r1 = await recorder(b.url, ['waakhond/+/device/#', 'homeassistant/#']);
    const perDevice = (r: Recorder) => r.msgs.filter((m) => m.topic !== T.haSensor);
    await waitFor(() => perDevice(r1).length === 6, 5000, 'retained');
    expect(r1.msgs.every((m) => m.retain)).toBe(true);

    ex.deviceForgotten(MAC);
    await waitFor(() => r1.msgs.filter((m) => m.payload === '').length === 3, 5000, 'empty retained');
    const r2 = await recorder(b.url, ['waakhond/+/device/#', 'homeassistant/#']);
    await new Promise((r) => setTimeout(r, 300));
    expect(perDevice(r2).map((m) => m.topic).sort()).toEqual([
      T.haProblem('00:11:22:33:44:55'), T.haStatus('00:11:22:33:44:55'), T.deviceState('00:11:22:33:44:55'),
    ].sort());
  });

  it('retained state is right after the broker restarts, including changes made while it was away', async () => {
    const b = await broker();
    const { ex, logs } = start(b.url);
    ex.deviceChanged(sampleDevice(), 'ok');
    await waitFor(() => sent(ex) >= 4, 5000, 'first state');
    await b.stop();
    await waitFor(() => logs.some((l) => l.includes('lost')), 5000, 'disconnect noticed');
    ex.deviceChanged(sampleDevice(), 'exposed');
    ex.deviceChanged(sampleDevice(), 'infected'); // coalesced with the one above: only the latest state waits
    expect(ex.counters().mqtt).toMatchObject({ queued: 1, dropped: 0 });
    await b.start();
    await waitFor(() => ex.counters().mqtt!.queued === 0 && logs.some((l) => l.includes('again')), 10_000, 'reconnect + flush');
    const r = await recorder(b.url, [T.deviceState(MAC), T.haProblem(MAC), T.status]);
    await waitFor(() => r.msgs.length >= 3, 5000, 'retained after restart');
    expect(JSON.parse(r.on(T.deviceState(MAC))[0]!.payload).device.status).toBe('infected');
    expect(r.on(T.status)[0]!.payload).toBe('online');
    expect(r.on(T.haProblem(MAC))).toHaveLength(1);
  });

  it('republishes retained state and discovery to a broker that lost them (no persistence)', async () => {
    const b = await broker({ persistence: false });
    const { ex, logs } = start(b.url);
    ex.deviceChanged(sampleDevice(), 'infected');
    await waitFor(() => sent(ex) >= 4, 5000, 'first state');
    await b.stop();
    await waitFor(() => logs.some((l) => l.includes('lost')), 5000, 'disconnect noticed');
    await b.start();
    await waitFor(() => logs.some((l) => l.includes('again')) && ex.counters().mqtt!.queued === 0, 10_000, 'reconnect');
    const r = await recorder(b.url, [T.deviceState(MAC), T.haProblem(MAC), T.haStatus(MAC)]);
    await waitFor(() => r.msgs.length >= 3, 5000, 'retained republished');
    expect(JSON.parse(r.on(T.deviceState(MAC))[0]!.payload).device.status).toBe('infected');
  });

  it('buffers alerts while the broker is away: nothing lost within the bound, the oldest dropped and counted beyond it', async () => {
    const b = await broker();
    // A persistent subscriber: its session and QoS 1 queue survive the broker restart (persistence on).
    const sub = await recorder(b.url, [T.alert], { clientId: 'waakhond-test-sub', clean: false });
    const { ex, logs } = start(b.url, {}, { queue_max: 50 });
    // QoS 1 is at-least-once: mosquitto may redeliver what the subscriber got just before the restart, so
    // count distinct alerts (alert.id + change + count identifies a message), in order of first arrival.
    const ids = () => [...new Set(sub.on(T.alert).map((m) => JSON.parse(m.payload).alert.count as number))];
    for (let i = 1; i <= 10; i++) ex.alert(sampleAlert(i), 'raised');
    await waitFor(() => ids().length === 10, 5000, 'first 10');

    await b.stop();
    await waitFor(() => logs.some((l) => l.includes('lost')), 5000, 'disconnect noticed');
    for (let i = 11; i <= 40; i++) ex.alert(sampleAlert(i), 'raised');
    expect(ex.counters().mqtt).toMatchObject({ queued: 30, dropped: 0 });
    await b.start();
    await waitFor(() => ids().length === 40, 15_000, 'all 40 after restart').catch((e) => {
      throw new Error(`${e.message}: got ${ids().join(',')} counters ${JSON.stringify(ex.counters())} logs ${logs.join(' | ')} broker ${b.log}`);
    });
    expect(ids()).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(ex.counters().mqtt!.dropped).toBe(0);

    const lostBefore = logs.filter((l) => l.includes('lost')).length;
    await b.stop();
    await waitFor(() => logs.filter((l) => l.includes('lost')).length > lostBefore, 5000, 'second disconnect');
    for (let i = 41; i <= 120; i++) ex.alert(sampleAlert(i), 'raised');
    expect(ex.counters().mqtt).toMatchObject({ queued: 50, dropped: 30 });
    await b.start();
    await waitFor(() => ids().length === 90, 15_000, 'newest 50 after restart');
    expect(ids().slice(40)).toEqual(Array.from({ length: 50 }, (_, i) => 71 + i));
    for (const m of sub.on(T.alert)) assertValid(JSON.parse(m.payload));
  });

  it('never blocks: publishing with no broker at all returns at once and queues', async () => {
    const { ex } = start('mqtt://127.0.0.1:1', {}, { queue_max: 1000, homeassistant: { enabled: false } });
    const t0 = performance.now();
    for (let i = 0; i < 5000; i++) ex.alert(sampleAlert(i), 'raised');
    const ms = performance.now() - t0;
    expect(ex.counters().mqtt).toMatchObject({ queued: 1000, dropped: 4000, sent: 0 });
    expect(ms).toBeLessThan(2000);
  });

  it('memory of the buffer while the broker is away (default queue of 10000, filled with alerts and device states)', async () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const { ex } = start('mqtt://127.0.0.1:1', {}, { homeassistant: { enabled: false } });
    gc();
    const heap0 = process.memoryUsage().heapUsed;
    for (let i = 0; i < 200; i++) ex.deviceChanged(sampleDevice(`02:00:00:00:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`), 'ok');
    for (let i = 0; i < 12_000; i++) ex.alert(sampleAlert(i), 'raised');
    gc();
    const heap = process.memoryUsage().heapUsed - heap0;
    const c = ex.counters().mqtt!;
    expect(c.queued).toBe(10_000);
    expect(c.dropped).toBe(200 + 12_000 - 10_000);
    const perMsg = c.queued_bytes / c.queued;
    console.log(`[figures] MQTT buffer full (10000 msgs, broker away): payload+topic ${(c.queued_bytes / 1048576).toFixed(2)} MiB (${perMsg.toFixed(0)} B/msg), heap growth ${(heap / 1048576).toFixed(2)} MiB`);
    expect(heap).toBeLessThan(32 * 1048576);
  });

  it('fleet mode: nothing retained, "forgotten" is an ordinary message; discovery without retained state is refused', async () => {
    const b = await broker();
    const live = await recorder(b.url, ['waakhond/#']);
    const { ex } = start(b.url, {}, { retain_state: false, homeassistant: { enabled: false } });
    ex.deviceChanged(sampleDevice(), 'ok');
    ex.health({ ...sampleStats() });
    ex.deviceForgotten(MAC);
    await waitFor(() => live.on(T.deviceState(MAC)).length === 2 && live.on(T.health).length === 1, 5000, 'live');
    const forgotten = JSON.parse(live.on(T.deviceState(MAC))[1]!.payload);
    assertValid(forgotten);
    expect(forgotten).toMatchObject({ kind: 'device', change: 'forgotten', device: { mac: MAC } });
    expect(live.msgs.some((m) => m.topic.startsWith('homeassistant/'))).toBe(false);
    const late = await recorder(b.url, ['waakhond/+/device/#', T.health]);
    await new Promise((r) => setTimeout(r, 300));
    expect(late.msgs).toEqual([]);
    expect(() => startExports({ mqtt: { url: b.url, retain_state: false } }, () => undefined)).toThrow(/retain_state/);
  });
});
