// Auto-quarantine (act.auto_quarantine: true) on the demo home: the camera the rules call infected lands in the
// kernel's quarantine set by itself, and nothing else does. Capability detection is FAKED (this machine is no
// router); nft is real, inside a namespace the test creates and removes.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Daemon } from '../../ui/server/daemon.js';
import { waitFor } from '../exports/helpers/broker.js';
import { startDemoDaemon, stopDemo } from '../ui/e2e-setup.js';
import { describeNeeds, firstMissing, missingTools, needsRoot } from '../helpers/needs.js';

const NS = `wqa${process.pid % 10000}`;
const quarantineSet = () => spawnSync('ip', ['netns', 'exec', NS, 'nft', 'list', 'set', 'inet', 'waakhond', 'quarantine'], { encoding: 'utf8' }).stdout;

describeNeeds('auto-quarantine of an infected device (capability FAKED at the detection boundary; nft real, in a test namespace)', firstMissing(needsRoot(), missingTools(['nft'], 'apt-get install nftables')), () => {
  let daemon: Daemon | undefined;
  const logs: string[] = [];

  beforeAll(async () => {
    spawnSync('ip', ['netns', 'del', NS]);
    expect(spawnSync('ip', ['netns', 'add', NS]).status).toBe(0);
    const dir = mkdtempSync(path.join(tmpdir(), 'waakhond-auto-'));
    const wrapper = path.join(dir, 'nft-in-ns');
    writeFileSync(wrapper, `#!/bin/sh\nexec ip netns exec ${NS} nft "$@"\n`);
    chmodSync(wrapper, 0o755);
    ({ daemon } = await startDemoDaemon('auto-quarantine-pw', 'waakhond-auto-', logs, {
      config: (c) => { c.act = { enabled: true, lan_iface: ['br-lan'], nft: wrapper, auto_quarantine: true }; },
      hooks: { act: { detect: async () => ({ capable: true, reasons: [], codes: [], lan: ['br-lan'], router_v4: null, lan_nets: [] }) } },
    }));
  }, 120_000);

  afterAll(async () => {
    await stopDemo(daemon, undefined);
    spawnSync('ip', ['netns', 'del', NS]);
    expect(spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout).not.toContain(NS);
  });

  it('quarantines the demo\'s infected camera and only it', async () => {
    const CAMERA = 'c0:56:e3:17:8a:4d';
    await waitFor(() => quarantineSet().includes(CAMERA), 10_000, 'the camera in the quarantine set');
    const macs = quarantineSet().match(/[0-9a-f]{2}(:[0-9a-f]{2}){5}/g) ?? [];
    expect(macs).toEqual([CAMERA]);
    // The kernel has it a moment before nft's exit reaches the daemon and it logs.
    await waitFor(() => logs.some((l) => l === `act: quarantine ${CAMERA} by auto`), 5000, 'the log line');
    // One quarantine however many alerts the camera raised, and no failed repeats.
    expect(logs.filter((l) => l.startsWith('act: quarantine ') || l.includes('auto-quarantine'))).toEqual([`act: quarantine ${CAMERA} by auto`]);
  }, 30_000);
});
