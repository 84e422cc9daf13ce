// An ordinary home LAN: router, laptop, phone (private MAC), Chromecast, printer, smart plug, IP camera, with their everyday traffic.
import type dnsPacket from 'dns-packet';
import { concat, text, tlsClientHello } from './packets.js';
import { S, Scene, type Host } from './scene.js';

export interface Home {
  sc: Scene;
  router: Host;
  laptop: Host;
  phone: Host;
  chromecast: Host;
  printer: Host;
  plug: Host;
  camera: Host;
}

/** 2026-11-21 19:00:00 UTC: capture start of generated homes. */
export const T0 = Date.UTC(2026, 10, 21, 19, 0, 0) * 1000;

export function makeHome(seed = 7): Home {
  // AVM FRITZ!Box style addressing; OUIs are the vendors' real IEEE assignments.
  const router: Host = { mac: 'e0:28:6d:4a:10:01', ip: '192.168.178.1' };
  const sc = new Scene(router, seed);
  return {
    sc,
    router,
    laptop: { mac: '3c:a9:f4:5e:21:7a', ip: '192.168.178.20' }, // Intel Wi-Fi
    phone: { mac: 'da:a1:19:6b:3c:02', ip: '192.168.178.21' }, // locally administered (randomised) MAC
    chromecast: { mac: 'f4:f5:d8:8e:44:10', ip: '192.168.178.30' }, // Google
    printer: { mac: '3c:d9:2b:71:0c:5e', ip: '192.168.178.31' }, // HP
    plug: { mac: '50:c7:bf:2a:91:33', ip: '192.168.178.32' }, // TP-Link
    camera: { mac: 'c0:56:e3:17:8a:4d', ip: '192.168.178.40' }, // Hikvision
  };
}

function tlsSession(sc: Scene, c: Host, server: Host, t: number, sni: string, respBytes = 2800): number {
  const serverHello = concat(Uint8Array.of(0x16, 3, 3, (respBytes - 5) >> 8, (respBytes - 5) & 255),
    new Uint8Array(Math.min(respBytes - 5, 1400)).map(() => sc.rand() & 255));
  const app = (n: number): Uint8Array => concat(Uint8Array.of(0x17, 3, 3, n >> 8, n & 255), new Uint8Array(n).map(() => sc.rand() & 255));
  return sc.tcpSession(c, server, {
    t, dport: 443, rtt: 18_000,
    exchanges: [
      { from: 'c', data: tlsClientHello(sni, sc.rand) },
      { from: 's', data: serverHello },
      { from: 'c', data: app(180) },
      { from: 's', data: app(600 + (sc.rand() % 800)) },
    ],
  });
}

/** Look a name up at the router, then open TLS to the answer. */
function visit(h: Home, dev: Host, t: number, name: string, ip: string): number {
  const t1 = h.sc.dns(dev, h.router, t, name, [ip]);
  return tlsSession(h.sc, dev, h.sc.remote(ip), t1 + 2_000, name);
}

const SITES: [string, string][] = [
  ['www.nu.nl', '104.18.22.91'], ['www.google.com', '142.250.179.196'], ['www.youtube.com', '142.250.179.206'],
  ['nos.nl', '104.16.124.96'], ['www.wikipedia.org', '185.15.59.224'], ['outlook.office365.com', '52.97.146.162'],
  ['www.bol.com', '185.14.169.113'], ['github.com', '140.82.121.4'], ['www.buienradar.nl', '104.17.113.34'],
];

/** Join the network: DHCP with each device's own client options, mDNS/SSDP announcements. */
export function homeStart(h: Home, t: number): void {
  const { sc } = h;
  sc.dhcp(h.laptop, t + 0.2 * S, { hostname: 'LAPTOP-8K2J3N', vendorClass: 'MSFT 5.0', params: [1, 3, 6, 15, 31, 33, 43, 44, 46, 47, 119, 121, 249, 252] });
  sc.dhcp(h.phone, t + 1.1 * S, { hostname: 'Pixel-7', vendorClass: 'android-dhcp-13', params: [1, 3, 6, 15, 26, 28, 51, 58, 59, 43, 114, 108] });
  sc.dhcp(h.chromecast, t + 1.9 * S, { hostname: 'Chromecast', vendorClass: 'dhcpcd-6.8.2:Linux-4.9.113:armv7l:Marvell', params: [1, 33, 3, 6, 15, 28, 51, 58, 59] });
  sc.dhcp(h.printer, t + 2.6 * S, { hostname: 'HP3CD92B710C5E', vendorClass: 'Hewlett-Packard OfficeJet', params: [1, 3, 6, 15, 44, 47, 12, 81, 252] });
  sc.dhcp(h.plug, t + 3.3 * S, { hostname: 'HS110', params: [1, 3, 28, 6], clientId: false });
  sc.dhcp(h.camera, t + 4.0 * S, { hostname: 'DS-2CD2032-I', vendorClass: 'udhcp 1.19.4', params: [1, 3, 6, 12, 15, 28, 42] });
  announce(h, t + 5 * S);
}

