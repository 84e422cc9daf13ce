// Per-home MQTT traffic and end-to-end delay, measured on the demo home capture (an infected camera among five
// devices) through the real pipeline, inventory, rules and MQTT exporter into a real mosquitto. Prints the figures
// the README's fleet section quotes, and holds the per-home budget that makes 1 million homes affordable.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCaptureFile } from '../../sensor/capture/file.js';
import { Pipeline } from '../../sensor/pipeline.js';
import { Inventory } from '../../sensor/inventory/inventory.js';
import { RuleEngine, loadRulePacks } from '../../rules/engine/engine.js';
import type { Alert } from '../../rules/engine/types.js';
import type { Device } from '../../sensor/inventory/types.js';
import { projectPath } from '../../sensor/paths.js';
import { startExports } from '../../ui/server/exports/index.js';
import type { DeviceStatus } from '../../ui/server/exports/index.js';
import { Broker, Recorder, waitFor } from './helpers/broker.js';
import { assertValid } from './helpers/validate.js';

const DEMO = projectPath('firmware-scripts', 'demo', 'demo-home.pcap');

/** Status from a device's alerts' advice, the way the dashboard words it (worst wins). */
function statusOf(alerts: Alert[]): DeviceStatus {
  const adv = new Set(alerts.map((a) => a.advice));
  if (adv.has('infected-reset')) return 'infected';
  if (adv.has('disable-telnet') || adv.has('disable-upnp') || adv.has('change-password')) return 'exposed';
  if (adv.has('update')) return 'update-advised';
  return 'ok';
}

interface Run {
  seconds: number;
  received: { topic: string; bytes: number; kind: string }[];
  retainedBytes: number;
  retainedCount: number;
  /** Without Home Assistant discovery (what an ISP fleet keeps). */
  retainedCoreBytes: number;
  delaysMs: number[];
  alertsRaised: number;
  alertCalls: number;
}

let broker: Broker;
let run: Run;

beforeAll(async () => {
  broker = await Broker.start();
  const rec = await Recorder.connect(broker.url, ['#']);
  const inventory = new Inventory();
  const { rules } = loadRulePacks([projectPath('rules', 'packs')]);
  const engine = new RuleEngine(rules);
  let captureMs = 0;
  const ex = startExports({ site_id: 'demo', mqtt: { url: broker.url, reconnect_ms: 100 } }, () => undefined, { now: () => captureMs });
  await waitFor(() => ex.counters().mqtt!.sent >= 1, 5000, 'connected'); // the "online" status
  const byDevice = new Map<string, Alert[]>();
  const pushedAt = new Map<string, number>();
  let t0 = 0;
  let alertCalls = 0;
  let raised = 0;
  inventory.onChange = (d: Device, change) => {
    if (change === 'evicted') ex.deviceForgotten(d.mac);
    else ex.deviceChanged(d, statusOf(byDevice.get(d.mac) ?? []));
  };
  engine.onAlert = (a, change) => {
    alertCalls++;
    if (a.device) {
      const list = (byDevice.get(a.device) ?? []).filter((x) => x.id !== a.id);
      byDevice.set(a.device, [...list, a]);
      const d = inventory.get(a.device);
      if (d) ex.deviceChanged(d, statusOf(byDevice.get(a.device)!));
    }
    if (change === 'raised') {
      raised++;
      pushedAt.set(a.id, t0);
    }
    ex.alert(a, change);
  };
  const pipeline = new Pipeline({
    sinks: [(e) => inventory.observe(e), (e) => engine.observe(e), (e) => {
      if (e.type === 'sensor_stats') ex.health({ ...e, devices: inventory.list().length, alerts: engine.alerts().length });
    }],
  });
  let first = -1;
  let last = 0;
  for await (const batch of openCaptureFile(DEMO)) {
    for (let i = 0; i < batch.length; i++) {
      const f = batch.frame(i);
      if (first < 0) first = f.ts;
      last = f.ts;
      captureMs = f.ts / 1000;
      t0 = performance.now();
      const before = raised;
      pipeline.push([f]); // one frame at a time: the delay is from this packet to the subscriber
      // A live capture hands over small batches: let the event loop (sockets) run every 32 frames and after an alert.
      if (raised !== before || i % 32 === 31) await new Promise((r) => setImmediate(r));
    }
  }
  t0 = performance.now();
  pipeline.finish(); // end of capture: flows end, and alerts on them are raised now
  await waitFor(() => ex.counters().mqtt!.queued === 0, 5000, 'flushed');
  await new Promise((r) => setTimeout(r, 200));
  await ex.close();
  await waitFor(() => rec.on('waakhond/demo/status').at(-1)?.payload === 'offline', 5000, 'offline');
  const received = rec.msgs.map((m) => {
    const kind = m.topic.startsWith('homeassistant/') ? 'discovery' : m.topic.split('/')[2] ?? '?';
    return { topic: m.topic, bytes: Buffer.byteLength(m.payload) + Buffer.byteLength(m.topic), kind };
  });
  const delaysMs: number[] = [];
  for (const m of rec.on('waakhond/demo/alert')) {
    const msg = JSON.parse(m.payload);
    assertValid(msg);
    const at = pushedAt.get(msg.alert.id);
    if (msg.change === 'raised' && at !== undefined) delaysMs.push(m.at - at);
  }
  for (const m of rec.msgs) if (/\/(state|health)$/.test(m.topic) && m.payload) assertValid(JSON.parse(m.payload));
  await rec.close();
  // What a new subscriber (the ISP's ingest, Home Assistant after a restart) receives: the retained state of the home.
  const fresh = await Recorder.connect(broker.url, ['#']);
  await new Promise((r) => setTimeout(r, 300));
  run = {
    seconds: (last - first) / 1e6, received, delaysMs: delaysMs.sort((a, b) => a - b), alertsRaised: raised, alertCalls,
    retainedBytes: fresh.msgs.reduce((s, m) => s + Buffer.byteLength(m.payload) + Buffer.byteLength(m.topic), 0),
    retainedCount: fresh.msgs.length,
    retainedCoreBytes: fresh.msgs.filter((m) => !m.topic.startsWith('homeassistant/'))
      .reduce((s, m) => s + Buffer.byteLength(m.payload) + Buffer.byteLength(m.topic), 0),
  };
  await fresh.close();
});

