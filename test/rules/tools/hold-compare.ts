// Every capture under the given folders analysed twice, with known scanners held (the default) and with
// --no-hold: prints the captures where a device was held and any whose alerts (rule, device, severity)
// differ. `npm run compare:hold` (default: ../shared/pcaps). Exit code 1 when some capture differs.
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { analyzeFiles, type Report } from '../../../sensor/analyze.js';
import { defaultPackDirs, loadRulePacks } from '../../../rules/engine/engine.js';

function captures(p: string): string[] {
  if (!statSync(p).isDirectory()) return [p];
  return readdirSync(p, { withFileTypes: true }).flatMap((e) => e.isDirectory() ? captures(path.join(p, e.name))
    : /\.(pcap|pcapng|cap)$/i.test(e.name) ? [path.join(p, e.name)] : []).sort();
}

const verdicts = (r: Report): string => r.alerts.map((a) => `${a.rule}|${a.device}|${a.severity}`).sort().join('\n');

export async function main(args: string[]): Promise<number> {
  const rules = loadRulePacks(defaultPackDirs());
  const files = (args.length ? args : ['../shared/pcaps']).flatMap(captures);
  let held = 0;
  let differ = 0;
  for (const f of files) {
    const a = await analyzeFiles([f], { rules, hold: true });
    const b = await analyzeFiles([f], { rules, hold: false });
    if (a.stats.held_syns + a.stats.held_datagrams > 0) {
      held++;
      console.log(`held: ${a.stats.held_syns} SYNs, ${a.stats.held_datagrams} datagrams of ${a.stats.packets} packets: ${f}`);
    }
    if (verdicts(a) !== verdicts(b)) {
      differ++;
      console.log(`DIFFERENT ALERTS: ${f}\n  held:    ${verdicts(a).replace(/\n/g, '; ')}\n  no hold: ${verdicts(b).replace(/\n/g, '; ')}`);
    }
  }
  console.log(`${files.length} captures, ${held} with a held device, ${differ} with different alerts`);
  return differ === 0 ? 0 : 1;
}
