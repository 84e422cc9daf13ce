// Bidi spoofing: a capture whose DHCP host name, mDNS name, SSDP fields and HTTP User-Agent carry
// bidi overrides, isolates, marks and zero-width characters. None of them reaches the inventory, the
// `analyze` table or the dashboard (rendered in Chromium); an emoji's zero-width joiner stays.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { analyzeFiles } from '../../sensor/analyze.js';
import { formatReport } from '../../sensor/cli.js';
import { cleanText, netText, stripInvisible } from '../../sensor/protocols/bytes.js';
import { clean } from '../../sensor/inventory/inventory.js';
import { cleanJson } from '../../ui/web/src/models/text.js';
import { parseRunArgs } from '../../ui/server/config.js';
import { startDaemon } from '../../ui/server/daemon.js';
import type { Daemon } from '../../ui/server/daemon.js';
import { STORE_FILE } from '../../ui/server/store/store.js';
import { DHCP, dhcpPayload, dnsPayload, httpRequest, opt, text, udpFrame, tcpFrame, multicastMac } from '../gen/packets.js';
import { writePcap } from '../gen/pcap.js';
import type { PcapRecord } from '../gen/pcap.js';
import { launchChromium, newPage } from '../ui/e2e-setup.js';

const RLO = '\u202e';
const PDF = '\u202c';
/** Everything the issue names, and a few more invisible format characters. */
const HOSTILE_CHARS = ['\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069', '\u200e', '\u200f', '\u200b', '\u2060', '\ufeff', '\u061c', '\u00ad'];
const ANY_HOSTILE = new RegExp(`[${HOSTILE_CHARS.join('')}]`, 'u');
const FAMILY = '\u{1f468}\u200d\u{1f469}\u200d\u{1f467}'; // man ZWJ woman ZWJ girl: one emoji

const DHCP_NAME = `CIMSYS${RLO}gnp.exe`; // reads "CIMSYS exe.png" when rendered raw
const MDNS_NAME = `Kitchen${'\u2067'}VT${'\u2069'}${'\u200f'}`;
const SSDP_SERVER = `Linux/5.4 UPnP/1.0 ${RLO}revres-evil${PDF}/1.0`;
const HTTP_UA = `Mozilla/5.0 ${'\u202d'}(X11${'\u200b'}; Linux)${'\ufeff'} ${FAMILY}`;

const DHCP_MAC = '00:1a:11:00:00:01';
const MDNS_MAC = '00:1a:11:00:00:02';
const SSDP_MAC = '00:1a:11:00:00:03';
const HTTP_MAC = '00:1a:11:00:00:04';
const ROUTER_MAC = '00:1a:11:00:00:fe';

function hostileCapture(file: string): void {
  const t0 = Date.UTC(2026, 0, 5, 12) * 1000;
  const recs: PcapRecord[] = [];
  const at = (i: number, data: Uint8Array) => recs.push({ ts: t0 + i * 100_000, data } as PcapRecord);
  at(0, udpFrame(DHCP_MAC, 'ff:ff:ff:ff:ff:ff', '0.0.0.0', '255.255.255.255', 68, 67, dhcpPayload({
    op: 1, xid: 0x1234, chaddr: DHCP_MAC, type: DHCP.REQUEST, options: [[50, opt.ips('192.168.1.21')], [12, text(DHCP_NAME)], [55, opt.bytes(1, 3, 6, 15)]],
  })));
  at(1, udpFrame(MDNS_MAC, multicastMac('224.0.0.251'), '192.168.1.22', '224.0.0.251', 5353, 5353, dnsPayload({
    type: 'response', id: 0, flags: 0x8400,
    answers: [
      { type: 'A', name: `${MDNS_NAME}.local`, ttl: 120, data: '192.168.1.22' },
      { type: 'PTR', name: '_googlecast._tcp.local', ttl: 120, data: `${MDNS_NAME}._googlecast._tcp.local` },
      { type: 'TXT', name: `${MDNS_NAME}._googlecast._tcp.local`, ttl: 120, data: [`fn=${MDNS_NAME}`, `md=Chrome${RLO}cast`] },
    ],
  })));
  at(2, udpFrame(SSDP_MAC, multicastMac('239.255.255.250'), '192.168.1.23', '239.255.255.250', 1900, 1900, text(
    `NOTIFY * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nNT: upnp:rootdevice\r\nNTS: ssdp:alive\r\nSERVER: ${SSDP_SERVER}\r\n` +
    `USN: uuid:${RLO}1234::upnp:rootdevice\r\nLOCATION: http://192.168.1.23:80/desc.xml\r\nCACHE-CONTROL: max-age=1800\r\n\r\n`)));
  at(3, tcpFrame(HTTP_MAC, ROUTER_MAC, '192.168.1.24', '93.184.216.34', { sport: 40000, dport: 80, flags: 0x18, seq: 1, ack: 1 },
    httpRequest('GET', '/', { Host: `example${'\u200e'}.com`, 'User-Agent': HTTP_UA })));
  writePcap(file, recs);
}

