// Detection delay per behaviour: from the first malicious packet of a device to its first high (or critical) alert.
//   node test/rules/tools/run.mjs test/rules/tools/delay.ts [--only NAME]...   (npm run delay:rules)
//
// Two delays per behaviour, both in capture time:
// - "first_seen": the alert's first_seen minus the first malicious packet. For rules on conn events first_seen is the
//   flow's FIRST packet, although the engine only sees the flow when it ends (an unanswered SYN: 5 min TCP idle), so
// - "raised": when the engine actually raised the alert (the newest packet time the pipeline had reached then) minus
//   the first malicious packet: what a household waits for.
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openCaptureFile } from '../../../sensor/capture/file.js';
import type { WaakhondEvent } from '../../../sensor/events.js';
import { Inventory } from '../../../sensor/inventory/inventory.js';
import { Pipeline } from '../../../sensor/pipeline.js';
import { loadRulePacks, RuleEngine } from '../../../rules/engine/engine.js';
import { SEVERITIES, type Alert } from '../../../rules/engine/types.js';
import { isPublic } from '../../../rules/engine/addr.js';
import { defaultRuleDirs } from '../../../sensor/analyze.js';
import { SCENARIOS } from '../../gen/scenarios.js';
import { writePcap } from '../../gen/pcap.js';

const SHARED = path.resolve(process.env.WAAKHOND_SHARED ?? path.join(process.cwd(), '..', 'shared'), 'pcaps');

interface Behaviour {
  name: string;
  /** A generated scenario or a capture path (relative to ../shared/pcaps). */
  capture: { gen: string } | { shared: string } | { file: string };
  /** Is this event (involving the device) part of the malicious behaviour? The first one starts the clock. */
  malicious: (e: WaakhondEvent) => boolean;
  /** The device(s) to report (MAC); all devices with a malicious event when absent. */
  devices?: string[];
  localNets?: string[];
}

const CAMERA = 'c0:56:e3:17:8a:4d';
const PLUG = '50:c7:bf:2a:91:33';

/** Any event with endpoints that involves one of these addresses. */
const talksTo = (...ips: string[]) => (e: WaakhondEvent): boolean =>
  'src_ip' in e && 'dst_ip' in e && (ips.includes(e.src_ip as string) || ips.includes(e.dst_ip as string));

/** A device's first scanning probe: outbound SYN to 23/2323 of a public address. */
const telnetScan = (e: WaakhondEvent): boolean =>
  e.type === 'tcp_syn' && e.direction === 'outbound' && isPublic(e.dst_ip) && (e.mirai_seq || e.dst_port === 23 || e.dst_port === 2323);

const BEHAVIOURS: Behaviour[] = [
  { name: 'gafgyt: ELF download from a bare IP + text C2 on 23', capture: { gen: 'gafgyt-download-c2' }, malicious: talksTo('94.156.8.44', '94.156.8.45'), devices: [CAMERA] },
  { name: 'gafgyt: TFTP fetch of a MIPS ELF + text C2 on 666', capture: { gen: 'gafgyt-tftp-c2' }, malicious: talksTo('94.156.8.50', '94.156.8.51'), devices: [CAMERA] },
  { name: 'mirai: download folder over keep-alive HTTP', capture: { gen: 'mirai-folder-keepalive' }, malicious: talksTo('103.136.43.7'), devices: [CAMERA] },
  { name: 'irc bot (Muhstik-like) on port 9999', capture: { gen: 'irc-bot' }, malicious: talksTo('45.9.148.99'), devices: [CAMERA] },
  { name: 'dead C2 retries, IRC port 6667 (camera)', capture: { gen: 'dead-c2-retries' }, malicious: talksTo('185.244.25.11'), devices: [CAMERA] },
  { name: 'dead C2 retries, other port 5555 (plug)', capture: { gen: 'dead-c2-retries' }, malicious: talksTo('91.92.243.17'), devices: [PLUG] },
  { name: 'inbound JAWS exploit, then download', capture: { gen: 'jaws-exploit-download' }, malicious: talksTo('141.98.11.23', '141.98.11.30'), devices: [CAMERA] },
  { name: 'inbound JAWS exploit, then download, ERSPAN-wrapped', capture: { gen: 'jaws-exploit-download-erspan' }, malicious: talksTo('141.98.11.23', '141.98.11.30'), devices: [CAMERA] },
  { name: 'mozi: BitTorrent DHT from a camera', capture: { gen: 'mozi-dht' }, malicious: (e) => e.type === 'bt_dht' || (e.type === 'conn' && e.proto === 'udp' && e.src_mac === CAMERA && isPublic(e.dst_ip)), devices: [CAMERA] },
  { name: 'mirai: raw telnet scanner', capture: { gen: 'mirai-scan' }, malicious: telnetScan, devices: [CAMERA] },
  { name: 'hide and seek: scan (real, Slips)', capture: { shared: 'slips/hide-and-seek_test7-malicious.pcap' }, malicious: telnetScan, devices: ['b8:27:eb:c7:e9:c9'] },
];

