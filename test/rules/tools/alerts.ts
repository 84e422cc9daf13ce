// The alerts of one capture or generated scenario, times relative to its first packet: what a test case's expect.yaml pins.
//   node test/rules/tools/run.mjs test/rules/tools/alerts.ts (--gen SCENARIO | CAPTURE) [--local CIDR]...
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { analyzeFiles } from '../../../sensor/analyze.js';
import { SCENARIOS } from '../../gen/scenarios.js';
import { writePcap } from '../../gen/pcap.js';

export async function main(args: string[]): Promise<number> {
  const tmp = mkdtempSync(path.join(tmpdir(), 'waakhond-alerts-'));
  try {
    const files: string[] = [];
    const localNets: string[] = [];
    for (let i = 0; i < args.length; i++) {
      if (args[i] === '--gen') {
        const f = path.join(tmp, `${args[++i]}.pcap`);
        writePcap(f, SCENARIOS[args[i]!]!());
        files.push(f);
      } else if (args[i] === '--local') localNets.push(args[++i]!);
      else files.push(args[i]!);
    }
    for (const f of files) {
      const r = await analyzeFiles([f], localNets.length ? { localNets } : {});
      const t0 = r.stats.first_packet ? Date.parse(r.stats.first_packet) : 0;
      console.log(`== ${path.basename(f)}: ${r.alerts.length} alert(s)`);
      for (const a of r.alerts) {
        console.log(`  ${a.severity.padEnd(8)} ${a.rule.padEnd(44)} ${String(a.device).padEnd(17)} x${a.count} at ${((Date.parse(a.first_seen) - t0) / 1000).toFixed(3)} s | ${a.summary.slice(0, 140)}`);
      }
      console.log(`  devices: ${r.devices.map((d) => `${d.mac}=${d.category ?? '?'}`).join(' ')}`);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return 0;
}
