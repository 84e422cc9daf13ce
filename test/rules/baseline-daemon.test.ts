// The daemon keeps the learnt baseline across a restart (in its store) and starts fresh, with a log line, past a corrupt one.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startDaemon } from '../../ui/server/daemon.js';
import { parseRunArgs } from '../../ui/server/config.js';
import { STORE_FILE } from '../../ui/server/store/store.js';
import { projectPath } from '../../sensor/paths.js';
import { loadBaselineConfig } from '../../rules/engine/baseline-config.js';

const DEMO = projectPath('firmware-scripts', 'demo', 'demo-home.pcap');
const dirs: string[] = [];
const envPassword = process.env.WAAKHOND_PASSWORD;
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  if (envPassword === undefined) delete process.env.WAAKHOND_PASSWORD;
  else process.env.WAAKHOND_PASSWORD = envPassword;
});

async function runOnce(data: string): Promise<string[]> {
  const logs: string[] = [];
  process.env.WAAKHOND_PASSWORD = 'baseline-test-password';
  const d = await startDaemon(parseRunArgs(['--pcap', DEMO, '--host', '127.0.0.1', '--port', '0', '--data', data]), (m) => logs.push(m));
  expect(d).not.toBeNull();
  await d!.captureDone;
  await d!.stop();
  return logs;
}

describe('daemon: the baseline across restarts', () => {
  it('saves the learnt state, restores it at the next start, refuses a corrupt one with a log line', async () => {
    const data = mkdtempSync(path.join(tmpdir(), 'waakhond-bdaemon-'));
    dirs.push(data);
    const first = await runOnce(data);
    expect(first).toContainEqual(`baseline: ${loadBaselineConfig().config!.families.length} protocol families, learning 24 h per device`);
    expect(first.some((l) => /^baseline: (restored|saved state refused)/.test(l))).toBe(false); // nothing saved yet
    const file = path.join(data, STORE_FILE);
    const saved = JSON.parse(readFileSync(file, 'utf8'));
    expect(saved.baseline).toMatchObject({ format: 'waakhond.baseline', version: 1 });
    expect(saved.baseline.devices.length).toBeGreaterThan(0);
    expect(saved.baseline.known.length).toBeGreaterThan(0);

    const second = await runOnce(data);
    expect(second).toContainEqual(`baseline: restored (${saved.baseline.devices.length} device profile(s), ${saved.baseline.known.length} known device(s))`);

    writeFileSync(file, JSON.stringify({ ...saved, baseline: { ...saved.baseline, known: 'not a list' } }));
    const third = await runOnce(data);
    expect(third).toContainEqual('baseline: saved state refused (known is not a list): starting a fresh baseline');
    const after = JSON.parse(readFileSync(file, 'utf8'));
    expect(Object.keys(after.devices).length).toBe(Object.keys(saved.devices).length); // the store itself kept
    expect(after.baseline.known.length).toBeGreaterThan(0); // learnt again and saved
  }, 60_000);
});