afterAll(async () => {
  await broker?.destroy();
});

describe('demo home over MQTT (figures)', () => {
  it('per-home message rate stays within budget; alert updates are deduplicated', () => {
    const byKind: Record<string, { n: number; bytes: number }> = {};
    for (const r of run.received) {
      const k = (byKind[r.kind] ??= { n: 0, bytes: 0 });
      k.n++;
      k.bytes += r.bytes;
    }
    const hours = run.seconds / 3600;
    const total = run.received.length;
    const bytes = run.received.reduce((s, r) => s + r.bytes, 0);
    console.log(`\n[figures] demo capture ${run.seconds.toFixed(1)} s; MQTT messages ${total} (${bytes} bytes incl. topics):`);
    for (const [k, v] of Object.entries(byKind)) console.log(`[figures]   ${k.padEnd(10)} ${String(v.n).padStart(4)} msgs ${String(v.bytes).padStart(7)} bytes`);
    console.log(`[figures] rule engine callbacks ${run.alertCalls} (raised ${run.alertsRaised}) -> alert messages ${byKind.alert?.n ?? 0}`);
    console.log(`[figures] scaled to an hour of this (infected) home: ${(total / hours).toFixed(0)} msgs/h, ${(bytes / hours / 1024).toFixed(1)} KiB/h`);
    console.log(`[figures] retained state of the home: ${run.retainedCount} topics, ${run.retainedBytes} bytes (${run.retainedCoreBytes} without HA discovery)`);
    // Every raised alert is sent once; updates at most once per alert per minute of capture time.
    const alertMsgs = byKind.alert?.n ?? 0;
    expect(alertMsgs).toBeGreaterThanOrEqual(run.alertsRaised);
    expect(alertMsgs).toBeLessThanOrEqual(run.alertsRaised * (1 + Math.ceil(run.seconds / 60)));
    // Budget for a fleet: the whole infection story of this home (6 devices, 17 alerts) in under 150 messages / 64 KiB,
    // and its retained state (what a broker keeps per home) under 32 KiB.
    expect(total).toBeLessThan(150);
    expect(bytes).toBeLessThan(64 * 1024);
    expect(run.retainedBytes).toBeLessThan(32 * 1024);
  });

  it('end-to-end delay from packet to MQTT message is small', () => {
    const d = run.delaysMs;
    expect(d.length).toBe(run.alertsRaised);
    const q = (p: number) => d[Math.min(d.length - 1, Math.floor(p * d.length))]!;
    console.log(`[figures] packet -> subscriber delay over ${d.length} raised alerts: median ${q(0.5).toFixed(1)} ms, p90 ${q(0.9).toFixed(1)} ms, max ${d.at(-1)!.toFixed(1)} ms`);
    expect(q(0.5)).toBeLessThan(250);
  });
});
