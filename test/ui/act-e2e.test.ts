// Quarantine and pause buttons end to end in headless Chromium. The "capable" flow fakes ONLY capability detection
// (this test machine is not a home router); the nft runs for real, inside a network namespace the test creates, and
// the test reads the sets back from the kernel. The "not capable" flow uses the real detection (act switched off).
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { Daemon } from '../../ui/server/daemon.js';
import type { DeviceSummary } from '../../ui/server/views.js';
import { launchChromium, newPage, startDemoDaemon, stopDemo } from './e2e-setup.js';
import { describeNeeds } from '../helpers/needs.js';

const PASSWORD = 'act-e2e-password-16';
const NS = `wqe${process.pid % 10000}`;
const IS_ROOT = process.getuid?.() === 0;
const HAVE_NFT = spawnSync('nft', ['--version']).status === 0;
const canNs = IS_ROOT && HAVE_NFT;

const nsNft = (...args: string[]) => spawnSync('ip', ['netns', 'exec', NS, 'nft', ...args], { encoding: 'utf8' });

async function firstDevice(d: Daemon): Promise<DeviceSummary> {
  const login = await fetch(`${d.url}api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ password: PASSWORD }) });
  const cookie = login.headers.get('set-cookie')!.split(';')[0];
  const list = (await (await fetch(`${d.url}api/devices`, { headers: { cookie } })).json()) as { devices: DeviceSummary[] };
  return list.devices[0];
}

async function openDevice(browser: Browser, d: Daemon, mac: string, locale = 'en-GB'): Promise<Page> {
  const page = await newPage(browser, locale);
  await page.goto(d.url);
  await page.getByLabel(/^(Password|Wachtwoord)$/).fill(PASSWORD);
  await page.getByRole('button', { name: /^(Log in|Inloggen)$/ }).click();
  await page.locator('main').waitFor();
  await page.goto(`${d.url}#/device/${mac}`);
  await page.getByTestId('act-panel').waitFor();
  return page;
}

describeNeeds('quarantine buttons in Chromium (capability FAKED at the detection boundary; nft real, in a test namespace)', canNs ? null : 'root and nft (apt-get install nftables)', () => {
  let daemon: Daemon;
  let browser: Browser;
  let mac: string;
  const logs: string[] = [];

  beforeAll(async () => {
    spawnSync('ip', ['netns', 'del', NS]);
    expect(spawnSync('ip', ['netns', 'add', NS]).status).toBe(0);
    // The daemon's nft is the real one, run inside the test's namespace (so the host's firewall is never touched).
    const dir = mkdtempSync(path.join(tmpdir(), 'waakhond-act-e2e-'));
    const wrapper = path.join(dir, 'nft-in-ns');
    writeFileSync(wrapper, `#!/bin/sh\nexec ip netns exec ${NS} nft "$@"\n`);
    chmodSync(wrapper, 0o755);
    ({ daemon } = await startDemoDaemon(PASSWORD, 'waakhond-act-e2e-', logs, {
      config: (c) => { c.act = { enabled: true, lan_iface: ['br0'], nft: wrapper }; },
      hooks: { act: { detect: async () => ({ capable: true, reasons: [], codes: [], lan: ['br0'], router_v4: null, lan_nets: [] }) } },
    }));
    mac = (await firstDevice(daemon)).mac;
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await stopDemo(daemon, browser);
    spawnSync('ip', ['netns', 'del', NS]);
    expect(spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout).not.toContain(NS);
  });

  it('quarantine, lift, pause 1 h and resume change the kernel\'s sets; a refused change says why and changes nothing', async () => {
    const page = await openDevice(browser, daemon, mac);
    await page.getByRole('button', { name: 'Quarantine', exact: true }).click();
    await page.getByTestId('act-quarantined').waitFor();
    expect(await page.getByTestId('act-quarantined').innerText()).toContain('by you');
    expect(nsNft('list', 'set', 'inet', 'waakhond', 'quarantine').stdout).toContain(mac);
    expect(nsNft('list', 'set', 'bridge', 'waakhond', 'quarantine').stdout).toContain(mac);

    await page.getByRole('button', { name: 'Lift quarantine' }).click();
    await page.getByRole('button', { name: 'Quarantine', exact: true }).waitFor();
    expect(nsNft('list', 'set', 'inet', 'waakhond', 'quarantine').stdout).not.toContain(mac);

    await page.getByRole('button', { name: 'Pause internet 1 hour' }).click();
    await page.getByTestId('act-paused').waitFor();
    expect(nsNft('list', 'set', 'inet', 'waakhond', 'paused').stdout).toMatch(new RegExp(`${mac} timeout 1h`));
    await page.getByRole('button', { name: 'Resume internet' }).click();
    await page.getByRole('button', { name: 'Pause internet 1 hour' }).waitFor();
    expect(nsNft('list', 'set', 'inet', 'waakhond', 'paused').stdout).not.toContain(mac);

    // The firewall goes away under us (its namespace deleted): the click fails with the reason, nothing changed.
    spawnSync('ip', ['netns', 'del', NS]);
    await page.getByRole('button', { name: 'Quarantine', exact: true }).click();
    await expect.poll(() => page.getByRole('alert').innerText().catch(() => ''), { timeout: 10_000 }).toContain('nothing was changed');
    expect(await page.getByTestId('act-quarantined').count()).toBe(0);
    await page.getByRole('button', { name: 'Quarantine', exact: true }).waitFor();
    await page.close();
  }, 60_000);
});

describe('quarantine buttons in Chromium when the router cannot act (real detection: act switched off)', () => {
  let daemon: Daemon;
  let browser: Browser;
  let mac: string;
  const logs: string[] = [];

  beforeAll(async () => {
    ({ daemon } = await startDemoDaemon(PASSWORD, 'waakhond-act-off-e2e-', logs));
    mac = (await firstDevice(daemon)).mac;
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => { await stopDemo(daemon, browser); });

  it('shows every button disabled with the reason, in English and Dutch', async () => {
    const page = await openDevice(browser, daemon, mac);
    // Folded to one line where the router cannot act; opening it shows the reason and the disabled buttons.
    const panel = page.getByTestId('act-panel');
    expect(await panel.evaluate((el) => el.tagName)).toBe('DETAILS');
    await panel.locator('summary').click();
    expect(await page.getByTestId('act-why').innerText()).toContain('switched off in the settings (act.enabled: false)');
    for (const name of ['Quarantine', 'Pause internet 1 hour', 'Pause until tomorrow 07:00']) {
      expect(await page.getByRole('button', { name }).isDisabled()).toBe(true);
    }
    await page.close();
    const nl = await openDevice(browser, daemon, mac, 'nl-NL');
    await nl.getByTestId('act-panel').locator('summary').click();
    expect(await nl.getByTestId('act-why').innerText()).toContain('Niet beschikbaar hier: uitgezet in de instellingen');
    expect(await nl.getByRole('button', { name: 'In quarantaine' }).isDisabled()).toBe(true);
    await nl.close();
  }, 60_000);
});
