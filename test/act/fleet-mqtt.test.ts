// ISP mode over a real broker (mosquitto on loopback): a signed quarantine command on <prefix>/<site>/act/command
// reaches the router's firewall (real nft, in a namespace the test creates) and the state comes back retained; a
// replayed, forged or stale command changes nothing. Capability detection is faked (this machine is no router).
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sign } from '../../ui/server/act/command.js';
import { macId } from '../../ui/server/exports/mqtt.js';
import type { Daemon } from '../../ui/server/daemon.js';
import { Broker, MOSQUITTO, Recorder, waitFor } from '../exports/helpers/broker.js';
import { startDemoDaemon } from '../ui/e2e-setup.js';
import { describeNeeds, firstMissing, missingTools, needsRoot } from '../helpers/needs.js';

const KEY = 'fleet-test-key-0123456789abcdefghijklmnop';
const NS = `wqf${process.pid % 10000}`;

const nsNft = (...a: string[]) => spawnSync('ip', ['netns', 'exec', NS, 'nft', ...a], { encoding: 'utf8' }).stdout;

describeNeeds('signed fleet commands over MQTT (capability FAKED at the detection boundary; nft real, in a test namespace)',
  firstMissing(needsRoot(), missingTools(['nft'], 'apt-get install nftables'), existsSync(MOSQUITTO) ? null : `${MOSQUITTO} (apt-get install mosquitto)`), () => {
  let broker: Broker;
  let daemon: Daemon;
  let isp: Recorder;
  let mac: string;
  const logs: string[] = [];
  const command = (action: 'quarantine' | 'release', nonce = randomBytes(8).toString('hex'), ts = Date.now(), key = KEY) =>
    JSON.stringify(sign({ action, mac, ts, nonce }, key));

  beforeAll(async () => {
    spawnSync('ip', ['netns', 'del', NS]);
    expect(spawnSync('ip', ['netns', 'add', NS]).status).toBe(0);
    const dir = mkdtempSync(path.join(tmpdir(), 'waakhond-fleet-'));
    const wrapper = path.join(dir, 'nft-in-ns');
    writeFileSync(wrapper, `#!/bin/sh\nexec ip netns exec ${NS} nft "$@"\n`);
    chmodSync(wrapper, 0o755);
    broker = await Broker.start();
    ({ daemon } = await startDemoDaemon('fleet-test-password', 'waakhond-fleet-', logs, {
      config: (c) => {
        c.exports = { site_id: 'home1', mqtt: { url: broker.url, prefix: 'isp' } };
        c.act = { enabled: true, lan_iface: ['br-lan'], nft: wrapper, mqtt_commands: { enabled: true, key: KEY } };
      },
      hooks: { act: { detect: async () => ({ capable: true, reasons: [], codes: [], lan: ['br-lan'], router_v4: null, lan_nets: [] }) } },
    }));
    const login = await fetch(`${daemon.url}api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ password: 'fleet-test-password' }) });
    const cookie = login.headers.get('set-cookie')!.split(';')[0];
    mac = ((await (await fetch(`${daemon.url}api/devices`, { headers: { cookie } })).json()) as { devices: { mac: string }[] }).devices[0].mac;
    isp = await Recorder.connect(broker.url, ['isp/home1/act/#']);
    await waitFor(() => logs.some((l) => l.includes('mqtt: connected')), 10_000, 'the daemon on the broker');
  }, 120_000);

  afterAll(async () => {
    await isp?.close();
    await daemon?.stop();
    await broker?.destroy();
    delete process.env.WAAKHOND_PASSWORD;
    spawnSync('ip', ['netns', 'del', NS]);
    expect(spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout).not.toContain(NS);
  });

  it('quarantines on a signed command, publishes the state retained, refuses replay/forgery/staleness, releases', async () => {
    const stateTopic = `isp/home1/act/${macId(mac)}/state`;
    const q = command('quarantine');
    await isp.client.publishAsync('isp/home1/act/command', q, { qos: 1 });
    await waitFor(() => nsNft('list', 'set', 'inet', 'waakhond', 'quarantine').includes(mac), 10_000, 'the quarantine in the kernel');
    await waitFor(() => isp.on(stateTopic).some((m) => m.payload.includes('"by":"isp"')), 10_000, 'the retained state');
    expect(logs.join('\n')).toContain(`act: quarantine ${mac} by isp`);

    await isp.client.publishAsync('isp/home1/act/command', command('release'), { qos: 1 });
    await waitFor(() => !nsNft('list', 'set', 'inet', 'waakhond', 'quarantine').includes(mac), 10_000, 'the release');
    await waitFor(() => isp.on(stateTopic).at(-1)?.payload === '', 10_000, 'the retained state cleared');

    // The same quarantine again (a replay), one signed with another key, one from 10 minutes ago: all refused.
    await isp.client.publishAsync('isp/home1/act/command', q, { qos: 1 });
    await isp.client.publishAsync('isp/home1/act/command', command('quarantine', undefined, undefined, 'x'.repeat(40)), { qos: 1 });
    await isp.client.publishAsync('isp/home1/act/command', command('quarantine', undefined, Date.now() - 600_000), { qos: 1 });
    await waitFor(() => logs.filter((l) => l.includes('fleet command refused')).length === 3, 10_000, 'three refusals');
    expect(logs.join('\n')).toMatch(/refused: nonce already used \(replay\)[\s\S]*refused: bad signature[\s\S]*refused: timestamp outside/);
    expect(nsNft('list', 'set', 'inet', 'waakhond', 'quarantine')).not.toContain(mac);

    // A fresh subscriber (the ISP's console after a restart) gets no stale quarantine: the retained state is gone.
    const late = await Recorder.connect(broker.url, [stateTopic]);
    await new Promise((r) => setTimeout(r, 500));
    expect(late.on(stateTopic)).toEqual([]);
    await late.close();
  }, 60_000);
});
