// kill -9 at random moments of connection-log saves: connlog.bin always decodes (checksum and all), it only grows,
// and the next start removes the temporaries the killed writer left (a 14.7 MB one stayed forever before, issue #14).
import { spawn } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeConnLog } from '../../sensor/connlog-codec.js';
import { startConnLog } from '../../ui/server/exports/connlog-service.js';
import { bundle, sleep, temporaries, tmp } from './durable-helpers.js';

describe('connection log: kill -9 loop over saves', () => {
  it('always leaves a connlog.bin that decodes; the next start removes stray temporaries', async () => {
    const dir = tmp();
    const writer = await bundle(path.join(import.meta.dirname, 'connlog-kill9-writer.ts'));
    const file = path.join(dir, 'connlog.bin');
    let last = 0;
    let leftTemporaries = 0;
    for (let r = 0; r < 10; r++) {
      const child = spawn(process.execPath, [writer, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise<void>((resolve, reject) => {
        child.stdout!.once('data', () => resolve());
        child.once('exit', (code) => reject(new Error(`writer exited early (${code})`)));
      });
      await sleep(50 + Math.random() * 300);
      const exited = new Promise((res) => child.once('exit', res));
      child.kill('SIGKILL');
      await exited;
      if (temporaries(dir).length) leftTemporaries++;
      const log = decodeConnLog(readFileSync(file));
      expect(log.stats.ignored).toBe(0);
      const seen = log.stats.entries + log.stats.overwritten;
      expect(seen).toBeGreaterThanOrEqual(last);
      last = seen;
    }
    console.log(`connlog kill -9: ${leftTemporaries} of 10 kills left a temporary behind; ${last} connections saved, connlog.bin ${statSync(file).size} bytes`);
    expect(last).toBeGreaterThan(10_000);
    writeFileSync(path.join(dir, '.connlog.bin.999999.3.tmp'), 'WKCL half');
    writeFileSync(path.join(dir, 'connlog.json.999998.tmp'), '{"version":1,'); // the old writer's name
    const logs: string[] = [];
    const s = startConnLog({ dataDir: dir, saveEveryS: 0, log: (m) => logs.push(m) });
    expect(temporaries(dir)).toEqual([]);
    expect(logs.join('\n')).toMatch(/removed \d+ temporary file\(s\)/);
    expect(s.connlog.stats.entries).toBe(Math.min(100_000, last));
    s.close();
  }, 120_000);
});