function announce(h: Home, t: number): void {
  const { sc } = h;
  const cc = 'Chromecast-4f1b2e3a9c8d7e6f5a4b3c2d1e0f9a8b';
  const cast: dnsPacket.Answer[] = [
    { type: 'PTR', name: '_googlecast._tcp.local', ttl: 120, data: `${cc}._googlecast._tcp.local` },
    { type: 'TXT', name: `${cc}._googlecast._tcp.local`, ttl: 4500, flush: true,
      data: ['id=4f1b2e3a9c8d7e6f5a4b3c2d1e0f9a8b', 'cd=A1B2C3D4E5F60718293A4B5C6D7E8F90', 'rm=', 've=05', 'md=Chromecast', 'ic=/setup/icon.png', 'fn=Woonkamer TV', 'ca=201221', 'st=0', 'bs=FA8FCA7A1C2D', 'nf=1', 'rs='] },
    { type: 'SRV', name: `${cc}._googlecast._tcp.local`, ttl: 120, flush: true, data: { priority: 0, weight: 0, port: 8009, target: '4f1b2e3a-9c8d-7e6f.local' } },
    { type: 'A', name: '4f1b2e3a-9c8d-7e6f.local', ttl: 120, flush: true, data: h.chromecast.ip },
  ];
  sc.mdns(h.chromecast, t, cast);
  const inst = 'HP OfficeJet Pro 8020 series [710C5E]';
  sc.mdns(h.printer, t + 0.4 * S, [
    { type: 'PTR', name: '_ipp._tcp.local', ttl: 4500, data: `${inst}._ipp._tcp.local` },
    { type: 'TXT', name: `${inst}._ipp._tcp.local`, ttl: 4500, flush: true,
      data: ['txtvers=1', 'qtotal=1', 'rp=ipp/print', 'ty=HP OfficeJet Pro 8020 series', 'product=(HP OfficeJet Pro 8020 series)', 'usb_MFG=HP', 'usb_MDL=OfficeJet Pro 8020 series', 'pdl=application/pdf,image/urf,image/pwg-raster', 'Color=T', 'UUID=1c852a4d-b800-1f08-abcd-3cd92b710c5e'] },
    { type: 'SRV', name: `${inst}._ipp._tcp.local`, ttl: 120, flush: true, data: { priority: 0, weight: 0, port: 631, target: 'HP3CD92B710C5E.local' } },
    { type: 'A', name: 'HP3CD92B710C5E.local', ttl: 120, flush: true, data: h.printer.ip },
  ]);
  sc.ssdpNotify(h.chromecast, t + 0.8 * S, { server: 'Linux/3.8.13+, UPnP/1.0, Portable SDK for UPnP devices/1.6.18', nt: 'urn:dial-multiscreen-org:service:dial:1', usn: 'uuid:4f1b2e3a-9c8d-7e6f-5a4b-3c2d1e0f9a8b::urn:dial-multiscreen-org:service:dial:1', location: `http://${h.chromecast.ip}:8008/ssdp/device-desc.xml` });
  sc.ssdpNotify(h.camera, t + 1.2 * S, { server: 'Linux/3.0.8, UPnP/1.0, Hikvision/DS-2CD2032-I', nt: 'upnp:rootdevice', usn: 'uuid:8a7f6e5d-4c3b-2a19-0817-c056e3178a4d::upnp:rootdevice', location: `http://${h.camera.ip}:49152/rootDesc.xml` });
  sc.mdnsQuery(h.phone, t + 1.6 * S, ['_googlecast._tcp.local']);
}

/** Everyday traffic from t0 to t1: browsing, cloud check-ins, periodic announcements. */
export function homeBackground(h: Home, t0: number, t1: number): void {
  const { sc } = h;
  for (let t = t0 + 2 * S, i = 0; t < t1; t += (6 + (sc.rand() % 10)) * S, i++) {
    const [name, ip] = SITES[sc.rand() % SITES.length]!;
    visit(h, h.laptop, t, name, ip);
    if (i % 3 === 1) {
      const [n2, ip2] = SITES[sc.rand() % SITES.length]!;
      visit(h, h.phone, t + 1.3 * S, n2, ip2);
    }
  }
  for (let t = t0 + 7 * S; t < t1; t += 60 * S) {
    // TP-Link Kasa cloud check-in (devs.tplinkcloud.com over TLS).
    visit(h, h.plug, t, 'devs.tplinkcloud.com', '52.28.170.88');
    // Hikvision camera: Hik-Connect cloud registration, then its HTTP check of the NTP/time service.
    const t2 = sc.dns(h.camera, h.router, t + 3 * S, 'dev.hik-connect.com', ['47.91.76.114']);
    sc.httpGet(h.camera, sc.remote('47.91.76.114'), t2 + 5_000, 'dev.hik-connect.com', '/api/device/heartbeat?serial=DS-2CD2032-I20160712AAWR', { ua: 'Hikvision-Webs', server: 'nginx', body: '{"resultCode":"0"}' });
    // Chromecast checks in with Google.
    visit(h, h.chromecast, t + 11 * S, 'clients3.google.com', '142.250.179.174');
  }
  for (let t = t0 + 65 * S; t < t1; t += 60 * S) announce(h, t);
  for (let t = t0 + 30 * S; t < t1; t += 45 * S) sc.arpWho(h.router, t, h.printer.ip);
}

export { T0 as HOME_T0, text };
