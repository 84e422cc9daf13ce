// Faults no tmpfs makes on demand, injected under the durable writer: short writes (it must loop), a write that
// makes no progress, EIO from write or fsync, EDQUOT. Each save either replaces the file whole or leaves it as it
// was, with no temporary left.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';

type Fault = { writeSync?: (fd: number, buf: Uint8Array, off: number, len: number) => number; fsyncSync?: (fd: number) => void };
const fault: Fault = {};

vi.mock('node:fs', async (importOriginal) => {
  const orig = await importOriginal<typeof import('node:fs')>();
  return {
    ...orig,
    writeSync: (fd: number, buf: Uint8Array, off?: number, len?: number, pos?: number) =>
      fault.writeSync && off !== undefined && len !== undefined ? fault.writeSync(fd, buf, off, len) : (orig.writeSync as (...a: unknown[]) => number)(fd, buf, off, len, pos),
    fsyncSync: (fd: number) => (fault.fsyncSync ? fault.fsyncSync(fd) : orig.fsyncSync(fd)),
  };
});

// The real functions (the import above is the mocked module).
const realFs = await vi.importActual<typeof import('node:fs')>('node:fs');
const { Store, STORE_FILE } = await import('../../ui/server/store/store.js');
const { device } = await import('../ui/server/fixture.js');
const { tmp } = await import('./durable-helpers.js');

const errno = (code: string) => Object.assign(new Error(`${code}: injected`), { code });
afterEach(() => { delete fault.writeSync; delete fault.fsyncSync; });

function storeWithOne() {
  const dir = tmp();
  const logs: string[] = [];
  const s = new Store({ dataDir: dir, log: (m) => logs.push(m) });
  s.load();
  s.upsertDevice(device('02:00:00:00:00:01'));
  s.flush();
  const file = path.join(dir, STORE_FILE);
  return { s, dir, file, logs, good: readFileSync(file) };
}

describe('durable writes under injected faults', () => {
  it('short writes are looped until every byte is written', () => {
    const { s, file } = storeWithOne();
    let calls = 0;
    // At most 100 bytes a call, as a nearly full or slow filesystem may do.
    fault.writeSync = (fd, buf, off, len) => { calls++; return realFs.writeSync(fd, buf, off, Math.min(len, 100)); };
    for (let i = 2; i < 40; i++) s.upsertDevice(device(`02:00:00:00:00:${i.toString(16).padStart(2, '0')}`, { hostname: 'h'.repeat(50) }));
    s.flush();
    expect(calls).toBeGreaterThan(20);
    expect(Object.keys(JSON.parse(readFileSync(file, 'utf8')).devices)).toHaveLength(39);
    expect(s.saveProblem).toBeNull();
  });

  for (const [what, inject, code, reason] of [
    ['a write that makes no progress', () => { fault.writeSync = () => 0; }, 'ENOSPC', 'disk full'],
    ['EIO from write', () => { let n = 0; fault.writeSync = (fd, buf, off, len) => { if (n++) throw errno('EIO'); return realFs.writeSync(fd, buf, off, Math.min(len, 64)); }; }, 'EIO', 'disk error'],
    ['EIO from fsync', () => { fault.fsyncSync = () => { throw errno('EIO'); }; }, 'EIO', 'disk error'],
    ['EDQUOT', () => { fault.writeSync = () => { throw errno('EDQUOT'); }; }, 'EDQUOT', 'disk quota exceeded'],
  ] as const) {
    it(`${what}: the old file stays, no temporary, "${reason}" once, then it recovers`, () => {
      const { s, dir, file, good, logs } = storeWithOne();
      inject();
      s.upsertDevice(device('02:00:00:00:00:02'));
      s.flush();
      s.flush();
      s.setName('02:00:00:00:00:02', 'again');
      s.flush();
      expect(readFileSync(file).equals(good)).toBe(true);
      expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
      expect(s.saveProblem).toMatchObject({ code, reason, failures: 3 });
      expect(logs.filter((l) => l.includes('cannot save'))).toHaveLength(1);
      delete fault.writeSync; delete fault.fsyncSync;
      s.flush();
      expect(s.saveProblem).toBeNull();
      expect(JSON.parse(readFileSync(file, 'utf8')).names['02:00:00:00:00:02']).toBe('again');
      s.close();
    });
  }
});
