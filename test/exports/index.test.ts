// The exports front door: deduplication of devices, throttling of alert updates (latest wins), batched health,
// and silence when nothing is configured. Uses a recording sink and an injected clock.
import { describe, expect, it } from 'vitest';
import { startExports } from '../../ui/server/exports/index.js';
import type { ExportSink } from '../../ui/server/exports/index.js';
import type { EventMessage } from '../../ui/server/exports/schema.js';
import { assertValid } from './helpers/validate.js';
import { sampleAlert, sampleDevice, sampleStats } from './helpers/samples.js';

class Rec implements ExportSink {
  readonly name = 'rec';
  msgs: EventMessage[] = [];
  device(m: EventMessage) { this.msgs.push(m); }
  alert(m: EventMessage) { this.msgs.push(m); }
  health(m: EventMessage) { this.msgs.push(m); }
  counters() { return { queued: 0, queued_bytes: 0, dropped: 0, sent: this.msgs.length, failed: 0 }; }
  async close() {}
}

function setup(over: Record<string, unknown> = {}) {
  const rec = new Rec();
  let now = 1_000_000;
  const ex = startExports({ site_id: 'home-1', ...over }, () => undefined, { sinks: [rec], now: () => now });
  return { rec, ex, advance: (ms: number) => { now += ms; } };
}

describe('startExports', () => {
  it('sends a device when seen and when identity or status changes, not for last_seen alone', async () => {
    const { rec, ex, advance } = setup();
    ex.deviceChanged(sampleDevice(), 'ok');
    ex.deviceChanged(sampleDevice('b8:27:eb:c7:e9:c9', { last_seen: 9e15 }), 'ok');
    ex.deviceChanged(sampleDevice(), 'infected');
    ex.deviceChanged(sampleDevice('b8:27:eb:c7:e9:c9', { name: 'Pi in the attic' }), 'infected');
    advance(3600_000);
    ex.deviceChanged(sampleDevice('b8:27:eb:c7:e9:c9', { name: 'Pi in the attic' }), 'infected'); // refresh after an hour
    ex.deviceForgotten('b8:27:eb:c7:e9:c9');
    ex.deviceChanged(sampleDevice(), 'ok'); // seen again after being forgotten
    const changes = rec.msgs.map((m) => (m.kind === 'device' ? `${m.change}:${m.device.status}` : '?'));
    expect(changes).toEqual(['seen:ok', 'changed:infected', 'changed:infected', 'changed:infected', 'forgotten:ok', 'seen:ok']);
    rec.msgs.forEach(assertValid);
    await ex.close();
  });

  it('alert updates go at most once per interval per alert, the latest winning; raised and cleared at once', async () => {
    const A = (n: number) => sampleAlert(n, { id: 'scan/b8:27:eb:c7:e9:c9' });
    const { rec, ex, advance } = setup({ alert_update_interval_s: 60 });
    ex.alert(A(1), 'raised');
    ex.alert(A(2), 'updated');
    ex.alert(A(3), 'updated');
    expect(rec.msgs).toHaveLength(1);
    advance(61_000);
    ex.alert(A(4), 'updated'); // interval passed: goes at once, replacing the waiting one
    ex.alert(A(5), 'updated'); // waits
    ex.alert(A(6), 'cleared'); // at once; the waiting update is dropped (stale)
    ex.alert({ ...sampleAlert(7), id: 'other' }, 'updated'); // another alert id has its own interval
    expect(rec.msgs.map((m) => (m.kind === 'alert' ? `${m.change}:${m.alert.count}` : '?'))).toEqual(['raised:1', 'updated:4', 'cleared:6', 'updated:7']);
    await ex.close();
    expect(rec.msgs).toHaveLength(4);
  });

  it('health is batched: at most once per interval, latest counters, flushed on close', async () => {
    const { rec, ex, advance } = setup({ health_interval_s: 300 });
    ex.health({ ...sampleStats({ packets: 1 }), devices: 1 });
    ex.health({ ...sampleStats({ packets: 2 }), devices: 1 });
    advance(100_000);
    ex.health({ ...sampleStats({ packets: 3 }), devices: 2 });
    expect(rec.msgs).toHaveLength(1);
    await ex.close();
    const packets = rec.msgs.map((m) => (m.kind === 'health' ? m.health.packets : -1));
    expect(packets).toEqual([1, 3]);
    expect(rec.msgs[1]!.kind === 'health' && rec.msgs[1]!.health.exports.rec).toMatchObject({ sent: 1 });
    rec.msgs.forEach(assertValid);
  });

  it('with nothing configured, nothing is made and the log says so', async () => {
    const logs: string[] = [];
    const ex = startExports({}, (m) => logs.push(m));
    ex.alert(sampleAlert(1), 'raised');
    expect(ex.counters()).toEqual({});
    expect(logs).toEqual(['exports: none configured, nothing is sent']);
    await ex.close();
  });
});
