// "What is this?" end to end in real headless Chromium: the daemon on the demo capture, log in, open the device the
// inventory is least sure of, answer, reload, see "you said so" in English and Dutch, hostile text stays text, clear it.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Locator, Page } from 'playwright-core';
import { parseRunArgs } from '../../ui/server/config.js';
import { startDaemon } from '../../ui/server/daemon.js';
import type { Daemon } from '../../ui/server/daemon.js';
import { STORE_FILE } from '../../ui/server/store/store.js';
import type { StoreData } from '../../ui/server/store/store.js';
import { ASK_BELOW_CONFIDENCE } from '../../ui/server/views.js';
import type { DeviceSummary } from '../../ui/server/views.js';
import { ARTIFACTS, launchChromium, newPage as openPage, startDemoDaemon, stopDemo } from './e2e-setup.js';
import { PHONE_MACS, rotatingPhoneCapture } from './one-device/rotating-phone.js';
import { writeFileSync } from 'node:fs';
import { scratchDir } from '../helpers/scratch.js';

const PASSWORD = 'whatis-e2e-password-5120';
const HOSTILE = '<img src=x onerror="window.__pwned=true">';

let daemon: Daemon;
let browser: Browser;
let dataDir: string;
let unsure: DeviceSummary;
const logs: string[] = [];

