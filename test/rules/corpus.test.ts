// Negatives on real captures: IoT Sentinel raises nothing of medium or above; nDPI nothing critical outside malware/scan captures.
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { analyzeFiles } from '../../sensor/analyze.js';
import { SEVERITIES, type Severity } from '../../rules/engine/types.js';
import { HAVE_SHARED, describeShared, pcap } from '../helpers/shared.js';

const rank = (s: Severity): number => SEVERITIES.indexOf(s);

function listCaptures(dir: string): string[] {
  return readdirSync(dir).sort().flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? listCaptures(p) : /\.(pcap|pcapng|cap)$/i.test(n) ? [p] : [];
  });
}

async function alertsAtLeast(files: string[], min: Severity): Promise<string[]> {
  const out: string[] = [];
  for (const f of files) {
    const r = await analyzeFiles([f]);
    for (const a of r.alerts) if (rank(a.severity) >= rank(min)) out.push(`${path.basename(f)}: ${a.severity} ${a.rule} ${a.device} | ${a.summary}`);
  }
  return out;
}

describeShared('negatives on real captures', () => {
  const sentinel = HAVE_SHARED ? readdirSync(pcap('iot-sentinel')).filter((d) => statSync(pcap(`iot-sentinel/${d}`)).isDirectory()).sort() : [];
  for (const dev of sentinel) {
    it(`IoT Sentinel ${dev}: nothing of medium severity or above`, async () => {
      expect(await alertsAtLeast(listCaptures(pcap(`iot-sentinel/${dev}`)), 'medium')).toEqual([]);
    });
  }

  // The nDPI captures of malware and scans may raise critical alerts; everything else may not.
  const MALICIOUS = /malware|bot|trickbot|emotet|scan|mirai|ddos|flood|iodine|tunnel|cobalt|dridex|qakbot|ransom/i;
  const ndpi = HAVE_SHARED ? listCaptures(pcap('ndpi/pcap')).filter((f) => !MALICIOUS.test(path.basename(f))) : [];
  const CHUNK = 90;
  for (let i = 0; i < ndpi.length; i += CHUNK) {
    const part = ndpi.slice(i, i + CHUNK);
    it(`nDPI ${path.basename(part[0]!)} .. ${path.basename(part.at(-1)!)}: nothing critical`, async () => {
      expect(await alertsAtLeast(part, 'critical')).toEqual([]);
    });
  }
});
