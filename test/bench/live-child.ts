// `npm run bench -- --live` capture side: runs inside the bench's network namespace (ip netns exec) and
// does what `waakhond analyze` does (pipeline, inventory, rule engine) on a live capture with the pcap
// addon; told "stop" on stdin, it closes the capture and prints what it counted and what was dropped.
import { createInterface } from 'node:readline';
import { openLive } from '../../sensor/capture/live.js';
import { Pipeline } from '../../sensor/pipeline.js';
import { Inventory } from '../../sensor/inventory/inventory.js';
import { RuleEngine, loadRulePacks } from '../../rules/engine/engine.js';
import { defaultRuleDirs } from '../../sensor/analyze.js';

const args = JSON.parse(process.argv[2]) as { iface: string; bufferSize?: number; immediate?: boolean };
const inventory = new Inventory();
const engine = new RuleEngine(loadRulePacks(defaultRuleDirs()).rules, { deviceKind: (mac) => inventory.get(mac)?.category ?? null });
// As analyze and the daemon: a known scanner is held (rules/engine/hold.ts).
const pipeline = new Pipeline({ sinks: [(e) => inventory.observe(e), (e) => engine.observe(e)], held: engine });
engine.onHold = (mac, handle) => pipeline.hold(mac, handle);
const src = await openLive({ iface: args.iface, backend: 'pcap', bufferSize: args.bufferSize, immediate: args.immediate });
console.log(JSON.stringify({ ready: true }));
createInterface({ input: process.stdin }).on('line', (l) => { if (l.trim() === 'stop') void src.close(); });
for await (const batch of src) {
  pipeline.dropped = src.stats.dropped;
  pipeline.push(batch);
}
pipeline.finish();
const cpu = process.cpuUsage();
console.log(JSON.stringify({
  counted: pipeline.stats.packets, dropped: src.stats.dropped, alerts: engine.alerts().length,
  cpu_s: (cpu.user + cpu.system) / 1e6, maxrss_kb: process.resourceUsage().maxRSS,
}));
