// Vendor clouds of issue #12 (domains.yaml): each device-side endpoint, through the Inventory, names
// vendor and kind with one evidence line; an app's host looked up by a phone or laptop does not make
// that phone the appliance.
import { describe, expect, it } from 'vitest';
import { Inventory } from '../../../sensor/inventory/inventory.js';
import { dhcp, query, tls } from './ev.js';
import { ensureOuiTable } from './oui-helper.js';

ensureOuiTable();

/** The evidence lines of one device that came from a DNS look-up or a TLS SNI. */
function cloudLines(inv: Inventory, mac: string) {
  return inv.get(mac)!.evidence.filter((e) => e.source === 'dns' || e.source === 'tls');
}

describe('vendor clouds (issue #12)', () => {
  it('a Sonoff asking eu-disp.coolkit.cc for its WebSocket server is a Sonoff smart plug', () => {
    const inv = new Inventory();
    const mac = '24:0a:c4:00:00:01';
    inv.observe(dhcp({ client_mac: mac, hostname: 'ESP_0A1B2C' }));
    inv.observe(tls(mac, 'eu-disp.coolkit.cc'));
    expect(inv.get(mac)).toMatchObject({ vendor: 'Sonoff (ITEAD)', category: 'smart-plug' });
    expect(cloudLines(inv, mac)).toContainEqual(expect.objectContaining({ detail: expect.stringContaining('eu-disp.coolkit.cc'), vendor: 'Sonoff (ITEAD)', category: 'smart-plug' }));
  });

  it('a Samsung TV (samsungcloudsolution) and an LG webOS TV (snu.lge.com) are TVs', () => {
    const inv = new Inventory();
    inv.observe(query('8c:79:f5:10:00:01', 'prov.samsungcloudsolution.com'));
    inv.observe(query('a8:23:fe:10:00:02', 'snu.lge.com'));
    expect(inv.get('8c:79:f5:10:00:01')).toMatchObject({ vendor: 'Samsung', category: 'tv' });
    expect(inv.get('a8:23:fe:10:00:02')).toMatchObject({ vendor: 'LG Electronics', category: 'tv' });
    expect(cloudLines(inv, 'a8:23:fe:10:00:02')).toContainEqual(expect.objectContaining({ detail: expect.stringContaining('snu.lge.com'), category: 'tv' }));
    // LG ThinQ (appliances and the app) is not an LG TV
    inv.observe(query('a8:23:fe:10:00:03', 'common.lgthinq.com'));
    expect(inv.get('a8:23:fe:10:00:03')!.category).not.toBe('tv');
  });

  it("an Xbox's connection test names the console; the TuyaLink broker and miIO's ot host name the platform", () => {
    const inv = new Inventory();
    inv.observe(query('28:18:78:10:00:04', 'xncsi.xboxlive.com'));
    expect(inv.get('28:18:78:10:00:04')).toMatchObject({ vendor: 'Microsoft', model: 'Xbox', category: 'game-console' });
    inv.observe(tls('24:0a:c4:10:00:05', 'm1-weaz.tuyaeu.com'));
    expect(inv.get('24:0a:c4:10:00:05')!.vendor).toBe('Tuya');
    expect(cloudLines(inv, '24:0a:c4:10:00:05').map((e) => e.detail).join(' | ')).toContain('m1-weaz.tuyaeu.com');
    inv.observe(query('24:0a:c4:10:00:06', 'ott.io.mi.com'));
    expect(inv.get('24:0a:c4:10:00:06')!.vendor).toBe('Xiaomi');
  });

  it('inverter loggers: Growatt and GoodWe get their brand (vendor-only hint) and the brand its kind', () => {
    const inv = new Inventory();
    inv.observe(query('24:0a:c4:10:00:07', 'server.growatt.com'));
    inv.observe(query('24:0a:c4:10:00:08', 'www.goodwe-power.com'));
    expect(inv.get('24:0a:c4:10:00:07')!.vendor).toBe('Growatt');
    expect(inv.get('24:0a:c4:10:00:08')!.vendor).toBe('GoodWe');
    for (const mac of ['24:0a:c4:10:00:07', '24:0a:c4:10:00:08']) {
      for (const e of cloudLines(inv, mac)) expect(e.category).toBeUndefined();
    }
  });

  it('SolarEdge monitoring, Gree dispatch, Reolink motion push, Sonos updates and a P2P camera server name brand and kind', () => {
    const inv = new Inventory();
    inv.observe(tls('24:0a:c4:20:00:01', 'prod.solaredge.com'));
    inv.observe(query('24:0a:c4:20:00:02', 'eu.dis.gree.com'));
    inv.observe(tls('24:0a:c4:20:00:03', 'pushx.reolink.com'));
    inv.observe(query('24:0a:c4:20:00:04', 'update-firmware.sonos.com'));
    expect(inv.get('24:0a:c4:20:00:01')).toMatchObject({ vendor: 'SolarEdge', category: 'energy' });
    expect(cloudLines(inv, '24:0a:c4:20:00:01')).toContainEqual(expect.objectContaining({ source: 'tls', detail: expect.stringContaining('prod.solaredge.com'), category: 'energy' }));
    expect(inv.get('24:0a:c4:20:00:02')).toMatchObject({ vendor: 'Gree', category: 'appliance' });
    expect(inv.get('24:0a:c4:20:00:03')).toMatchObject({ vendor: 'Reolink', category: 'camera' });
    expect(inv.get('24:0a:c4:20:00:04')).toMatchObject({ vendor: 'Sonos', category: 'speaker' });
    inv.observe(query('24:0a:c4:20:00:06', 'hzqd.mycamdns.com'));
    expect(inv.get('24:0a:c4:20:00:06')!.category).toBe('camera');
    // the owners' portal is not the inverter's endpoint
    inv.observe(query('24:0a:c4:20:00:05', 'monitoring.solaredge.com'));
    expect(inv.get('24:0a:c4:20:00:05')!.category).not.toBe('energy');
  });

  it('a MacBook and a Windows laptop that also use the eWeLink, Growatt and tado apps are not labelled as those appliances', () => {
    const inv = new Inventory();
    const mac = '3c:22:fb:00:00:01'; // Apple OUI
    inv.observe(dhcp({ client_mac: mac, hostname: 'Annes-MacBook-Pro' }));
    const pc = 'f8:94:c2:00:00:09'; // Intel Wi-Fi: a module maker, so no brand from the OUI
    inv.observe(dhcp({ client_mac: pc, hostname: 'DESKTOP-AB12CD3', vendor_class: 'MSFT 5.0' }));
    const names = ['www.google.com', 'outlook.office365.com', 'www.nu.nl', 'api.spotify.com', 'www.youtube.com', 'graph.facebook.com',
      'www.wikipedia.org', 'github.com', 'login.microsoftonline.com', 'www.bol.com', 'eu-api.coolkit.cc', 'eu-pconnect3.coolkit.cc', 'server.growatt.com', 'my.tado.com', 'auth.tado.com'];
    names.forEach((n, i) => { inv.observe(query(mac, n, 5_000_000 + i)); inv.observe(tls(pc, n, 5_000_000 + i)); });
    for (const m of [mac, pc]) {
      const d = inv.get(m)!;
      expect(d.category).toBe('computer');
      // the app hosts are vendor-only hints: no line from them says smart plug or energy
      for (const e of cloudLines(inv, m)) expect(e.category).toBeUndefined();
      expect(d.name ?? '').not.toMatch(/plug|energy|inverter|thermostat/i);
    }
    expect(inv.get(mac)!.vendor).toBe('Apple');
    expect(cloudLines(inv, mac).find((e) => e.detail.includes('eu-api.coolkit.cc'))).toMatchObject({ vendor: 'Sonoff (ITEAD)', weight: 0.2 });
  });
});
