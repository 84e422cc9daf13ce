// Shared set-up of the headless-Chromium tests: the built dashboard, the daemon on the demo capture, and Chromium.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { parseRunArgs } from '../../ui/server/config.js';
import type { Config } from '../../ui/server/config.js';
import { startDaemon, DEMO_PCAP } from '../../ui/server/daemon.js';
import type { Daemon } from '../../ui/server/daemon.js';
import { PROJECT_ROOT } from '../helpers/shared.js';
import { scratchDir } from '../helpers/scratch.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ARTIFACTS = path.join(PROJECT_ROOT, 'test', 'artifacts');

/**
 * Builds the dashboard if needed, then starts the daemon on the demo capture (password from the
 * environment, store written every 0.2 s) in a fresh data directory, and waits until the capture is read.
 */
export async function startDemoDaemon(password: string, tmpPrefix: string, logs: string[],
  extra: { seed?: (dataDir: string) => void; config?: (c: Config) => void; hooks?: Parameters<typeof startDaemon>[2] } = {}): Promise<{ daemon: Daemon; dataDir: string }> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (CI installs it)`);
  // The dashboard must be built (npm run build does it; so does this, once).
  if (!existsSync(path.join(PROJECT_ROOT, 'dist', 'web', 'index.html'))) {
    const r = spawnSync(process.execPath, [path.join(PROJECT_ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'ui/web/vite.config.ts', '--logLevel', 'warn'], { cwd: PROJECT_ROOT, stdio: 'inherit' });
    if (r.status !== 0) throw new Error('vite build failed');
  }
  mkdirSync(ARTIFACTS, { recursive: true });
  const dataDir = scratchDir(tmpPrefix);
  // A test may start from a store of its own (devices the demo capture does not have).
  extra.seed?.(dataDir);
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

/** What a layout check finds wrong on the current page (empty = fine). */
export async function layoutProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = [];
    const root = document.documentElement;
    if (root.scrollWidth > root.clientWidth) {
      const wide = [...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > root.clientWidth + 1).map((e) => `${e.tagName}.${e.className}`).slice(0, 5);
      problems.push(`horizontal overflow: scrollWidth ${root.scrollWidth} > clientWidth ${root.clientWidth} (${wide.join(', ')})`);
    }
    // Headings, names and model names: a line may only start after a space or a hyphen, never inside a word.
    for (const el of document.querySelectorAll('h1, h2, h3, .dev-name, .todo-text strong, .dev-head p, dd.model')) {
      const box = el.getBoundingClientRect();
      if (box.width === 0 || box.height === 0) continue;
      const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
      let prevTop: number | null = null;
      let prevChar = ' ';
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const text = n.textContent ?? '';
        for (let i = 0; i < text.length; i++) {
          const ch = text[i];
          const r = document.createRange();
          r.setStart(n, i); r.setEnd(n, i + 1);
          const rect = r.getClientRects()[0];
          if (!rect || /\s/.test(ch)) { prevChar = ch; continue; }
          // After a hyphen only in words without digits ("Hik-Connect"); a model number ("DS-2CD2032-I") stays whole.
          const word = /\S*$/.exec(text.slice(0, i))![0] + /^\S*/.exec(text.slice(i))![0];
          const ok = /\s/.test(prevChar) || (/[-–—/]/.test(prevChar) && !/\d/.test(word));
          if (prevTop !== null && rect.top > prevTop + 2 && !ok) problems.push(`"${(el.textContent ?? '').trim().slice(0, 60)}" breaks mid-word at "${prevChar}|${ch}"`);
          prevTop = rect.top;
          prevChar = ch;
        }
      }
    }
    // The header: every visible part on one row.
    const header = document.querySelector('header.top');
    if (header) {
      const kids = [...header.children].filter((e) => { const r = e.getBoundingClientRect(); return r.width > 2 && r.height > 2 && getComputedStyle(e).position !== 'absolute'; }).map((e) => e.getBoundingClientRect());
      const lowestTop = Math.max(...kids.map((r) => r.top));
      const highestBottom = Math.min(...kids.map((r) => r.bottom));
      if (lowestTop >= highestBottom) problems.push(`header takes more than one row (${kids.length} parts, tops ${kids.map((r) => Math.round(r.top)).join('/')})`);
      if (header.getBoundingClientRect().height > 64) problems.push(`header is ${Math.round(header.getBoundingClientRect().height)} px tall`);
    }
    // Old captures say a date, not "3.190 dagen geleden".
    const old = /(\d[\d.,]*)\s*(dagen geleden|days ago)/.exec(document.body.innerText);
    if (old && Number(old[1].replace(/[.,]/g, '')) >= 7) problems.push(`"${old[0]}" instead of a date`);
    return problems;
  });
}
