// End to end in real headless Chromium: the daemon on the demo capture, log in, the infected camera and its
// advice, switch language, mark advice done, a hostile name stays text; screenshots to test/artifacts/.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Locator, Page } from 'playwright-core';
import type { Daemon } from '../../ui/server/daemon.js';
import { STORE_FILE } from '../../ui/server/store/store.js';
import { ARTIFACTS, launchChromium, newPage as openPage, startDemoDaemon, stopDemo } from './e2e-setup.js';

const PASSWORD = 'e2e-password-7731';
const HOSTILE = '<img src=x onerror=alert(1)>';
const CAMERA = 'c0:56:e3:17:8a:4d';

let daemon: Daemon;
let browser: Browser;
let dataDir: string;
const logs: string[] = [];
const figures: Record<string, number | string> = {};

beforeAll(async () => {
  ({ daemon, dataDir } = await startDemoDaemon(PASSWORD, 'waakhond-e2e-', logs));
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await stopDemo(daemon, browser);
  writeFileSync(path.join(ARTIFACTS, 'e2e-figures.json'), JSON.stringify(figures, null, 2));
});

function newPage(locale: string, width = 1280, height = 900): Promise<Page> {
  return openPage(browser, locale, width, height);
}

/** Waits until the locator's text contains (or equals) the text. */
async function hasText(loc: Locator, text: string, exact = false): Promise<void> {
  await expect.poll(async () => {
    const got = (await loc.innerText({ timeout: 2000 }).catch(() => '')).trim();
    return exact ? got === text : got.includes(text);
  }, { timeout: 10_000, message: `text ${JSON.stringify(text)}` }).toBe(true);
}

async function loginAs(page: Page): Promise<void> {
  await page.goto(daemon.url);
  await page.getByLabel(/^(Password|Wachtwoord)$/).fill(PASSWORD);
  await page.getByRole('button', { name: /^(Log in|Inloggen)$/ }).click();
}

