// The dashboard tells the household when the daemon cannot save: the daemon's data folder on a real 1 MiB tmpfs
// is filled up, and Chromium shows the banner (English and Dutch) until space frees.
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { parseRunArgs } from '../../ui/server/config.js';
import { DEMO_PCAP, startDaemon, type Daemon } from '../../ui/server/daemon.js';
import { STORE_FILE } from '../../ui/server/store/store.js';
import { PROJECT_ROOT } from '../helpers/shared.js';
import { ARTIFACTS, CHROMIUM, launchChromium, newPage } from '../ui/e2e-setup.js';
import { describeTmpfs, fillUp, mountTmpfs, sleep } from './durable-helpers.js';

const PASSWORD = 'banner-password-5521';
let daemon: Daemon | null = null;
let browser: Browser | undefined;
let unmount: (() => void) | null = null;
afterAll(async () => {
  delete process.env.WAAKHOND_PASSWORD;
  await browser?.close();
  await daemon?.stop();
  // The capture loop's last save runs after stop(): the folder must still be the tmpfs then.
  await daemon?.captureDone;
  unmount?.();
});

describeTmpfs('dashboard banner when saving fails', () => {
  it('shows "Cannot save: disk full since ..." while the disk is full, and not after space frees', async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (CI installs it)`);
    if (!existsSync(path.join(PROJECT_ROOT, 'dist', 'web', 'index.html'))) throw new Error('dist/web is missing: npm run build');
    const m = mountTmpfs('1m');
    unmount = m.unmount;
    process.env.WAAKHOND_PASSWORD = PASSWORD;
    const opts = parseRunArgs(['--pcap', path.join(PROJECT_ROOT, DEMO_PCAP), '--realtime', '--loop', '--host', '127.0.0.1', '--port', '0', '--data', m.dir]);
    opts.config.store.save_delay_s = 0.2;
    opts.config.store.news_save_s = 0.2;
    opts.config.store.lazy_save_s = 0.2;
    const logs: string[] = [];
    daemon = await startDaemon(opts, (msg) => logs.push(msg));
    if (!daemon) throw new Error(`daemon did not start:\n${logs.join('\n')}`);
    for (let i = 0; !existsSync(path.join(m.dir, STORE_FILE)); i++) { if (i > 200) throw new Error('no store saved'); await sleep(50); }

    fillUp(path.join(m.dir, 'filler'));
    for (let i = 0; ; i++) {
      const h = await (await fetch(`${daemon.url}api/health`)).json() as { saving: { problem: string | null } };
      if (h.saving.problem === 'disk full') break;
      if (i > 300) throw new Error(`health never said disk full:\n${logs.join('\n')}`);
      await sleep(100);
    }

    browser = await launchChromium();
    for (const [locale, re] of [['en-GB', /^Cannot save: disk full since .+\. Recent changes are kept until saving works again\.$/], ['nl-NL', /^Kan niet opslaan: schijf vol sinds .+\./]] as const) {
      const page = await newPage(browser, locale);
      await page.goto(daemon.url);
      await page.getByLabel(/^(Password|Wachtwoord)$/).fill(PASSWORD);
      await page.getByRole('button', { name: /^(Log in|Inloggen)$/ }).click();
      const banner = page.getByRole('alert').filter({ hasText: /disk full|schijf vol/ });
      await banner.waitFor({ timeout: 15_000 });
      expect((await banner.textContent())?.trim()).toMatch(re);
      await page.screenshot({ path: path.join(ARTIFACTS, `saving-banner-${locale}.png`) });
      await page.context().close();
    }

    rmSync(path.join(m.dir, 'filler'));
    for (let i = 0; ; i++) {
      const h = await (await fetch(`${daemon.url}api/health`)).json() as { saving: { ok: boolean } };
      if (h.saving.ok) break;
      if (i > 600) throw new Error(`saving never recovered:\n${logs.join('\n')}`);
      await sleep(100);
    }
    const page = await newPage(browser, 'en-GB');
    await page.goto(daemon.url);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('main').waitFor();
    await sleep(1000);
    expect(await page.getByText(/Cannot save/).count()).toBe(0);
  }, 120_000);
});
