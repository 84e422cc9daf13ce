// A SYN scan must not grow the flow table: one-SYN attempts past its bound end by eviction, each is
// still reported once (tcp_syn when sent, conn when it ends), and the evictions are counted.
import path from 'node:path';
import { expect, it } from 'vitest';
import { openCaptureFile } from '../../sensor/capture/file.js';
import { Pipeline } from '../../sensor/pipeline.js';
import { writeSynScan } from '../bench/synscan.js';
import { scratchDir } from '../helpers/scratch.js';

it('20,000 one-SYN attempts through a 1,024-flow table: bounded, every attempt reported once, evictions counted', async () => {
  const file = path.join(scratchDir('waakhond-scan-flows-'), 'scan.pcap');
  const n = 20_000;
  await writeSynScan(file, n);
  const cap = 1024;
  const counts = { tcp_syn: 0, conn: 0, evicted: 0, end: 0, sensor_stats: 0 };
  let maxActive = 0;
  const pipeline = new Pipeline({
    maxFlows: cap,
    sinks: [(e) => {
      if (e.type === 'tcp_syn') counts.tcp_syn++;
      else if (e.type === 'conn') {
        counts.conn++;
        if (e.reason === 'evicted') counts.evicted++;
        if (e.reason === 'end') counts.end++;
        expect(e.state).toBe('S0');
        expect(e.orig_pkts).toBe(1);
      } else if (e.type === 'sensor_stats') {
        counts.sensor_stats++;
        expect(e.flows_active).toBeLessThanOrEqual(cap);
      }
    }],
  });
  for await (const batch of openCaptureFile(file)) {
    pipeline.push(batch);
    maxActive = Math.max(maxActive, pipeline.flows.active);
  }
  // Before the end: the table sits at its bound, everything past it was evicted (the scan lasts 0.2 s,
  // far less than the 40 s an unanswered attempt waits, so nothing expired instead).
  expect(maxActive).toBe(cap);
  expect(pipeline.stats.flows_evicted).toBe(n - cap);
  expect(pipeline.flows.evicted).toBe(n - cap);
  pipeline.finish();
  expect(counts.tcp_syn).toBe(n);
  expect(counts.conn).toBe(n);
  expect(counts.evicted).toBe(n - cap);
  expect(counts.end).toBe(cap);
  expect(pipeline.flows.active).toBe(0);
  expect(counts.sensor_stats).toBeGreaterThanOrEqual(1);
});
