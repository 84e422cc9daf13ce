// What the per-device baseline costs: engine time per event on synthetic streams, and analyze wall time on captures, with and without it.
//   node test/rules/tools/run.mjs test/rules/tools/baseline-cost.ts [capture dirs...]
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { RuleEngine } from '../../../rules/engine/engine.js';
import { loadRulePacks } from '../../../rules/engine/load.js';
import { loadBaselineConfig } from '../../../rules/engine/baseline-config.js';
import { analyzeFiles, defaultRuleDirs } from '../../../sensor/analyze.js';
import type { TcpSynEvent, TrafficEvent, WaakhondEvent } from '../../../sensor/events.js';

const S = 1_000_000;
const T0 = 1_700_000_000 * S;

/** The pipeline hands out MAC and address text from a cache (decode/format.ts TextCache): the same string objects repeat. */
const macs = (prefix: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${prefix}:${i.toString(16).padStart(2, '0')}`);

function streams(): Record<string, WaakhondEvent[]> {
  const scanMacs = macs('02:00:00:00:00', 32);
  const homeMacs = macs('02:00:00:00:01', 200);
  const scan: TcpSynEvent[] = [];
  for (let i = 0; i < 1_000_000; i++) {
    scan.push({
      type: 'tcp_syn', ts: T0 + i * 1000, src_mac: scanMacs[i % 32]!, dst_mac: 'e0:28:6d:4a:10:01',
      src_ip: '192.168.1.40', dst_ip: `45.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, direction: 'outbound', src_port: 40000,
      dst_port: [23, 2323, 80, 443, 8080][i % 5]!, seq: i, window: 5840, ttl: 64, options_length: 0, mirai_seq: false, ecn: false,
    });
  }
  const traffic: TrafficEvent[] = [];
  for (let i = 0; i < 1_000_000; i++) {
    traffic.push({
      type: 'traffic', ts: T0 + i * 1000, interval: S, mac: homeMacs[i % 200]!, ip: '192.168.1.9',
      out_pkts: 1, out_bytes: 60, out_tcp_syn: 0, out_tcp_ack_only: 0, out_udp: 0, out_udp_512: 0, out_gre: 0, out_icmp_echo: 0,
      out_udp_vse: 0, out_udp_vse_dst: 0, out_distinct_dst: 0, out_distinct_dport: 0, in_pkts: 0, in_bytes: 0, in_tcp_syn: 0, in_udp: 0, in_distinct_src: 0,
    });
  }
  return { 'tcp_syn scan, 32 devices': scan, 'traffic, 200 devices': traffic };
}

function captures(dir: string): string[] {
  return readdirSync(dir).sort().flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? captures(p) : /\.(pcap|pcapng|cap)$/i.test(n) ? [p] : [];
  });
}

export async function main(args: string[]): Promise<number> {
  const baseline = loadBaselineConfig().config!;
  const { rules } = loadRulePacks(defaultRuleDirs());
  // CPU time (the machine is shared), rounds interleaved, the minimum of 7: the least disturbed run.
  for (const [name, events] of Object.entries(streams())) {
    const variants = [['rules only', {}], ['rules + baseline', { baseline: { ...baseline, learningUs: 0, installLearningUs: 0 } }]] as const;
    const times: number[][] = variants.map(() => []);
    for (let r = 0; r < 7; r++) {
      variants.forEach(([, opts], v) => {
        const eng = new RuleEngine(rules, opts);
        const c = process.cpuUsage();
        for (const e of events) eng.observe(e);
        const d = process.cpuUsage(c);
        times[v]!.push(((d.user + d.system) * 1000) / events.length);
      });
    }
    variants.forEach(([label], v) => console.log(`${name}: ${label}: ${Math.min(...times[v]!).toFixed(0)} ns/event CPU (min of 7, interleaved)`));
  }
  const files = args.flatMap(captures);
  if (files.length) {
    const loaded = loadRulePacks(defaultRuleDirs());
    const timesOff: number[] = [];
    const timesOn: number[] = [];
    for (let r = 0; r < 3; r++) {
      for (const [bl, out] of [[null, timesOff], [undefined, timesOn]] as const) {
        const c = process.cpuUsage();
        for (const f of files) await analyzeFiles([f], { rules: loaded, ...(bl === null ? { baseline: null } : {}) });
        const d = process.cpuUsage(c);
        out.push(Math.round((d.user + d.system) / 1000));
      }
    }
    console.log(`analyze ${files.length} captures: CPU without baseline ${Math.min(...timesOff)} ms, with ${Math.min(...timesOn)} ms (min of 3, interleaved)`);
  }
  return 0;
}
