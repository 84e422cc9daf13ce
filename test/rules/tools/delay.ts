// Detection delay: from a device's first scanning probe (outbound SYN to 23/2323 of a public address) to each alert on it.
//   node test/rules/tools/run.mjs test/rules/tools/delay.ts [--gen SCENARIO]... [CAPTURE]...
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { analyzeFiles } from '../../../sensor/analyze.js';
import type { WaakhondEvent } from '../../../sensor/events.js';
import { isPublic } from '../../../rules/engine/addr.js';
import { SCENARIOS } from '../../gen/scenarios.js';
import { writePcap } from '../../gen/pcap.js';

export async function main(args: string[]): Promise<number> {
  const tmp = mkdtempSync(path.join(tmpdir(), 'waakhond-delay-'));
  try {
    const files: string[] = [];
    for (let i = 0; i < args.length; i++) {
      if (args[i] === '--gen') {
        const name = args[++i]!;
        const f = path.join(tmp, `${name}.pcap`);
        writePcap(f, SCENARIOS[name]!());
        files.push(f);
      } else files.push(args[i]!);
    }
    for (const f of files) {
      const firstProbe = new Map<string, number>();
      const firstRaw = new Map<string, number>();
      const seen = (e: WaakhondEvent): void => {
        if (e.type !== 'tcp_syn' || e.direction !== 'outbound' || !e.src_mac || !isPublic(e.dst_ip)) return;
        // A Mirai raw probe (seq = destination) starts the scan; without one, the first telnet SYN does.
        if (e.mirai_seq && !firstRaw.has(e.src_mac)) firstRaw.set(e.src_mac, e.ts);
        if ((e.dst_port === 23 || e.dst_port === 2323) && !firstProbe.has(e.src_mac)) firstProbe.set(e.src_mac, e.ts);
      };
      const r = await analyzeFiles([f], { onEvent: seen });
      console.log(`== ${path.basename(f)}`);
      const t0 = Date.parse(r.stats.first_packet ?? '1970-01-01T00:00:00Z');
      for (const [mac, telnetTs] of firstProbe) {
        const ts = firstRaw.get(mac) ?? telnetTs;
        console.log(`  ${mac}: first ${firstRaw.has(mac) ? 'Mirai raw probe' : 'telnet SYN'} at ${((ts / 1000 - t0) / 1000).toFixed(3)} s`);
        for (const a of r.alerts.filter((x) => x.device === mac && /scan|chain/.test(x.rule))) {
          // ISO times keep milliseconds: the delay is exact to 1 ms.
          console.log(`    ${a.rule.padEnd(32)} ${a.severity.padEnd(8)} delay ${((Date.parse(a.first_seen) - ts / 1000) / 1000).toFixed(3)} s`);
        }
      }
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return 0;
}
