// A phone or laptop's apps look up vendor clouds too (the Ring app, eWeLink, Mi Home): those look-ups must not
// turn the phone into a camera. Hand-built events (synthetic): a device's DHCP request and the names it looks up.
import { describe, expect, it } from 'vitest';
import { Inventory } from '../../../sensor/inventory/inventory.js';
import { CLIENT_MIN_DOMAINS } from '../../../sensor/inventory/behaviour.js';
import { dhcp, query, tls } from './ev.js';
import { ensureOuiTable } from './oui-helper.js';

/** Everyday look-ups of a phone or laptop, one registered domain each. */
const EVERYDAY = [
  'www.google.com', 'graph.facebook.com', 'g.whatsapp.net', 'www.nu.nl', 'i.instagram.com', 'www.youtube.com',
  'api.spotify.com', 'app-measurement.com', 'www.bol.com', 'gateway.icloud.com', 'www.netflix.com',
  'www.wikipedia.org', 'www.buienradar.nl', 'www.marktplaats.nl', 'login.microsoftonline.com', 'www.ns.nl',
];

function run(mac: string, hostname: string, names: string[]) {
  ensureOuiTable();
  const inv = new Inventory();
  inv.observe(dhcp({ client_mac: mac, src_mac: mac, hostname, message_type: 'request' }));
  let t = 5_000_000;
  for (const n of names) {
    inv.observe(query(mac, n, (t += 1000)));
    inv.observe(tls(mac, n, (t += 1000)));
  }
  return inv.get(mac)!;
}

describe('vendor clouds looked up by a general-purpose client count for little', () => {
  it('a Samsung phone with the Ring app is a Samsung phone, and says why the Ring cloud does not decide', () => {
    const d = run('9a:11:22:33:44:55', 'Galaxy-S21', ['api.ring.com', ...EVERYDAY]);
    expect(d.vendor).toBe('Samsung');
    expect(d.category).toBe('phone');
    expect(d.evidence.some((e) => e.detail.startsWith(`Behaviour: looks up names under ${CLIENT_MIN_DOMAINS} or more different domains`))).toBe(true);
  });

  it('the same look-ups without the everyday ones (a Ring device itself) keep the Ring cloud decisive', () => {
    const d = run('9a:11:22:33:44:55', 'Galaxy-S21', ['api.ring.com', 'fw.ring.com', 'es.ring.com', 'pool.ntp.org']);
    expect(d.vendor).toBe('Ring');
    expect(d.evidence.some((e) => e.detail.startsWith('Behaviour: looks up names under'))).toBe(false);
  });

  it(`ladder: ${CLIENT_MIN_DOMAINS - 1} registered domains is not yet a client, ${CLIENT_MIN_DOMAINS} is`, () => {
    const below = run('9a:11:22:33:44:56', 'Galaxy-S21', ['api.ring.com', ...EVERYDAY.slice(0, CLIENT_MIN_DOMAINS - 2)]);
    expect(below.vendor).toBe('Ring');
    const at = run('9a:11:22:33:44:57', 'Galaxy-S21', ['api.ring.com', ...EVERYDAY.slice(0, CLIENT_MIN_DOMAINS - 1)]);
    expect(at.vendor).toBe('Samsung');
    expect(at.category).toBe('phone');
  });
});
