// The sensor is never one of the home's devices: `waakhond run --iface` reads its capture interface's MACs and
// addresses from the OS and the inventory leaves them out (live here; the OCI container runs the same `run --iface`
// inside its own namespace). A real capture on a veth between two network namespaces this test creates.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { STORE_FILE } from '../../ui/server/store/store.js';
import type { StoreData } from '../../ui/server/store/store.js';
import { HAVE_LIVE, IS_ROOT, cleanTmp, describeNeeds, makeNetns, run, tmpDir, udpBurst } from '../firmware/helpers.js';
import { PROJECT_ROOT } from '../helpers/shared.js';
import { bundleCli } from './cli-bundle.js';

const needs = !HAVE_LIVE ? 'live capture (sensor/capture/live.ts)' : !IS_ROOT ? 'root (network namespaces, capture)' : null;

const macOf = (ns: string, dev: string) => /link\/ether ([0-9a-f:]{17})/.exec(run('ip', ['-n', ns, 'link', 'show', 'dev', dev]).stdout)?.[1] ?? '';

describeNeeds('the sensor lists no address of its own', needs, () => {
  let net: ReturnType<typeof makeNetns>;
  let cli: Awaited<ReturnType<typeof bundleCli>>;
  beforeAll(async () => {
    cli = await bundleCli('self');
    net = makeNetns('self');
  }, 60_000);
  afterAll(() => { net?.destroy(); cli?.remove(); cleanTmp(); });

  it('run --iface: the peer is a device, the sensor\'s own MAC and address are not', async () => {
    const data = tmpDir('selfdata');
    const sensorMac = macOf(net.sensor, net.ifSensor);
    const peerMac = macOf(net.peer, net.ifPeer);
    expect(sensorMac).toMatch(/^[0-9a-f:]{17}$/);
    expect(peerMac).toMatch(/^[0-9a-f:]{17}$/);
    // The store is saved 0.1 s after a change: read while the daemon runs (its stop is another test's subject).
    const cfg = path.join(data, 'config.json');
    writeFileSync(cfg, JSON.stringify({ store: { save_delay_s: 0.1, news_save_s: 0.1, lazy_save_s: 0.1 } }));
    const p = spawn('ip', ['netns', 'exec', net.sensor, process.execPath, cli.file, 'run', '--iface', net.ifSensor, '--host', '127.0.0.1', '--port', '0', '--data', data, '--config', cfg], {
      stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, WAAKHOND_HOME: PROJECT_ROOT, WAAKHOND_PASSWORD: 'sensor-self-password' },
    });
    let log = '';
    p.stderr.on('data', (b: Buffer) => { log += b.toString(); });
    p.stdout.resume();
    const exited = new Promise<void>((resolve) => p.once('exit', () => resolve()));
    const storeDevices = () => {
      const f = path.join(data, STORE_FILE);
      return existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as StoreData).devices : {};
    };
    const until = async (re: RegExp, ms = 20_000) => {
      const t0 = Date.now();
      while (!re.test(log)) {
        if (Date.now() - t0 > ms || p.exitCode !== null) throw new Error(`waiting for ${re}:\n${log}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    try {
      await until(/capture: live on/);
      expect(log).toContain(`inventory: the sensor itself (${sensorMac}`);
      expect(log).toContain(net.ipSensor);
      // The peer talks to the sensor: ARP both ways, UDP to the sensor's address, the sensor's ICMP unreachables back.
      run('ip', ['netns', 'exec', net.peer, process.execPath, '-e', udpBurst(net.ipSensor, 10)]);
      await until(new RegExp(`device: new ${peerMac}`));
      for (let i = 0; i < 100 && storeDevices()[peerMac]?.ips[0] !== net.ipPeer; i++) await new Promise((r) => setTimeout(r, 50));
      // A second burst after the sensor answered ARP: its own replies have reached the inventory by now.
      run('ip', ['netns', 'exec', net.peer, process.execPath, '-e', udpBurst(net.ipSensor, 5)]);
      await new Promise((r) => setTimeout(r, 1000));
      const devices = storeDevices();
      expect(Object.keys(devices), log).toEqual([peerMac]);
      expect(devices[peerMac].ips).toEqual([net.ipPeer]);
      expect(log).not.toContain(`device: new ${sensorMac}`);
    } finally {
      p.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    }
  }, 60_000);
});