const rank = (s: string): number => SEVERITIES.indexOf(s as (typeof SEVERITIES)[number]);
const fmt = (us: number | null): string => (us === null ? '-' : `${(us / 1e6).toFixed(3)} s`);

/** Analyze one capture like `analyze` does, also noting the packet time at which each alert was raised. */
async function run(file: string, localNets: string[] | undefined, onEvent: (e: WaakhondEvent) => void): Promise<{ alerts: Alert[]; raisedAt: Map<string, number>; t0: number | null }> {
  const { rules } = loadRulePacks(defaultRuleDirs());
  const inventory = new Inventory();
  // As analyze does: severity_by_kind asks the inventory what the device is.
  const engine = new RuleEngine(rules, { deviceKind: (d) => inventory.get(d)?.category ?? null });
  let clock = 0;
  const raisedAt = new Map<string, number>();
  engine.onAlert = (a, change) => { if (change === 'raised' && !raisedAt.has(a.id)) raisedAt.set(a.id, Math.max(clock, a.first_seen)); };
  const pipeline = new Pipeline({
    localNets,
    sinks: [
      (e) => { if (e.ts > clock && e.type !== 'conn' && e.type !== 'traffic') clock = e.ts; },
      (e) => inventory.observe(e), (e) => engine.observe(e), onEvent,
    ],
  });
  for await (const batch of openCaptureFile(file)) pipeline.push(batch);
  pipeline.finish();
  return { alerts: engine.alerts(), raisedAt, t0: pipeline.stats.first_ts };
}

export async function main(args: string[]): Promise<number> {
  const only: string[] = [];
  for (let i = 0; i < args.length; i++) if (args[i] === '--only') only.push(args[++i]!);
  const tmp = mkdtempSync(path.join(tmpdir(), 'waakhond-delay-'));
  try {
    for (const b of BEHAVIOURS) {
      if (only.length && !only.some((o) => b.name.includes(o))) continue;
      let file: string;
      if ('gen' in b.capture) {
        file = path.join(tmp, `${b.capture.gen}.pcap`);
        if (!existsSync(file)) writePcap(file, SCENARIOS[b.capture.gen]!());
      } else if ('shared' in b.capture) {
        file = path.join(SHARED, b.capture.shared);
        if (!existsSync(file)) { console.log(`== ${b.name}: SKIPPED, ${file} not found`); continue; }
      } else file = b.capture.file;
      const first = new Map<string, number>();
      const { alerts, raisedAt } = await run(file, b.localNets, (e) => {
        if (!b.malicious(e)) return;
        for (const dev of [('src_mac' in e ? e.src_mac : null), ('dst_mac' in e ? e.dst_mac : null)]) {
          if (dev && (!b.devices || b.devices.includes(dev)) && (!first.has(dev) || e.ts < first.get(dev)!)) first.set(dev, e.ts);
        }
      });
      console.log(`== ${b.name} (${'gen' in b.capture ? `generated ${b.capture.gen}` : path.basename(file)})`);
      for (const dev of b.devices ?? [...first.keys()]) {
        const t = first.get(dev);
        if (t === undefined) { console.log(`  ${dev}: no malicious packet seen`); continue; }
        const mine = alerts.filter((a) => a.device === dev).sort((x, y) => (raisedAt.get(x.id) ?? x.first_seen) - (raisedAt.get(y.id) ?? y.first_seen));
        const high = mine.filter((a) => rank(a.severity) >= rank('high'));
        const h = high[0];
        console.log(`  ${dev}: first high alert ${h ? `${h.rule} (${h.severity})` : 'NONE'}: delay first_seen ${h ? fmt(h.first_seen - t) : '-'}, raised ${h ? fmt((raisedAt.get(h.id) ?? h.first_seen) - t) : '-'}`);
        for (const a of mine.slice(0, 12)) {
          console.log(`    ${a.rule.padEnd(44)} ${a.severity.padEnd(8)} first_seen +${fmt(a.first_seen - t).padEnd(11)} raised +${fmt((raisedAt.get(a.id) ?? a.first_seen) - t)}`);
        }
      }
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return 0;
}
