// Generator command line (see run.mjs): write the demo capture or one test case's capture.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { writeDemo } from './demo.js';
import { writePcap } from './pcap.js';
import { SCENARIOS } from './scenarios.js';

// run.mjs bundles this file elsewhere, so it passes the project root in.
const ROOT = process.env.WAAKHOND_ROOT ?? process.cwd();

export async function main(args: string[]): Promise<number> {
  const [cmd, a, b] = args;
  if (cmd === 'demo') {
    const out = a ?? path.join(ROOT, 'firmware-scripts', 'demo', 'demo-home.pcap');
    mkdirSync(path.dirname(out), { recursive: true });
    const n = writeDemo(out);
    console.log(`${out}: ${n} bytes`);
    return 0;
  }
  if (cmd === 'case' && a && b && SCENARIOS[a]) {
    const n = writePcap(b, SCENARIOS[a]!());
    console.log(`${b}: ${n} bytes`);
    return 0;
  }
  console.error(`usage: node test/gen/run.mjs demo [out.pcap] | case <${Object.keys(SCENARIOS).join('|')}> <out.pcap>`);
  return 2;
}
