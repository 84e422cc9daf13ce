// kill -9 at random moments of store saves (fsync on): after each, the store on disk is whole and every record in it
// passes the record check, and the next start removes the temporaries the killed writer left.
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Store, STORE_FILE, validateStore } from '../../ui/server/store/store.js';
import { checkRecords } from '../../ui/server/store/store-schema.js';
import { bundle, sleep, temporaries, tmp } from './durable-helpers.js';

async function killLoop(writer: string, dir: string, rounds: number, onKilled: (round: number) => void): Promise<number> {
  let leftTemporaries = 0;
  for (let r = 0; r < rounds; r++) {
    const child = spawn(process.execPath, [writer, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      child.stdout!.once('data', () => resolve());
      child.once('exit', (code) => reject(new Error(`writer exited early (${code})`)));
    });
    await sleep(30 + Math.random() * 250);
    const exited = new Promise((res) => child.once('exit', res));
    child.kill('SIGKILL');
    await exited;
    if (temporaries(dir).length) leftTemporaries++;
    onKilled(r);
  }
  return leftTemporaries;
}

describe('store: kill -9 loop over saves', () => {
  it('always leaves a whole, valid store; the next start removes stray temporaries', async () => {
    const dir = tmp();
    const writer = await bundle(path.join(import.meta.dirname, '..', 'ui', 'server', 'store-crash-writer.ts'));
    let last = 0;
    const left = await killLoop(writer, dir, 10, () => {
      const data = JSON.parse(readFileSync(path.join(dir, STORE_FILE), 'utf8')) as Record<string, unknown>;
      expect(validateStore(data)).toBeNull();
      expect(checkRecords(data)).toEqual([]);
      const n = Object.keys(data.devices as object).length;
      expect(n).toBeGreaterThanOrEqual(last);
      last = n;
    });
    console.log(`store kill -9: ${left} of 10 kills left a temporary behind; ${last} devices saved`);
    expect(last).toBeGreaterThan(10);
    // A temporary of a dead writer, planted so the clean-up is checked whatever the kills hit.
    writeFileSync(path.join(dir, `.${STORE_FILE}.999999.1.tmp`), '{"half');
    const logs: string[] = [];
    const s = new Store({ dataDir: dir, log: (m) => logs.push(m), fsync: false });
    s.load();
    expect(temporaries(dir)).toEqual([]);
    expect(logs.join('\n')).toMatch(/removed \d+ temporary file\(s\) left by an interrupted save/);
    expect(Object.keys(s.data.devices)).toHaveLength(last);
    expect(readdirSync(dir).filter((f) => /corrupt|rejected/.test(f))).toEqual([]);
    s.close();
  }, 120_000);

  it("leaves a live writer's temporary alone", () => {
    const dir = tmp();
    // The parent of this test process is alive: its temporary is a save in progress, not litter.
    const live = `.${STORE_FILE}.${process.ppid}.7.tmp`;
    writeFileSync(path.join(dir, live), '{');
    const s = new Store({ dataDir: dir, fsync: false });
    s.load();
    expect(temporaries(dir)).toEqual([live]);
  });
});
