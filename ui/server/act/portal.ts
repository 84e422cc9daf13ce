// The explanation page a quarantined device's plain HTTP is redirected to: why, and the device's advice card, in nl/en.
import { readFileSync } from 'node:fs';
import { Hono } from 'hono';
import type { AdviceCard, Lang } from '../../../rules/advice/book.js';

export interface PortalDeps {
  /** The device behind a LAN address (store first, then the kernel's ARP table), or null. */
  macOf: (ip: string) => string | null;
  /** The device's label and its open advice cards in a language. */
  describe: (mac: string, lang: Lang) => { label: string; cards: AdviceCard[] } | null;
  quarantined: (mac: string) => boolean;
}

const TEXT = {
  nl: {
    title: 'Dit apparaat is afgesloten van het internet',
    why: 'Waakhond heeft dit apparaat in quarantaine gezet: het kan het internet en de andere apparaten in huis niet bereiken. Zo kan het geen kwaad doen terwijl u het oplost.',
    what: 'Wat te doen',
    lift: 'Als het apparaat weer schoon is, haalt u het in het Waakhond-dashboard uit quarantaine.',
    unknown: 'Dit apparaat',
  },
  en: {
    title: 'This device is cut off from the internet',
    why: 'Waakhond put this device in quarantine: it cannot reach the internet or the other devices at home, so it can do no harm while you fix it.',
    what: 'What to do',
    lift: 'Once the device is clean, lift the quarantine in the Waakhond dashboard.',
    unknown: 'This device',
  },
} as const;

/** Accept-Language: the first of nl/en the browser prefers (q-values honoured), English otherwise. */
export function pickLang(header: string | undefined): Lang {
  if (!header) return 'en';
  const prefs = header.split(',').map((p, i) => {
    const [tag, ...params] = p.trim().toLowerCase().split(';');
    const q = Number(params.find((x) => x.trim().startsWith('q='))?.split('=')[1] ?? 1);
    return { tag: tag.trim(), q: Number.isFinite(q) ? q : 0, i };
  }).filter((p) => p.q > 0).sort((a, b) => b.q - a.q || a.i - b.i);
  for (const p of prefs) {
    if (p.tag === 'nl' || p.tag.startsWith('nl-')) return 'nl';
    if (p.tag === 'en' || p.tag.startsWith('en-')) return 'en';
  }
  return 'en';
}

const esc = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

export function portalPage(lang: Lang, label: string | null, cards: AdviceCard[]): string {
  const t = TEXT[lang];
  const advice = cards.slice(0, 3).map((c) => `<section><h2>${esc(c.title)}</h2><p>${esc(c.why)}</p><ol>${c.steps.map((s) => `<li>${esc(s)}</li>`).join('')}</ol></section>`).join('');
  return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(t.title)}</title><style>body{font:16px/1.5 system-ui,sans-serif;max-width:40em;margin:2em auto;padding:0 1em;color:#222}h1{color:#a11}</style></head>
<body><h1>${esc(t.title)}</h1><p><strong>${esc(label ?? t.unknown)}</strong></p><p>${esc(t.why)}</p>
<h2>${esc(t.what)}</h2>${advice}<p>${esc(t.lift)}</p></body></html>`;
}

/** The kernel's neighbour table: the MAC behind a LAN IPv4 address the store does not know yet. */
export function arpLookup(ip: string, read: () => string = () => readFileSync('/proc/net/arp', 'utf8')): string | null {
  try {
    for (const line of read().split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f[0] === ip && /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/.test(f[3] ?? '') && f[3] !== '00:00:00:00:00:00') return f[3];
    }
  } catch { /* no /proc: store only */ }
  return null;
}

export function portalApp(deps: PortalDeps): Hono {
  const app = new Hono();
  app.all('*', (c) => {
    const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
    const ip = (env?.incoming?.socket?.remoteAddress ?? '').replace(/^::ffff:/, '');
    const lang = pickLang(c.req.header('accept-language'));
    const mac = ip ? deps.macOf(ip) : null;
    const d = mac && deps.quarantined(mac) ? deps.describe(mac, lang) : null;
    c.header('Cache-Control', 'no-store');
    c.header('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'");
    c.header('Content-Language', lang);
    // 511 Network Authentication Required (RFC 6585 6) tells captive-portal detectors this is not the real site.
    return c.html(portalPage(lang, d?.label ?? null, d?.cards ?? []), 511);
  });
  return app;
}
