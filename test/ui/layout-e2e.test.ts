// Long names and IPv6 addresses on a phone (issue 13, point 7): a device the demo does not have, with a long model
// name and long IPv6 addresses, seeded into the store before the daemon starts; its page at 390x844 in nl and en,
// technical details open, must not overflow, break the name mid-word or wrap an address.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { Daemon } from '../../ui/server/daemon.js';
import { STORE_FILE } from '../../ui/server/store/store.js';
import { ARTIFACTS, launchChromium, layoutProblems, newPage, startDemoDaemon, stopDemo } from './e2e-setup.js';

const PASSWORD = 'layout-e2e-password-8812';
const NAS = '00:11:32:aa:bb:cc';
const IPV6 = ['2001:db8:85a3:1234:5678:8a2e:370:7334', 'fe80::211:32ff:feaa:bbcc'];
// Demo capture time (the store's clock must not prune it): one minute after the demo's start.
const T = 1_795_287_660_000_000;

let daemon: Daemon;
let browser: Browser;
const logs: string[] = [];

beforeAll(async () => {
  ({ daemon } = await startDemoDaemon(PASSWORD, 'waakhond-layout-e2e-', logs, {
    seed: (dir) => writeFileSync(path.join(dir, STORE_FILE), JSON.stringify({
      version: 1, alerts: {}, advice: {}, names: {}, answers: {}, aliases: {}, settings: { password_hash: null },
      devices: {
        [NAS]: {
          mac: NAS, ips: ['192.168.178.77'], ipv6: IPV6, vendor: 'Synology', model: 'DiskStation DS1621xs+-Hochleistungsnetzwerkspeichersystem',
          category: 'nas', name: 'Synology DiskStation DS1621xs+-Hochleistungsnetzwerkspeichersystem network storage', hostname: 'diskstation-im-keller-mit-einem-sehr-langen-namen',
          confidence: 0.9, evidence: [{ source: 'mdns', detail: 'mDNS _smb._tcp model=DS1621xs+', vendor: 'Synology', weight: 0.7 }],
          first_seen: T, last_seen: T, private_mac: false, traffic: [],
        },
      },
    })),
  }));
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await stopDemo(daemon, browser);
});

describe('long names and addresses on a phone', () => {
  for (const [lang, locale] of [['nl', 'nl-NL'], ['en', 'en-GB']] as const) {
    it(`${lang}: the NAS page fits at 390 px with its technical details open`, async () => {
      const page = await newPage(browser, locale, 390, 844);
      await page.goto(daemon.url);
      await page.getByLabel(/^(Password|Wachtwoord)$/).fill(PASSWORD);
      await page.getByRole('button', { name: /^(Log in|Inloggen)$/ }).click();
      await page.locator('ol.todo li').first().waitFor();
      await page.goto(`${daemon.url}#/device/${NAS}`);
      await page.locator('h1#dev-h').waitFor();
      await page.locator('details.technical > summary').first().click();
      const rows = page.locator('details.technical ul.addrs li');
      await expect.poll(() => rows.count()).toBe(1 + IPV6.length);
      // Each address on one line, the whole address in its title.
      const lines = await rows.evaluateAll((els) => els.map((e) => ({ title: e.getAttribute('title'), lines: Math.round(e.getBoundingClientRect().height / parseFloat(getComputedStyle(e).lineHeight || '20')) })));
      expect(lines.map((l) => l.title)).toEqual([NAS, ...IPV6]);
      for (const l of lines) expect(l.lines).toBe(1);
      expect(await layoutProblems(page)).toEqual([]);
      await page.screenshot({ path: path.join(ARTIFACTS, `calm-long-names-${lang}-390.png`), fullPage: true });
      await page.close();
    });
  }
});
