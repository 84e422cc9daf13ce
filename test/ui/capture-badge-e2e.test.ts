// The header badge tells the watchdog's own state (GET /api/health), in real Chromium: "Live" only while the capture
// runs; a capture file or stdin stream that ran out says so ("Opname beëindigd" / "Capture ended").
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { parseRunArgs } from '../../ui/server/config.js';
import { DEMO_PCAP, startDaemon } from '../../ui/server/daemon.js';
import type { Daemon } from '../../ui/server/daemon.js';
import { PROJECT_ROOT } from '../helpers/shared.js';
import { launchChromium, newPage, startDemoDaemon, stopDemo } from './e2e-setup.js';

const PASSWORD = 'badge-password-5510';
let ended: Daemon;
let running: Daemon | null = null;
let browser: Browser;
const logs: string[] = [];

beforeAll(async () => {
  // The demo capture read to its end (startDemoDaemon waits for it): "ended".
  ({ daemon: ended } = await startDemoDaemon(PASSWORD, 'waakhond-badge-', logs));
  // The same capture replayed in real time, in a loop: "running".
  const opts = parseRunArgs(['--pcap', path.join(PROJECT_ROOT, DEMO_PCAP), '--realtime', '--loop', '--host', '127.0.0.1', '--port', '0',
    '--data', mkdtempSync(path.join(tmpdir(), 'waakhond-badge-live-'))]);
  running = await startDaemon(opts, (m) => logs.push(m));
  if (!running) throw new Error(`daemon did not start:\n${logs.join('\n')}`);
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await running?.stop();
  await stopDemo(ended, browser);
});

async function badge(url: string, locale: string): Promise<{ page: Page; state: () => Promise<string | null>; text: () => Promise<string> }> {
  const page = await newPage(browser, locale);
  await page.goto(url);
  await page.getByLabel(/^(Password|Wachtwoord)$/).fill(PASSWORD);
  await page.getByRole('button', { name: /^(Log in|Inloggen)$/ }).click();
  const loc = page.locator('header [data-capture]');
  return { page, state: () => loc.getAttribute('data-capture', { timeout: 5000 }), text: async () => (await loc.innerText()).trim() };
}

describe('the header shows whether the capture is live', () => {
  it('a capture that ran out is "ended", in Dutch and English, never "Live"', async () => {
    for (const [locale, text] of [['nl-NL', 'Opname beëindigd'], ['en-GB', 'Capture ended']] as const) {
      const b = await badge(ended.url, locale);
      await expect.poll(b.state, { timeout: 10_000 }).toBe('ended');
      expect(await b.text()).toBe(text);
      await b.page.context().close();
    }
  });

  it('a running capture is "Live"', async () => {
    const b = await badge(running!.url, 'en-GB');
    await expect.poll(b.state, { timeout: 10_000 }).toBe('live');
    expect(await b.text()).toBe('Live');
    await b.page.context().close();
  });
});
