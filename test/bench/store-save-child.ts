// Child of store-save.mjs: a household-sized store (300 devices with an hour of traffic, the 2,000-alert cap,
// history, a baseline: ~3.5 MB of JSON, like the 300-device home of `npm run bench -- --memory`), then
// `flushes` saves, each after one change. Prints the rise of the peak resident size over the resident size
// before the first measured save (VmHWM reset through /proc/self/clear_refs) and each save's time.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Store } from '../../ui/server/store/store.js';
import type { TrafficEvent } from '../../sensor/events.js';
import type { Alert } from '../../rules/engine/types.js';

const flushes = Number(process.argv[2] ?? 10);
const fsync = process.argv[3] !== 'nofsync';
const dir = mkdtempSync(path.join(tmpdir(), 'waakhond-store-save-'));
const s = new Store({ dataDir: dir, fsync });
s.load();
const T = 1_767_614_400_000_000;
const mac = (i: number) => `00:1a:21:00:${((i >> 8) & 255).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`;
for (let i = 0; i < 300; i++) {
  const m = mac(i);
  s.upsertDevice({ mac: m, ips: [`10.21.${i >> 8}.${i & 255}`], ipv6: [], vendor: 'Brookhuis Applied Technologies', model: null, category: 'other', name: null,
    hostname: `device-${i}`, confidence: 0.5, evidence: [{ source: 'dhcp', detail: `option 12 device-${i}` }] as never, first_seen: T, last_seen: T, private_mac: false });
  for (let min = 0; min < 60; min++) s.recordTraffic({ type: 'traffic', ts: T + min * 60e6 + i, mac: m, ip: null, out_bytes: 6000, in_bytes: 0, out_pkts: 60, in_pkts: 0 } as unknown as TrafficEvent);
}
for (let a = 0; a < 2000; a++) {
  const m = mac(a % 300);
  s.upsertAlert({ id: `net.new-destination|${m}|93.184.${a % 50}.${a % 4}:${a}`, rule: 'net.new-destination', title: 'Device talks to a new destination', severity: 'info', device: m,
    first_seen: T + a, last_seen: T + a * 1000, count: 1 + (a % 7), summary: `new destination 93.184.${a % 50}.${a % 4}:443 (tcp), ${a % 13} connections`, advice: 'check-device',
    group: { device: m, dst: `93.184.${a % 50}.${a % 4}` }, evidence: Array.from({ length: 5 }, (_, k) => ({ detail: `SYN to 93.184.${a % 50}.${a % 4}:443 from port ${30000 + k}`, ts: T + a + k })) } as unknown as Alert);
}
s.setBaseline({ format: 'waakhond.baseline-state', version: 1, watched: 600e6, families: ['dns', 'tls', 'http'], known: Array.from({ length: 300 }, (_, i) => [mac(i), T]),
  devices: Array.from({ length: 300 }, (_, i) => [mac(i), 1, T, 3, 1, 0, 5, 0, 0, 2, Buffer.alloc(384, i).toString('base64'), Buffer.alloc(384, i + 1).toString('base64')]) });
s.flush();
const status = () => readFileSync('/proc/self/status', 'utf8');
const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(status())?.[1] ?? NaN) / 1024;
await new Promise((r) => setTimeout(r, 300));
const before = kb('VmRSS');
writeFileSync('/proc/self/clear_refs', '5'); // resets VmHWM to the current resident size
const ms: number[] = [];
for (let i = 0; i < flushes; i++) {
  s.setName(mac(i % 300), `kamer ${i}`);
  const t = performance.now();
  s.flush();
  ms.push(performance.now() - t);
}
console.log(JSON.stringify({ bytes: s.stats.bytes, writes: s.stats.writes, rss_before_mb: before, peak_rise_mb: kb('VmHWM') - before, flush_ms: ms }));
rmSync(dir, { recursive: true, force: true });
