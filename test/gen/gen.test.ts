// The generators: valid checksums, Mirai-faithful probes, a deterministic demo capture equal to the committed one.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { demoRecords } from './demo.js';
import { pcapBytes, type PcapRecord } from './pcap.js';
import { SCENARIOS } from './scenarios.js';
import { PROJECT_ROOT } from '../helpers/shared.js';
import { isPublic } from '../../rules/engine/addr.js';

function sum16(b: Uint8Array, off: number, len: number, init = 0): number {
  let s = init;
  for (let i = 0; i + 1 < len; i += 2) s += (b[off + i]! << 8) | b[off + i + 1]!;
  if (len & 1) s += b[off + len - 1]! << 8;
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
}

interface Ip { src: number; dst: number; proto: number; off: number; len: number; hl: number }

function ipv4Of(f: Uint8Array): Ip | null {
  if (((f[12]! << 8) | f[13]!) !== 0x0800) return null;
  const dv = new DataView(f.buffer, f.byteOffset, f.byteLength);
  const hl = (f[14]! & 15) * 4;
  return { src: dv.getUint32(26), dst: dv.getUint32(30), proto: f[23]!, off: 14, len: dv.getUint16(16), hl };
}

/** Every IPv4 header, TCP and UDP checksum of a frame verifies (RFC 1071: the sum over the data is 0xffff). */
function checksumsOk(f: Uint8Array): boolean {
  const ip = ipv4Of(f);
  if (!ip) return true;
  if (sum16(f, ip.off, ip.hl) !== 0xffff) return false;
  if (ip.proto !== 6 && ip.proto !== 17) return true;
  const l4 = ip.off + ip.hl;
  const l4len = ip.len - ip.hl;
  const pseudo = (ip.src >>> 16) + (ip.src & 0xffff) + (ip.dst >>> 16) + (ip.dst & 0xffff) + ip.proto + l4len;
  return sum16(f, l4, l4len, pseudo) === 0xffff;
}

describe('generated traffic', () => {
  it('has valid IPv4/TCP/UDP checksums in every scenario', () => {
    for (const [name, gen] of Object.entries(SCENARIOS)) {
      if (name.startsWith('ladder-')) continue;
      const bad = gen().filter((r) => !checksumsOk(r.data)).length;
      expect(bad, name).toBe(0);
    }
  });

  it('Mirai probes: seq = destination, no options, one source port, 9:1 to 23:2323, ~160/s, public targets only', () => {
    const probes = SCENARIOS['mirai-scan']!().map((r) => ({ r, ip: ipv4Of(r.data) })).filter(({ r, ip }) => {
      if (!ip || ip.proto !== 6) return false;
      const t = ip.off + ip.hl;
      const dv = new DataView(r.data.buffer, r.data.byteOffset);
      return r.data[t + 13] === 0x02 && dv.getUint32(t + 4) === ip.dst;
    });
    expect(probes.length).toBe(30 * 160);
    const sports = new Set<number>();
    let p2323 = 0;
    for (const { r, ip } of probes) {
      const t = ip!.off + ip!.hl;
      const dv = new DataView(r.data.buffer, r.data.byteOffset);
      expect(r.data[t + 12]! >> 4).toBe(5); // data offset 5 words: no options
      sports.add(dv.getUint16(t));
      if (dv.getUint16(t + 2) === 2323) p2323++;
      const d = ip!.dst;
      expect(isPublic([d >>> 24, (d >>> 16) & 255, (d >>> 8) & 255, d & 255].join('.'))).toBe(true);
    }
    expect(sports.size).toBe(1);
    expect(p2323 / probes.length).toBeCloseTo(0.1, 2);
    const span = (probes.at(-1)!.r.ts - probes[0]!.r.ts) / 1e6;
    expect(probes.length / span).toBeGreaterThan(155);
    expect(probes.length / span).toBeLessThan(165);
  });

  it('the demo capture is deterministic, < 1 MB, and the committed file is its output', () => {
    const a = pcapBytes(demoRecords());
    const b = pcapBytes(demoRecords());
    expect(a.equals(b)).toBe(true);
    expect(a.length).toBeLessThan(1024 * 1024);
    const committed = readFileSync(path.join(PROJECT_ROOT, 'firmware-scripts', 'demo', 'demo-home.pcap'));
    expect(committed.equals(a), 'regenerate with: node test/gen/run.mjs demo').toBe(true);
    const recs: PcapRecord[] = demoRecords();
    const span = (Math.max(...recs.map((r) => r.ts)) - Math.min(...recs.map((r) => r.ts))) / 1e6;
    expect(span).toBeGreaterThan(120);
    expect(span).toBeLessThan(600);
  });
});