describe('dashboard in Chromium', () => {
  it('logs in, shows the infected camera first with its advice, switches language, marks advice done', async () => {
    const page = await newPage('en-GB');
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    // The wrong-password attempt below logs one expected 401 resource error.
    page.on('console', (m) => { if (m.type() === 'error' && !/status of 401/.test(m.text())) errors.push(m.text()); });

    const t0 = Date.now();
    await page.goto(daemon.url);
    await page.getByLabel('Password').waitFor();
    figures.login_form_ms = Date.now() - t0;
    const wrong = page.getByLabel('Password');
    await wrong.fill('not the password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await hasText(page.getByRole('alert'), 'Wrong password.', true);
    await page.getByLabel('Password').fill(PASSWORD);
    const t1 = Date.now();
    await page.getByRole('button', { name: 'Log in' }).click();

    // Overview: counts and the most urgent action first.
    const first = page.locator('ol.todo li').first();
    await first.waitFor();
    figures.overview_after_login_ms = Date.now() - t1;
    await hasText(first, 'Unplug Hikvision DS-2CD2032-I camera');
    await hasText(first, 'Infected');
    // The counter counts devices (the demo: one camera), not to-dos.
    await page.getByText('needs attention').waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, 'overview-en.png'), fullPage: true });

    // Device list with search.
    await page.getByRole('navigation').getByRole('link', { name: 'Devices' }).click();
    await page.getByLabel('Search devices').fill('chromecast');
    await expect.poll(() => page.locator('ul.devices li').count()).toBe(1);
    await page.getByLabel('Search devices').fill('');
    await page.getByLabel('Show').selectOption('infected');
    await expect.poll(() => page.locator('ul.devices li').count()).toBe(1);
    await page.screenshot({ path: path.join(ARTIFACTS, 'devices-en.png'), fullPage: true });

    // Device page: identity, evidence, alerts in words, advice with vendor update knowledge.
    await page.locator('ul.devices a').first().click();
    await page.getByRole('heading', { level: 1, name: 'Hikvision DS-2CD2032-I camera' }).waitFor();
    await page.getByRole('heading', { name: 'Why we think so' }).waitFor();
    await page.getByRole('heading', { name: 'Unplug Hikvision DS-2CD2032-I camera and reset it to factory settings' }).waitFor();
    await hasText(page.locator('.alerts'), 'Mirai');
    await hasText(page.locator('.vendor').first(), 'Hikvision');
    // The maker's update knowledge is folded under its heading.
    await page.locator('.vendor summary').first().click();
    await hasText(page.locator('.label-q').first(), 'Does it get security updates?');
    await page.screenshot({ path: path.join(ARTIFACTS, 'device-en.png'), fullPage: false });

    // Switch to Dutch: the advice comes from the nl data.
    await page.getByRole('button', { name: 'Switch language to Dutch' }).click();
    await page.getByRole('heading', { name: 'Haal Hikvision DS-2CD2032-I camera van het netwerk en zet hem terug naar fabrieksinstellingen' }).waitFor();
    await page.getByRole('heading', { name: 'Waarom we dat denken' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('nl');
    await page.screenshot({ path: path.join(ARTIFACTS, 'device-nl.png'), fullPage: true });

    // Mark "doe je updates" done (every card after the most urgent one is folded to its title).
    const update = page.locator('details.advice', { has: page.getByRole('heading', { name: /^Doe je updates/ }) });
    await update.locator(':scope > summary').click();
    await update.getByRole('button', { name: 'Gedaan' }).click();
    const done = page.locator('details.advice.state-done', { has: page.getByRole('heading', { name: /^Doe je updates/ }) });
    await done.locator(':scope > summary').click();
    await hasText(done, '✓ Gedaan');
    await done.getByRole('button', { name: 'Toon weer' }).waitFor();
    // Stored: after the coalesced write the file says so.
    await expect.poll(() => {
      const s = JSON.parse(readFileSync(path.join(dataDir, STORE_FILE), 'utf8')) as { advice: Record<string, { state: string }> };
      return s.advice[`update@${CAMERA}`]?.state;
    }, { timeout: 5000 }).toBe('done');
    expect(errors).toEqual([]);
    // Accessibility basics: every form control has a label, every button a name, one h1.
    const a11y = await page.evaluate(() => ({
      unlabelled: [...document.querySelectorAll('input, select')].filter((e) => !(e as HTMLInputElement).labels?.length && !e.getAttribute('aria-label')).length,
      nameless: [...document.querySelectorAll('button')].filter((b) => !(b.textContent ?? '').trim() && !b.getAttribute('aria-label')).length,
      h1: document.querySelectorAll('h1').length,
    }));
    expect(a11y).toEqual({ unlabelled: 0, nameless: 0, h1: 1 });
  });

  it('renders a hostile device name as text, never as HTML', async () => {
    const page = await newPage('en-US');
    await loginAs(page);
    await page.goto(`${daemon.url}#/device/${CAMERA}`);
    await page.getByLabel('Your name for it').fill(HOSTILE);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { level: 1, name: HOSTILE }).waitFor();
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: boolean }).__pwned)).toBeUndefined();
    await page.goto(`${daemon.url}#/`);
    await page.locator('ol.todo li').first().waitFor();
    await hasText(page.locator('ol.todo li').first(), HOSTILE);
    expect(await page.locator('img').count()).toBe(0);
    await page.screenshot({ path: path.join(ARTIFACTS, 'hostile-name.png') });
    // Put the friendly name back for the remaining screenshots.
    await page.goto(`${daemon.url}#/device/${CAMERA}`);
    await page.getByRole('button', { name: 'Use the automatic name' }).click();
    await page.getByRole('heading', { level: 1, name: 'Hikvision DS-2CD2032-I camera' }).waitFor();
  });

  it('live updates: a change made elsewhere shows up without a reload (SSE)', async () => {
    const page = await newPage('en-GB');
    await loginAs(page);
    await page.getByRole('navigation').getByRole('link', { name: 'Devices' }).click();
    await page.locator('ul.devices li').first().waitFor();
    // Connected to the live stream: the demo file has been read by now, so the badge says "ended", not offline.
    await page.locator('.live[data-capture="ended"]').waitFor();
    // Another session renames the printer through the API.
    const login = await fetch(`${daemon.url}api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ password: PASSWORD }) });
    const cookie = login.headers.get('set-cookie')!.split(';')[0];
    const { csrf } = await login.json() as { csrf: string };
    const devices = await (await fetch(`${daemon.url}api/devices`, { headers: { cookie } })).json() as { devices: { mac: string; category: string }[] };
    const printer = devices.devices.find((d) => d.category === 'printer')!;
    const r = await fetch(`${daemon.url}api/devices/${printer.mac}`, { method: 'PATCH', headers: { cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Printer in the study' }) });
    expect(r.status).toBe(200);
    await hasText(page.locator('ul.devices'), 'Printer in the study');
    await fetch(`${daemon.url}api/devices/${printer.mac}`, { method: 'PATCH', headers: { cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' }, body: JSON.stringify({ name: null }) });
  });

  it('works on a phone-sized screen', async () => {
    const page = await newPage('nl-NL', 390, 844);
    await loginAs(page);
    await page.locator('ol.todo li').first().waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    const wide = await page.evaluate(() => [...document.querySelectorAll('body *')]
      .filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
      .map((e) => `${e.tagName}.${e.className}`).slice(0, 5));
    expect(overflow, `too wide: ${wide.join(', ')}`).toBeLessThanOrEqual(0);
    await page.screenshot({ path: path.join(ARTIFACTS, 'phone-nl.png'), fullPage: true });
  });

  it('time to first render with a session (figures in test/artifacts/e2e-figures.json)', async () => {
    const page = await newPage('en-GB');
    await loginAs(page);
    await page.locator('ol.todo li').first().waitFor();
    // A fresh load of the overview, logged in: navigation start -> first paint -> the to-do list drawn.
    await page.goto(`${daemon.url}#/`, { waitUntil: 'commit' });
    await page.reload();
    const ready = await page.waitForFunction(() => document.querySelector('ol.todo li') ? performance.now() : 0);
    const readyMs = (await ready.jsonValue()) as number;
    const fcp = await page.evaluate(() => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? -1);
    // Bytes on the wire for the JS and CSS (gzip), read back as the server sends them.
    let bytes = 0;
    for (const href of await page.evaluate(() => [...document.querySelectorAll('script[src], link[rel=stylesheet]')].map((e) => (e as HTMLScriptElement).src || (e as HTMLLinkElement).href))) {
      const r = await fetch(href, { headers: { 'accept-encoding': 'gzip' } });
      expect(r.headers.get('content-encoding')).toBe('gzip');
      bytes += Number(r.headers.get('content-length') ?? (await r.arrayBuffer()).byteLength);
    }
    figures.overview_ready_ms = Math.round(readyMs);
    figures.first_contentful_paint_ms = Math.round(fcp);
    figures.asset_transfer_bytes = bytes;
    expect(readyMs).toBeGreaterThan(0);
    expect(readyMs).toBeLessThan(5000);
    // Budget (issue 5): first load <= 60 kB gzipped JS+CSS.
    expect(bytes).toBeGreaterThan(1000);
    expect(bytes).toBeLessThanOrEqual(60 * 1024);
  });

  it('README screenshot: the infected camera in English', async () => {
    const page = await newPage('en-GB', 1200, 1000);
    await loginAs(page);
    await page.goto(`${daemon.url}#/device/${CAMERA}`);
    await page.getByRole('heading', { level: 1, name: 'Hikvision DS-2CD2032-I camera' }).waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, 'screenshot.png') });
  });
});
