// The household's language in real headless Chromium (issue #13 point 2): in Dutch, the device list says
// "slimme stekker" and search finds it by that word; the camera's alerts name it as the household knows it
// and say everything outside "Technische details" in Dutch (allowed names aside, sensor/i18n/names.ts).
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { Daemon } from '../../ui/server/daemon.js';
import { ARTIFACTS, launchChromium, newPage, startDemoDaemon, stopDemo } from './e2e-setup.js';
import { englishWords } from '../../sensor/i18n/names.js';

const PASSWORD = 'e2e-i18n-password-5521';
const CAMERA = 'c0:56:e3:17:8a:4d';

let daemon: Daemon;
let browser: Browser;
const logs: string[] = [];

beforeAll(async () => {
  ({ daemon } = await startDemoDaemon(PASSWORD, 'waakhond-i18n-e2e-', logs));
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await stopDemo(daemon, browser);
});

async function loggedIn(locale: string): Promise<Page> {
  const page = await newPage(browser, locale);
  await page.goto(daemon.url);
  await page.getByLabel(locale.startsWith('nl') ? 'Wachtwoord' : 'Password').fill(PASSWORD);
  await page.getByRole('button', { name: locale.startsWith('nl') ? 'Inloggen' : 'Log in' }).click();
  await page.locator('ol.todo li').first().waitFor();
  return page;
}

describe('the dashboard in Dutch', () => {
  it('names the plug in Dutch and search finds it by the Dutch word', async () => {
    const page = await loggedIn('nl-NL');
    await page.getByRole('navigation').getByRole('link', { name: 'Apparaten' }).click();
    await page.locator('ul.devices li').first().waitFor();
    const all = await page.locator('ul.devices li').count();
    expect(all).toBeGreaterThan(3);
    await page.getByLabel('Zoek apparaten').fill('stekker');
    await expect.poll(() => page.locator('ul.devices li').count(), { timeout: 10_000 }).toBe(1);
    const plug = (await page.locator('ul.devices li').first().innerText()).toLowerCase();
    expect(plug).toContain('tp-link hs110 slimme stekker');
    expect(plug).not.toContain('smart plug');
    // The English word finds nothing in Dutch: search is on what is shown.
    await page.getByLabel('Zoek apparaten').fill('smart plug');
    await expect.poll(() => page.locator('ul.devices li').count(), { timeout: 10_000 }).toBe(0);
    await page.close();
  }, 60_000);

  it('the camera\'s alerts name the camera, not its MAC, and hold no English outside "Technische details"', async () => {
    const page = await loggedIn('nl-NL');
    await page.goto(`${daemon.url}/#/device/${CAMERA}`);
    const alerts = page.locator('ul.alerts li.alert');
    await alerts.first().waitFor();
    const n = await alerts.count();
    // The device page shows its three most recent alerts; the rest are one click away.
    expect(n).toBe(3);
    // The visible text of each alert without its folded technical part.
    const shown = await alerts.evaluateAll((els) => els.map((el) => {
      const c = el.cloneNode(true) as HTMLElement;
      c.querySelectorAll('details').forEach((d) => d.remove());
      return c.innerText;
    }));
    const problems: string[] = [];
    for (const text of shown) {
      if (text.includes(CAMERA)) problems.push(`MAC in: ${text}`);
      if (!text.includes('Hikvision DS-2CD2032-I camera')) problems.push(`camera not named: ${text}`);
      const en = englishWords(text);
      if (en.length) problems.push(`English ${en.join(', ')} in: ${text}`);
    }
    expect(problems).toEqual([]);
    // The device page lists alerts compactly; each alert's own page holds the technical part,
    // folded, under its Dutch heading.
    await alerts.first().locator('a').first().click();
    const alertPage = page.locator('.alert-page');
    await alertPage.waitFor();
    const pageText = await alertPage.evaluate((el) => {
      const c = el.cloneNode(true) as HTMLElement;
      c.querySelectorAll('details').forEach((d) => d.remove());
      return c.innerText;
    });
    expect(englishWords(pageText)).toEqual([]);
    const details = alertPage.locator('details.technical');
    expect(await details.locator('summary').innerText()).toBe('Technische details');
    expect(await details.evaluate((d) => (d as HTMLDetailsElement).open)).toBe(false);
    await details.locator('summary').click();
    expect(await details.innerText()).toMatch(/c0:56:e3:17:8a:4d|\d+\.\d+\.\d+\.\d+/);
    // Counter evidence in Dutch too.
    expect(await details.innerText()).toMatch(/keer boven de drempel|basislijn/);
    await page.screenshot({ path: path.join(ARTIFACTS, 'alerts-nl.png'), fullPage: true });
    await page.close();
  }, 60_000);

  it('in English the same alerts read in English', async () => {
    const page = await loggedIn('en-GB');
    await page.goto(`${daemon.url}/#/device/${CAMERA}`);
    const first = page.locator('ul.alerts li.alert').first();
    await first.waitFor();
    const titles = await page.locator('ul.alerts li.alert strong').allInnerTexts();
    expect(titles.some((t) => /^Hikvision DS-2CD2032-I camera (tries|keeps|reports|floods|is infected)/.test(t))).toBe(true);
    await first.locator('a').first().click();
    await page.locator('.alert-page').waitFor();
    expect(await page.locator('.alert-page details.technical summary').innerText()).toBe('Technical details');
    await page.close();
  }, 60_000);
});
