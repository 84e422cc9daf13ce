// Every capture under ../shared/pcaps (real and fuzzed) is read without a throw, and frame counts
// and timestamps agree with Wireshark's capinfos/tshark and with tcpdump for a handful of files.
import { execFileSync, spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { describeShared, PCAPS_DIR, pcap } from '../../helpers/shared.js';
import { missingTools, skipUnless } from '../../helpers/needs.js';
import { openCaptureFile, openCaptureStream } from '../../../sensor/capture/file.js';

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p));
    else out.push(p);
  }
  return out.sort();
}

async function count(file: string): Promise<{ frames: number; first: number[]; error: string | null }> {
  const s = openCaptureFile(file);
  let frames = 0;
  const first: number[] = [];
  for await (const batch of s) {
    for (const f of batch) if (first.length < 3) first.push(f.ts);
    frames += batch.length;
  }
  return { frames, first, error: s.stats.error };
}

/** One file of each kind: little/big-endian pcap, nanosecond pcap, pcapng, a fuzzed file. */
const HANDFUL = [
  'ndpi/pcap/1kxun.pcap',
  'ndpi/pcap/nfsv3.pcap', // big-endian
  'ndpi/pcap/fuzz-2006-06-26-2594.pcap', // big-endian, fuzzed
  'ndpi/pcap/someip_sd_sample.pcap', // nanosecond
  'stopddos/amp.UDP.bacnet.IOT.37810.pcapng',
  'ndpi/pcap/alexa-app.pcapng',
];

describeShared('shared capture corpus', () => {
  it('reads every file without throwing; every capture file to its end', async () => {
    const files = walk(PCAPS_DIR);
    let total = 0;
    let captures = 0;
    const failed: string[] = [];
    const notCaptures: string[] = [];
    for (const f of files) {
      const r = await count(f);
      total += r.frames;
      const isCapture = /\.(pcap|pcapng|cap)$/i.test(f);
      if (isCapture) captures++;
      if (r.error !== null && isCapture) failed.push(`${path.relative(PCAPS_DIR, f)}: ${r.error}`);
      if (r.error !== null && !isCapture) notCaptures.push(path.relative(PCAPS_DIR, f));
    }
    console.log(`shared corpus: ${files.length} files, ${captures} captures, ${total} frames; ${notCaptures.length} non-captures refused by magic`);
    expect(captures).toBeGreaterThan(500);
    expect(failed).toEqual([]);
    expect(total).toBeGreaterThan(300_000);
  });

  it('counts the same frames as capinfos and tcpdump, and the same timestamps as tshark', async (ctx) => {
    skipUnless(ctx, missingTools(['capinfos', 'tshark', 'tcpdump'], 'apt-get install tshark tcpdump'));
    for (const rel of HANDFUL) {
      const ours = await count(pcap(rel));
      expect(ours.error, rel).toBeNull();
      const info = execFileSync('capinfos', ['-c', '-M', pcap(rel)], { encoding: 'utf8' });
      const n = Number(/Number of packets:\s*(\d+)/.exec(info)?.[1]);
      expect(ours.frames, rel).toBe(n);
      // tshark's epoch seconds with 9 decimals, floored to microseconds like the parsers do.
      const ts = execFileSync('tshark', ['-r', pcap(rel), '-c', '3', '-T', 'fields', '-e', 'frame.time_epoch'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
        .trim()
        .split('\n')
        .map((s) => {
          const [sec, frac = ''] = s.trim().split('.');
          return Number(sec) * 1e6 + Number(frac.padEnd(9, '0').slice(0, 6));
        });
      expect(ours.first, rel).toEqual(ts);
    }
    // tcpdump prints one line per packet for these plain-IP captures.
    for (const rel of ['ndpi/pcap/1kxun.pcap', 'stopddos/amp.UDP.bacnet.IOT.37810.pcapng']) {
      const lines = execFileSync('sh', ['-c', `tcpdump -r "$1" -q -n -t 2>/dev/null | wc -l`, 'sh', pcap(rel)], { encoding: 'utf8' });
      expect((await count(pcap(rel))).frames, rel).toBe(Number(lines.trim()));
    }
  });

  it('reads a pcap stream piped from tcpdump -U -w - (as from ssh root@router tcpdump ...)', async (ctx) => {
    skipUnless(ctx, missingTools(['tcpdump'], 'apt-get install tcpdump'));
    const rel = 'stopddos/pkt.TCP.synflood.spoofed.pcap';
    const child = spawn('tcpdump', ['-r', pcap(rel), '-U', '-w', '-'], { stdio: ['ignore', 'pipe', 'ignore'] });
    const s = openCaptureStream(child.stdout, 'tcpdump');
    let n = 0;
    for await (const batch of s) n += batch.length;
    expect(s.stats.error).toBeNull();
    expect(n).toBe((await count(pcap(rel))).frames);
    expect(n).toBeGreaterThan(30_000);
  });
});
