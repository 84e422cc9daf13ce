// The Dutch dashboard has no English sentence outside "Technische details" (issue 13, "How it is checked"):
// headless Chromium walks overview -> device -> alert in nl-NL on the demo capture and reads every visible line.
// Proper names (brands, protocols) are allowed: the list the i18n work exports (sensor/i18n/names.ts ALLOWED_NAMES)
// when it is there, and the device labels' makers and models from the API in any case.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { Daemon } from '../../ui/server/daemon.js';
import { PROJECT_ROOT } from '../helpers/shared.js';
import { ARTIFACTS, launchChromium, newPage, startDemoDaemon, stopDemo } from './e2e-setup.js';

const PASSWORD = 'dutch-e2e-password-3319';
/** Words that are English and never Dutch: one of them in a line makes it an English sentence. */
const ENGLISH = new Set([
  'the', 'and', 'with', 'from', 'this', 'that', 'your', 'you', 'which', 'when', 'what', 'where', 'its', 'are', 'has', 'have',
  'been', 'into', 'than', 'will', 'does', 'did', 'sends', 'device', 'devices', 'tried', 'times', 'threshold', 'attempts',
  'unanswered', 'keeps', 'contacts', 'scans', 'downloads', 'infected', 'private', 'address', 'phone', 'smart', 'plug', 'printer',
]);

let daemon: Daemon;
let browser: Browser;
const logs: string[] = [];
let allowed = new Set<string>();

beforeAll(async () => {
  ({ daemon } = await startDemoDaemon(PASSWORD, 'waakhond-dutch-e2e-', logs));
  browser = await launchChromium();
  const names: string[] = ['Waakhond'];
  // The shared list of allowed proper names, where the i18n work put it.
  const shared = path.join(PROJECT_ROOT, 'sensor', 'i18n', 'names.ts');
  if (existsSync(shared)) names.push(...((await import(shared)) as { ALLOWED_NAMES: readonly string[] }).ALLOWED_NAMES);
  const login = await fetch(`${daemon.url}api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ password: PASSWORD }) });
  const cookie = login.headers.get('set-cookie')!.split(';')[0];
  const { devices } = await (await fetch(`${daemon.url}api/devices?lang=nl`, { headers: { cookie } })).json() as { devices: { vendor: string | null; model: string | null }[] };
  for (const d of devices) names.push(...[d.vendor, d.model].filter((x): x is string => !!x));
  allowed = new Set(names.flatMap((n) => n.toLowerCase().split(/[^\p{L}\p{N}]+/u)).filter(Boolean));
}, 120_000);

afterAll(async () => {
  await stopDemo(daemon, browser);
});

/** Visible lines of the page, leaving out "Technische details" folds and text marked as another language. */
async function visibleLines(page: Page): Promise<string[]> {
  const text = await page.evaluate(() => {
    const out: { el: Element; mark: Comment }[] = [];
    for (const el of document.querySelectorAll('details, [lang]:not(html)')) {
      const tech = el.tagName === 'DETAILS' && /^\s*Technische details/.test(el.querySelector(':scope > summary')?.textContent ?? '');
      if (tech || (el.getAttribute('lang') && el.getAttribute('lang') !== 'nl')) {
        const mark = document.createComment('skip');
        el.replaceWith(mark);
        out.push({ el, mark });
      }
    }
    const t = document.body.innerText;
    for (const { el, mark } of out) mark.replaceWith(el);
    return t;
  });
  return text.split('\n').map((l) => l.trim()).filter(Boolean);
}

function english(lines: string[]): string[] {
  return lines.filter((l) => l.toLowerCase().split(/[^\p{L}]+/u).some((w) => ENGLISH.has(w) && !allowed.has(w)));
}

describe('the Dutch dashboard', () => {
  it('walks overview -> device -> alert and finds no English sentence outside "Technische details"', async () => {
    const page = await newPage(browser, 'nl-NL', 1280, 800);
    await page.goto(daemon.url);
    await page.getByLabel('Wachtwoord').fill(PASSWORD);
    await page.getByRole('button', { name: 'Inloggen' }).click();
    await page.locator('ol.todo li').first().waitFor();
    const found: Record<string, string[]> = {};
    found.overview = english(await visibleLines(page));

    await page.locator('ol.todo li a').first().click();
    await page.locator('.history').waitFor();
    found.device = english(await visibleLines(page));

    await page.locator('ul.alerts li a').first().click();
    await page.locator('.alert-page h1').waitFor();
    found.alert = english(await visibleLines(page));
    await page.screenshot({ path: path.join(ARTIFACTS, 'dutch-alert-nl.png'), fullPage: true });
    expect(found).toEqual({ overview: [], device: [], alert: [] });
    await page.close();
  });
});