describe('the shared cleaning', () => {
  it('removes bidi controls and other invisible format characters, keeps an emoji ZWJ', () => {
    for (const ch of HOSTILE_CHARS) {
      expect(stripInvisible(`a${ch}b`)).toBe('ab');
      expect(cleanText(`a${ch}b`, 100)).toBe('ab');
      expect(netText(text(`a${ch}b`), 0, text(`a${ch}b`).length, 100)).toBe('ab');
      expect(clean(`a${ch}b`)).toBe('ab');
      expect(cleanJson({ [`k${ch}`]: [`v${ch}`] })).toEqual({ k: ['v'] });
    }
    expect(stripInvisible(FAMILY)).toBe(FAMILY);
    expect(stripInvisible(`a\u200db`)).toBe('ab'); // a ZWJ between letters is not an emoji's
    expect(stripInvisible('ök 日本 مرحبا')).toBe('ök 日本 مرحبا'); // right-to-left text itself stays
  });
});

describe('a hostile-string capture', () => {
  let dir: string;
  let pcap: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'waakhond-bidi-'));
    pcap = path.join(dir, 'hostile.pcap');
    hostileCapture(pcap);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('analyze: neither the report nor its table carry the characters, the text around them is kept', async () => {
    const report = await analyzeFiles([pcap]);
    const json = JSON.stringify(report);
    expect(json).not.toMatch(ANY_HOSTILE);
    // The capture was read: every hostile device is there, with the visible part of its name.
    const byMac = new Map(report.devices.map((d) => [d.mac, d]));
    expect(byMac.get(DHCP_MAC)?.hostname ?? byMac.get(DHCP_MAC)?.name).toBe('CIMSYSgnp.exe');
    expect(json).toContain('KitchenVT');
    for (const m of [DHCP_MAC, MDNS_MAC, SSDP_MAC, HTTP_MAC]) expect(byMac.has(m), m).toBe(true);
    expect(formatReport(report)).not.toMatch(ANY_HOSTILE);
    // The table's own cleaning, for text that did not come through the sensor (a report read back from JSON).
    const raw = { ...report, devices: report.devices.map((d, i) => ({ ...d, name: i === 0 ? DHCP_NAME : `${MDNS_NAME} ${FAMILY}`, vendor: SSDP_SERVER, model: HTTP_UA })) };
    const table = formatReport(raw);
    expect(table).not.toMatch(ANY_HOSTILE);
    expect(table, table).toContain('CIMSYSgnp.exe');
    expect(table).toContain(`KitchenVT ${FAMILY}`);
  });

  describe('the dashboard in Chromium', () => {
    const PASSWORD = 'bidi-test-password';
    let daemon: Daemon | undefined;
    let browser: Browser | undefined;
    let dataDir: string;
    const OLD_MAC = '00:1a:11:00:00:77';

    beforeAll(async () => {
      dataDir = mkdtempSync(path.join(tmpdir(), 'waakhond-bidi-data-'));
      // A device stored before the sensor stripped anything: only the dashboard's own cleaning stands
      // between this host name and the page.
      const T = Date.UTC(2026, 0, 5, 11) * 1000;
      writeFileSync(path.join(dataDir, STORE_FILE), JSON.stringify({
        version: 1, alerts: {}, advice: {}, names: {}, answers: {}, aliases: {}, settings: { password_hash: null },
        devices: { [OLD_MAC]: { mac: OLD_MAC, ips: ['192.168.1.77'], ipv6: [], vendor: null, model: null, category: 'other', name: null,
          hostname: `OLD${RLO}gnp.exe`, confidence: 0.3, evidence: [], first_seen: T, last_seen: T, private_mac: false, traffic: [] } },
      }));
      process.env.WAAKHOND_PASSWORD = PASSWORD;
      const opts = parseRunArgs(['--pcap', pcap, '--host', '127.0.0.1', '--port', '0', '--data', dataDir]);
      const logs: string[] = [];
      daemon = (await startDaemon(opts, (m) => logs.push(m))) ?? undefined;
      if (!daemon) throw new Error(`daemon did not start:\n${logs.join('\n')}`);
      await daemon.captureDone;
      browser = await launchChromium();
    }, 60_000);

    afterAll(async () => {
      delete process.env.WAAKHOND_PASSWORD;
      await browser?.close();
      await daemon?.stop();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('the device list and device pages show no bidi or invisible characters', async () => {
      const stored = readFileSync(path.join(dataDir, STORE_FILE), 'utf8');
      expect(stored).toContain('CIMSYSgnp.exe'); // the sensor's cleaning, stored
      const page = await newPage(browser!, 'en-GB');
      await page.goto(daemon!.url);
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.getByRole('navigation').getByRole('link', { name: 'Devices' }).click();
      await page.locator('ul.devices li').first().waitFor();
      await expect.poll(() => page.locator('ul.devices li').count()).toBeGreaterThanOrEqual(5);
      const list = await page.evaluate(() => document.body.innerText + document.title);
      expect(list, JSON.stringify(list.match(new RegExp(`.{0,30}${ANY_HOSTILE.source}.{0,30}`, 'u'))?.[0])).not.toMatch(ANY_HOSTILE);
      expect(list).toContain('OLDgnp.exe'); // stored raw, cleaned by the dashboard
      // Each device page (evidence lines carry the SSDP SERVER and the User-Agent).
      const links = await page.locator('ul.devices a').evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).getAttribute('href')));
      expect(links.length).toBeGreaterThanOrEqual(5);
      for (const href of links) {
        await page.goto(new URL(href!, daemon!.url).toString());
        await page.getByRole('heading', { level: 1 }).waitFor();
        const t = await page.evaluate(() => document.body.innerText);
        expect(t, href!).not.toMatch(ANY_HOSTILE);
      }
    }, 90_000);
  });
});