beforeAll(async () => {
  ({ daemon, dataDir } = await startDemoDaemon(PASSWORD, 'waakhond-whatis-', logs));
  // The device the demo home's inventory is least sure of (the laptop: an Intel OUI and a Windows hostname).
  const login = await fetch(`${daemon.url}api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ password: PASSWORD }) });
  const cookie = login.headers.get('set-cookie')!.split(';')[0];
  const list = (await (await fetch(`${daemon.url}api/devices`, { headers: { cookie } })).json()) as { devices: DeviceSummary[] };
  unsure = list.devices.filter((x) => x.ask).sort((a, b) => a.confidence - b.confidence)[0];
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await stopDemo(daemon, browser);
});

function newPage(locale: string): Promise<Page> {
  return openPage(browser, locale);
}

async function hasText(loc: Locator, text: string): Promise<void> {
  await expect.poll(async () => (await loc.innerText({ timeout: 2000 }).catch(() => '')).includes(text), { timeout: 10_000, message: `text ${JSON.stringify(text)}` }).toBe(true);
}

async function loginAs(page: Page): Promise<void> {
  await page.goto(daemon.url);
  await page.getByLabel(/^(Password|Wachtwoord)$/).fill(PASSWORD);
  await page.getByRole('button', { name: /^(Log in|Inloggen)$/ }).click();
  await page.locator('main').waitFor();
}

describe('"What is this?" in Chromium', () => {
  it('asks about a low-confidence device, keeps the answer across a reload, says "you said so" in English and Dutch', async () => {
    expect(unsure, 'the demo home has a device below the threshold').toBeDefined();
    expect(unsure.confidence).toBeLessThan(ASK_BELOW_CONFIDENCE);
    const page = await newPage('en-GB');
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    await loginAs(page);
    // The device list marks the devices we would like the household to name; the unsure one is among them.
    await page.getByRole('navigation').getByRole('link', { name: 'Devices' }).click();
    const row = page.locator('ul.devices li', { has: page.locator(`a[href="#/device/${unsure.mac}"]`) });
    await hasText(row, 'What is this?');
    await row.locator('a').click();
    const form = page.locator('details.whatis');
    await page.getByRole('heading', { name: 'What is this?' }).waitFor();
    await hasText(form, 'We are not sure what this device is');
    await page.getByLabel('Kind').selectOption('nas');
    await page.getByLabel('Brand').fill('Synology');
    await page.getByLabel('Name', { exact: true }).fill(HOSTILE);
    await form.getByRole('button', { name: 'Save' }).click();
    await hasText(form, 'You said so');
    await page.getByRole('heading', { level: 1, name: HOSTILE }).waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, 'whatis-answered-en.png'), fullPage: true });

    await page.getByRole('navigation').getByRole('link', { name: 'Devices' }).click();
    await hasText(row, HOSTILE);
    expect(await row.innerText()).not.toContain('What is this?');
    await page.goto(`${daemon.url}#/device/${unsure.mac}`);
    // Reload: it came from the server, not from the page's memory.
    await page.reload();
    await page.getByRole('heading', { level: 1, name: HOSTILE }).waitFor();
    await hasText(page.locator('details.whatis'), 'You said so');
    const said = page.locator('ul.evidence li.said');
    await hasText(said, 'You said so: Network storage, Synology');
    await hasText(page.locator('dl.facts').first(), 'Network storage');
    // The rename box is the household's other name; the answer's name did not fill it.
    expect(await page.getByLabel('Your name for it').inputValue()).toBe('');
    // Hostile text is text: no element was made of it, no script ran.
    expect(await page.locator('main img').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: boolean }).__pwned)).toBeUndefined();

    // Dutch, after a reload in a Dutch browser.
    const nl = await newPage('nl-NL');
    await loginAs(nl);
    await nl.goto(`${daemon.url}#/device/${unsure.mac}`);
    await nl.getByRole('heading', { name: 'Wat is dit?' }).waitFor();
    await hasText(nl.locator('details.whatis'), 'Dat heb je zelf aangegeven');
    await hasText(nl.locator('ul.evidence li.said'), 'Dat heb je zelf aangegeven: Netwerkopslag, Synology');
    await nl.screenshot({ path: path.join(ARTIFACTS, 'whatis-answered-nl.png'), fullPage: true });

    // Stored: the file says so after the coalesced write.
    await expect.poll(() => (JSON.parse(readFileSync(path.join(dataDir, STORE_FILE), 'utf8')) as StoreData).answers?.[unsure.mac]?.category, { timeout: 5000 }).toBe('nas');
    expect(errors).toEqual([]);
  });

  it('forgets the answer and undoes that', async () => {
    const page = await newPage('en-GB');
    await loginAs(page);
    await page.goto(`${daemon.url}#/device/${unsure.mac}`);
    const form = page.locator('details.whatis');
    await hasText(form, 'You said so');
    await form.getByRole('button', { name: 'Forget my answer' }).click();
    await hasText(form, 'We are not sure what this device is');
    expect(await page.locator('ul.evidence li.said').count()).toBe(0);
    await page.getByRole('heading', { level: 1, name: unsure.label }).waitFor();
    await form.getByRole('button', { name: 'Undo' }).click();
    await hasText(form, 'You said so');
    await page.getByRole('heading', { level: 1, name: HOSTILE }).waitFor();
  });

  it('shows a phone that rotated its private MAC as one device, and a link to a rotated MAC opens it', async () => {
    const dir = scratchDir('waakhond-whatis-rot-');
    const pcapFile = path.join(dir, 'rotating-phone.pcap');
    writeFileSync(pcapFile, rotatingPhoneCapture());
    const opts = parseRunArgs(['--pcap', pcapFile, '--host', '127.0.0.1', '--port', '0', '--data', path.join(dir, 'data')]);
    const other = await startDaemon(opts, (m) => logs.push(m));
    if (!other) throw new Error(`daemon did not start:\n${logs.join('\n')}`);
    try {
      await other.captureDone;
      const page = await newPage('nl-NL');
      await page.goto(other.url);
      await page.getByLabel('Wachtwoord').fill(PASSWORD);
      await page.getByRole('button', { name: 'Inloggen' }).click();
      await page.locator('main').waitFor();
      await page.getByRole('navigation').getByRole('link', { name: 'Apparaten' }).click();
      await page.locator('ul.devices li').first().waitFor();
      // One row for the phone, linking to its key (the first MAC); none for the rotated MACs.
      expect(await page.locator(`ul.devices a[href="#/device/${PHONE_MACS[0]}"]`).count()).toBe(1);
      for (const m of PHONE_MACS.slice(1)) expect(await page.locator(`ul.devices a[href="#/device/${m}"]`).count()).toBe(0);
      // An old link to the third MAC lands on the device's own page.
      await page.goto(`${other.url}#/device/${PHONE_MACS[2]}`);
      await expect.poll(() => page.evaluate(() => location.hash), { timeout: 10_000 }).toBe(`#/device/${PHONE_MACS[0]}`);
      // The MACs it was seen as are technical details, folded on the page.
      await page.locator('details.technical > summary').first().click();
      const facts = page.locator('details.technical dl.facts');
      await hasText(facts, 'Gezien als');
      for (const m of PHONE_MACS) await hasText(facts, m);
      await hasText(facts, 'privéadressen van één apparaat');
      await page.screenshot({ path: path.join(ARTIFACTS, 'one-device-nl.png'), fullPage: true });
    } finally {
      await other.stop();
    }
  });
});
