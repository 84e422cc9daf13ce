// Shared set-up of the headless-Chromium tests: the built dashboard, the daemon on the demo capture, and Chromium.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { parseRunArgs } from '../../ui/server/config.js';
import type { Config } from '../../ui/server/config.js';
import { startDaemon, DEMO_PCAP } from '../../ui/server/daemon.js';
import type { Daemon } from '../../ui/server/daemon.js';
import { PROJECT_ROOT } from '../helpers/shared.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ARTIFACTS = path.join(PROJECT_ROOT, 'test', 'artifacts');

/**
 * Builds the dashboard if needed, then starts the daemon on the demo capture (password from the
 * environment, store written every 0.2 s) in a fresh data directory, and waits until the capture is read.
 */
export async function startDemoDaemon(password: string, tmpPrefix: string, logs: string[],
  extra: { config?: (c: Config) => void; hooks?: Parameters<typeof startDaemon>[2] } = {}): Promise<{ daemon: Daemon; dataDir: string }> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (CI installs it)`);
  // The dashboard must be built (npm run build does it; so does this, once).
  if (!existsSync(path.join(PROJECT_ROOT, 'dist', 'web', 'index.html'))) {
    const r = spawnSync(process.execPath, [path.join(PROJECT_ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'ui/web/vite.config.ts', '--logLevel', 'warn'], { cwd: PROJECT_ROOT, stdio: 'inherit' });
    if (r.status !== 0) throw new Error('vite build failed');
  }
  mkdirSync(ARTIFACTS, { recursive: true });
  const dataDir = mkdtempSync(path.join(tmpdir(), tmpPrefix));
  process.env.WAAKHOND_PASSWORD = password;
  const opts = parseRunArgs(['--pcap', path.join(PROJECT_ROOT, DEMO_PCAP), '--host', '127.0.0.1', '--port', '0', '--data', dataDir]);
  opts.config.store.save_delay_s = 0.2;
  extra.config?.(opts.config);
  const daemon = await startDaemon(opts, (m) => logs.push(m), extra.hooks);
  if (!daemon) throw new Error(`daemon did not start:\n${logs.join('\n')}`);
  await daemon.captureDone;
  return { daemon, dataDir };
}

/** Debian's Chromium, headless, with the flags that keep it off the (closed) network. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

/** A page in a fresh context; any dialog (an injected alert()) fails the test. */
export async function newPage(browser: Browser, locale: string, width = 1280, height = 900): Promise<Page> {
  const ctx = await browser.newContext({ locale, viewport: { width, height }, deviceScaleFactor: 1 });
  const page = await ctx.newPage();
  page.on('dialog', (d) => { throw new Error(`unexpected dialog: ${d.message()}`); });
  return page;
}

/** Undoes startDemoDaemon and launchChromium (either may not have got that far). */
export async function stopDemo(daemon: Daemon | undefined, browser: Browser | undefined): Promise<void> {
  delete process.env.WAAKHOND_PASSWORD;
  await browser?.close();
  await daemon?.stop();
}
