// The whole ../shared/pcaps corpus, fuzzed captures included, through the full analysis: no crash,
// no internal error, every unreadable file explained in stats.errors.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { analyzeFiles, defaultRuleDirs } from '../../sensor/analyze.js';
import { loadRulePacks } from '../../rules/engine/engine.js';
import { describeShared, PCAPS_DIR } from '../helpers/shared.js';

function captures(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...captures(p));
    else if (/\.(pcap|pcapng|cap)$/i.test(e.name)) out.push(p);
  }
  return out.sort();
}

describeShared('the shared capture corpus', () => {
  it('analyses every capture without a crash or an internal error', { timeout: 300_000 }, async () => {
    const files = captures(PCAPS_DIR);
    expect(files.length).toBeGreaterThan(500);
    let packets = 0;
    let malformed = 0;
    const unreadable: string[] = [];
    const rules = loadRulePacks(defaultRuleDirs());
    expect(rules.errors).toEqual([]);
    const t0 = Date.now();
    for (const file of files) {
      const r = await analyzeFiles([file], { rules });
      expect(r.stats.internal_errors, file).toBe(0);
      packets += r.stats.packets;
      malformed += r.stats.malformed;
      for (const e of r.stats.errors) {
        expect(e.error.length, file).toBeGreaterThan(10);
        unreadable.push(`${path.relative(PCAPS_DIR, e.file)}: ${e.error}`);
      }
    }
    console.log(`corpus: ${files.length} files, ${packets} packets, ${malformed} malformed, ${unreadable.length} files with read errors, ${Date.now() - t0} ms`);
    for (const u of unreadable) console.log(`  ${u}`);
    expect(packets).toBeGreaterThan(100_000);
  });

  it('analyses several captures in order as one report', async () => {
    const files = captures(path.join(PCAPS_DIR, 'zeek-traces'));
    const r = await analyzeFiles(files);
    expect(r.stats.files).toBe(files.length);
    expect(r.stats.first_packet! <= r.stats.last_packet!).toBe(true);
    expect(r.devices.length).toBeGreaterThan(3);
    for (const d of r.devices) expect(d.mac).toMatch(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
  });

  it('reports a missing or broken file in stats.errors and still analyses the others', async () => {
    const good = path.join(PCAPS_DIR, 'zeek-traces', 'dhcp_dhcp.pcap');
    const r = await analyzeFiles(['/nonexistent/x.pcap', path.join(PCAPS_DIR, 'README.md'), good]);
    expect(r.stats.files).toBe(1);
    expect(r.stats.errors.map((e) => e.file)).toEqual(['/nonexistent/x.pcap', path.join(PCAPS_DIR, 'README.md')]);
    expect(r.stats.errors[0].error).toMatch(/ENOENT|no such file/i);
    expect(r.stats.packets).toBeGreaterThan(0);
  });
});
