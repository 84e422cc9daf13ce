// Matchers and identity with hand-built events: each fingerprint kind, specific over generic,
// module makers, conflicts kept, private MACs, identity early and only improving.
import { describe, expect, it } from 'vitest';
import { Inventory } from '../../../sensor/inventory/inventory.js';
import { ouiTable } from '../../../sensor/inventory/oui.js';
import { dhcp, dns, httpReq, httpResp, mdnsResponse, query, ssdp, tls } from './ev.js';
import { ensureOuiTable } from './oui-helper.js';

ensureOuiTable();

describe('identification from single protocols', () => {
  it('DHCP hostname names the model and, through the product line, the category', () => {
    const inv = new Inventory();
    inv.observe(dhcp({ client_mac: 'b0:c5:54:25:5b:0e', hostname: 'DCS-935L', vendor_class: 'udhcp 1.22.1', param_list: [1, 3, 6, 12, 15, 28, 42] }));
    const d = inv.get('b0:c5:54:25:5b:0e')!;
    expect(d.vendor).toBe('D-Link');
    expect(d.model).toBe('DCS-935L');
    expect(d.category).toBe('camera');
    expect(d.name).toBe('D-Link DCS-935L camera');
    expect(d.evidence.map((e) => e.detail)).toContain('DHCP hostname DCS-935L');
  });

  it('mDNS TXT md= on _hap._tcp names a Hue Bridge; HomeKit ci= gives a category without a brand', () => {
    const inv = new Inventory();
    inv.observe(mdnsResponse('00:17:88:24:76:ff', [
      { name: '_hap._tcp.local', type: 'PTR', ttl: 4500, data: 'Philips hue - 2476FF._hap._tcp.local' },
      { name: 'Philips hue - 2476FF._hap._tcp.local', type: 'TXT', ttl: 4500, data: '', txt: ['c#=2', 'md=BSB002', 'ci=2'] },
    ]));
    const d = inv.get('00:17:88:24:76:ff')!;
    expect(d.vendor).toBe('Philips Hue');
    expect(d.model).toBe('Hue Bridge BSB002');
    expect(d.category).toBe('hub');
    const plug = new Inventory();
    plug.observe(mdnsResponse('02:00:00:00:00:01', [
      { name: 'Outlet._hap._tcp.local', type: 'TXT', ttl: 4500, data: '', txt: ['md=Eve Energy', 'ci=7'] },
    ]));
    expect(plug.get('02:00:00:00:00:01')!.category).toBe('smart-plug');
    expect(plug.get('02:00:00:00:00:01')!.model).toBe('Eve Energy');
  });

  it('mDNS printers: ty= gives brand and model, the service the category', () => {
    const inv = new Inventory();
    inv.observe(mdnsResponse('00:80:77:11:22:33', [
      { name: 'Brother HL-L2350DW._ipp._tcp.local', type: 'TXT', ttl: 4500, data: '', txt: ['ty=Brother HL-L2350DW series', 'product=(Brother HL-L2350DW series)'] },
      { name: 'Brother HL-L2350DW._ipp._tcp.local', type: 'SRV', ttl: 120, data: '', srv: { priority: 0, weight: 0, port: 631, target: 'BRW0080771122.local' } },
    ]));
    const d = inv.get('00:80:77:11:22:33')!;
    expect(d.vendor).toBe('Brother');
    expect(d.model).toBe('HL-L2350DW series');
    expect(d.category).toBe('printer');
    expect(d.hostname).toBe('BRW0080771122');
  });

  it('SSDP USN of a WeMo names the product; SERVER IpBridge names a Hue bridge', () => {
    const inv = new Inventory();
    inv.observe(ssdp({ src_mac: '94:10:3e:35:01:c1', usn: 'uuid:Socket-1_0-221519K1100F55::urn:Belkin:service:rules:1', nt: 'urn:Belkin:service:rules:1', server: 'Unspecified, UPnP/1.0, Unspecified' }));
    expect(inv.get('94:10:3e:35:01:c1')).toMatchObject({ vendor: 'Belkin', model: 'WeMo Switch', category: 'smart-plug' });
    inv.observe(ssdp({ src_mac: '00:17:88:24:76:ff', src_ip: '192.168.1.31', server: 'Linux/3.14.0 UPnP/1.0 IpBridge/1.9.0' }));
    expect(inv.get('00:17:88:24:76:ff')).toMatchObject({ vendor: 'Philips Hue', category: 'hub' });
  });

  it('DNS, TLS SNI and HTTP Host of vendor clouds name the vendor; subdomains match, look-alikes do not', () => {
    const inv = new Inventory();
    inv.observe(query('02:11:22:33:44:01', 'api.xbcs.net'));
    inv.observe(tls('02:11:22:33:44:02', 'devs.tplinkcloud.com'));
    inv.observe(httpReq('02:11:22:33:44:03', { host: 'www.fitbit.com:80' }));
    inv.observe(query('02:11:22:33:44:04', 'notxbcs.net'));
    expect(inv.get('02:11:22:33:44:01')!.vendor).toBe('Belkin');
    expect(inv.get('02:11:22:33:44:02')!.vendor).toBe('TP-Link');
    expect(inv.get('02:11:22:33:44:03')).toMatchObject({ vendor: 'Fitbit', category: 'health' });
    expect(inv.get('02:11:22:33:44:04')!.vendor).toBeNull();
  });

  it('HTTP Server of an answering device and User-Agent of a requesting one', () => {
    const inv = new Inventory();
    inv.observe(httpResp('c0:56:e3:00:00:01', { server: 'App-webs/' }));
    expect(inv.get('c0:56:e3:00:00:01')).toMatchObject({ category: 'camera' });
    inv.observe(httpReq('02:00:00:00:00:05', { user_agent: 'Roku/DVP-9.10 (519.10E04111A)' }));
    expect(inv.get('02:00:00:00:00:05')).toMatchObject({ vendor: 'Roku', category: 'media' });
    // A response arriving from the Internet carries the router's MAC: it says nothing about that MAC.
    inv.observe(httpResp('c0:56:e3:00:00:09', { server: 'App-webs/', direction: 'inbound', src_ip: '52.1.1.1' }));
    expect(inv.get('c0:56:e3:00:00:09')).toBeUndefined();
  });

  it('UPnP descriptions from discovery: manufacturer, modelName, deviceType', () => {
    const inv = new Inventory();
    inv.observe(dhcp({ client_mac: '00:0e:58:aa:bb:cc', op: 'request', ciaddr: '192.168.1.77' }));
    inv.observeUpnp('192.168.1.77', { manufacturer: 'Sonos, Inc.', model_name: 'Sonos One', device_type: 'urn:schemas-upnp-org:device:ZonePlayer:1' }, 9_000_000);
    expect(inv.get('00:0e:58:aa:bb:cc')).toMatchObject({ vendor: 'Sonos', model: 'Sonos One', category: 'speaker' });
  });
});

describe('identity resolution', () => {
  it('a module maker OUI is the answer only until evidence names the brand', () => {
    const inv = new Inventory();
    inv.observe(dhcp({ client_mac: '20:f8:5e:ca:91:52', hostname: 'GainSpanca9152' }));
    const before = inv.get('20:f8:5e:ca:91:52')!;
    expect(before.vendor).toMatch(/Delta Electronics|GainSpan/);
    expect(before.evidence.find((e) => e.source === 'oui')!.detail).toMatch(/module maker/);
    inv.observe(query('20:f8:5e:ca:91:52', 'www.fitbit.com'));
    const after = inv.get('20:f8:5e:ca:91:52')!;
    expect(after.vendor).toBe('Fitbit');
    expect(after.category).toBe('health');
    expect(after.confidence).toBeGreaterThan(before.confidence);
  });

  it('with only module evidence the module maker is shown, never an invented brand', () => {
    const inv = new Inventory();
    inv.observe(dhcp({ client_mac: '5c:cf:7f:07:ae:fb', hostname: 'ESP_07AEFB', param_list: [1, 3, 28, 6, 15, 44, 46, 47, 31, 33, 121, 43] }));
    expect(inv.get('5c:cf:7f:07:ae:fb')).toMatchObject({ vendor: 'Espressif', category: 'other' });
  });

  it('conflicts are kept as evidence: Apple hardware whose DHCP says MSFT 5.0', () => {
    const inv = new Inventory();
    inv.observe(dhcp({ client_mac: '00:1b:63:84:45:e6', vendor_class: 'MSFT 5.0', hostname: 'MacBook-Pro' }));
    const d = inv.get('00:1b:63:84:45:e6')!;
    expect(d.vendor).toBe('Apple');
    expect(d.category).toBe('computer');
    expect(d.evidence.some((e) => /MSFT 5\.0/.test(e.detail))).toBe(true);
    expect(d.evidence.some((e) => e.source === 'oui' && e.vendor === 'Apple')).toBe(true);
  });

  it('rival brands lower the confidence but stay in the evidence', () => {
    const inv = new Inventory();
    const mac = '94:10:3e:41:c2:05';
    inv.observe(ssdp({ src_mac: mac, usn: 'uuid:Insight-1_0-221542K1200339' }));
    const alone = inv.get(mac)!.confidence;
    inv.observe(query(mac, 'www.myedimax.com'));
    const d = inv.get(mac)!;
    expect(d.vendor).toBe('Belkin');
    expect(d.confidence).toBeLessThan(alone);
    expect(d.evidence.some((e) => e.vendor === 'Edimax')).toBe(true);
  });

  it('specific beats generic: a model from md= under _googlecast names Google; another md= only a model', () => {
    const inv = new Inventory();
    inv.observe(mdnsResponse('02:00:00:00:10:01', [{ name: 'Chromecast-abc._googlecast._tcp.local', type: 'TXT', ttl: 4500, data: '', txt: ['md=Chromecast', 'fn=Living room'] }]));
    expect(inv.get('02:00:00:00:10:01')).toMatchObject({ vendor: 'Google', model: 'Chromecast', category: 'media' });
    inv.observe(mdnsResponse('02:00:00:00:10:02', [{ name: 'Bravia._googlecast._tcp.local', type: 'TXT', ttl: 4500, data: '', txt: ['md=BRAVIA 4K GB'] }]));
    expect(inv.get('02:00:00:00:10:02')).toMatchObject({ vendor: null, model: 'BRAVIA 4K GB', category: 'media' });
  });

  it('identity is there after the first DHCP exchange and never gets worse', () => {
    const inv = new Inventory();
    const names: (string | null)[] = [];
    inv.onChange = (d, c) => { if (c !== 'evicted') names.push(d.name); };
    const mac = '50:c7:bf:00:fc:a3';
    inv.observe(dhcp({ client_mac: mac, hostname: 'HS110(EU)', vendor_class: 'udhcp 0.9.9-pre' }));
    expect(names[0]).toBe('TP-Link HS110 smart plug');
    const conf0 = inv.get(mac)!.confidence;
    inv.observe(query(mac, 'devs.tplinkcloud.com'));
    inv.observe(query(mac, 'time-a.nist.gov'));
    expect(inv.get(mac)!.name).toBe('TP-Link HS110 smart plug');
    expect(inv.get(mac)!.confidence).toBeGreaterThanOrEqual(conf0);
  });
});

describe('OUI and private addresses', () => {
  it('longest-prefix OUI match (MA-S beats MA-L)', () => {
    const t = ouiTable()!;
    expect(t.size).toBeGreaterThan(40000);
    expect(t.lookup('5c:cf:7f:00:00:01')).toMatchObject({ name: 'Espressif Inc.', registry: 'MA-L', prefix: '5c:cf:7f' });
    const mas = t.lookup('70:b3:d5:00:10:00');
    expect(mas?.registry).toBe('MA-S');
    expect(mas?.prefix).toBe('70:b3:d5:00:1');
    expect(t.lookup('70:b3:d5:00:00:01')?.registry).toBe('MA-L');
    expect(t.lookup('zz')).toBeNull();
  });

  it('a private MAC gets no OUI look-up and reads as a private address of a phone/laptop', () => {
    const inv = new Inventory();
    inv.observe(dhcp({ client_mac: 'da:a1:19:12:34:56' }));
    const d = inv.get('da:a1:19:12:34:56')!;
    expect(d.private_mac).toBe(true);
    expect(d.vendor).toBeNull();
    expect(d.evidence.some((e) => e.source === 'oui')).toBe(false);
    expect(d.name).toBe('private address of a phone/laptop');
  });

  it('private MACs of one phone are grouped by DHCP client id or hostname, not by the default client id', () => {
    const inv = new Inventory();
    inv.observe(dhcp({ client_mac: 'da:a1:19:00:00:01', hostname: 'Annes-iPhone', client_id: '01daa119000001' }));
    inv.observe(dhcp({ client_mac: 'ea:b2:20:00:00:02', hostname: 'Annes-iPhone', client_id: '01eab220000002' }));
    inv.observe(dhcp({ client_mac: 'f2:00:00:00:00:03', client_id: 'ff00aa11' }));
    inv.observe(dhcp({ client_mac: 'f6:00:00:00:00:04', client_id: 'ff00aa11' }));
    inv.observe(dhcp({ client_mac: 'fa:00:00:00:00:05', client_id: '01fa0000000005' }));
    expect(inv.get('da:a1:19:00:00:01')!.same_device_as).toEqual(['ea:b2:20:00:00:02']);
    expect(inv.get('ea:b2:20:00:00:02')!.same_device_as).toEqual(['da:a1:19:00:00:01']);
    expect(inv.get('ea:b2:20:00:00:02')!.name).toBe('Apple iPhone (private address)');
    expect(inv.get('f6:00:00:00:00:04')!.same_device_as).toEqual(['f2:00:00:00:00:03']);
    expect(inv.get('fa:00:00:00:00:05')!.same_device_as).toBeUndefined();
  });

  it('hostile names are bounded and stripped of control characters', () => {
    const inv = new Inventory();
    inv.observe(dhcp({ client_mac: '00:11:22:33:44:99', hostname: `<script>\u0007${'x'.repeat(500)}` }));
    const h = inv.get('00:11:22:33:44:99')!.hostname!;
    expect(h.length).toBeLessThanOrEqual(64);
    expect(h).not.toMatch(/\u0007/);
  });

  it('a flood of spoofed MACs stays within the cap', () => {
    const inv = new Inventory({ maxDevices: 50 });
    for (let i = 0; i < 5000; i++) {
      const b = (i >> 8) & 0xff;
      const c = i & 0xff;
      inv.observe(dns({ src_mac: `02:00:00:00:${b.toString(16).padStart(2, '0')}:${c.toString(16).padStart(2, '0')}`, mdns: true, response: true }));
    }
    expect(inv.stats).toEqual({ devices: 50, evicted: 4950, full: true });
  });
});

describe('OUI table file', () => {
  it('refuses a corrupt table with a reason instead of crashing', async () => {
    const { OuiTable } = await import('../../../sensor/inventory/oui.js');
    expect(() => OuiTable.parse('garbage')).toThrow(/bad header/);
    expect(() => OuiTable.parse('waakhond-oui 1 1 2\nAcme\n%%\n001122 0\n001121 0\n')).toThrow(/not sorted/);
    expect(() => OuiTable.parse('waakhond-oui 1 1 1\nAcme\n%%\n00112 0\n')).toThrow(/bad entry/);
    const t = OuiTable.parse('waakhond-oui 1 2 2\nAcme\nSub\n%%\n001122 0\n0011223 1\n');
    expect(t.lookup('00:11:22:33:44:55')).toMatchObject({ name: 'Sub', registry: 'MA-M' });
    expect(t.lookup('00:11:22:43:44:55')).toMatchObject({ name: 'Acme', registry: 'MA-L' });
  });
});

describe('NetBIOS, LLMNR, TCP traits, FQDN, flows', () => {
  const lan = { dst_mac: 'ff:ff:ff:ff:ff:ff', src_ip: '192.168.1.70', dst_ip: '192.168.1.255', direction: 'internal' as const };

  it('NetBIOS registrations and LLMNR answers give the hostname; default Windows names say computer', () => {
    const inv = new Inventory();
    inv.observe({ type: 'netbios', ts: 1, src_mac: '3c:22:fb:00:00:01', ...lan, kind: 'registration', name: 'DESKTOP-AB12CD3', suffix: 0 });
    expect(inv.get('3c:22:fb:00:00:01')).toMatchObject({ hostname: 'DESKTOP-AB12CD3', category: 'computer' });
    inv.observe(dns({ src_mac: '3c:22:fb:00:00:02', llmnr: true, response: true, src_port: 5355, answers: [{ name: 'kitchen-pc', type: 'A', ttl: 30, data: '192.168.1.20' }] }));
    expect(inv.get('3c:22:fb:00:00:02')!.hostname).toBe('kitchen-pc');
  });

  it('DHCP option 81 FQDN names a host that sends no option 12', () => {
    const inv = new Inventory();
    inv.observe(dhcp({ client_mac: '3c:22:fb:00:00:03', fqdn: 'laptop7.home.lan' }));
    expect(inv.get('3c:22:fb:00:00:03')!.hostname).toBe('laptop7');
  });

  it('TCP SYN traits are a weak hint, looked at only for the first few SYNs', () => {
    const inv = new Inventory();
    const syn = (ts: number) => ({ type: 'tcp_syn' as const, ts, src_mac: '3c:22:fb:00:00:04', dst_mac: 'aa:aa:aa:aa:aa:01', src_ip: '192.168.1.71', dst_ip: '52.1.2.3', direction: 'outbound' as const, src_port: 50000, dst_port: 443, seq: 1, window: 64240, ttl: 128, options_length: 12, mirai_seq: false, ecn: false });
    for (let i = 0; i < 100; i++) inv.observe(syn(i));
    const d = inv.get('3c:22:fb:00:00:04')!;
    expect(d.category).toBe('computer');
    expect(d.evidence.filter((e) => e.source === 'tcp')).toHaveLength(1);
    expect(d.last_seen).toBe(99);
  });

  it('flows keep known devices fresh but create none', () => {
    const inv = new Inventory();
    const conn = (mac: string) => ({ type: 'conn' as const, ts: 10, end_ts: 50, src_mac: mac, dst_mac: 'aa:aa:aa:aa:aa:01', src_ip: '192.168.1.72', dst_ip: '52.1.2.3', direction: 'outbound' as const, proto: 'tcp' as const, ip_proto: 6, src_port: 1, dst_port: 2, state: 'SF' as const, orig_pkts: 1, orig_bytes: 1, resp_pkts: 1, resp_bytes: 1, reason: 'closed' as const });
    inv.observe(conn('3c:22:fb:00:00:05'));
    expect(inv.get('3c:22:fb:00:00:05')).toBeUndefined();
    inv.observe(dhcp({ client_mac: '3c:22:fb:00:00:05', ts: 5 }));
    inv.observe(conn('3c:22:fb:00:00:05'));
    expect(inv.get('3c:22:fb:00:00:05')!.last_seen).toBe(50);
  });
});

describe('DHCP option 55 order', () => {
  it('the order of the request list tells the client family', () => {
    const inv = new Inventory();
    inv.observe(dhcp({ client_mac: 'ca:00:00:00:00:01', param_list: [1, 121, 3, 6, 15, 108, 114, 119, 252] }));
    inv.observe(dhcp({ client_mac: 'ca:00:00:00:00:02', param_list: [1, 3, 6, 15, 31, 33, 43, 44, 46, 47, 119, 121, 249, 252] }));
    inv.observe(dhcp({ client_mac: 'ca:00:00:00:00:03', param_list: [3, 1, 6, 15, 31, 33, 43, 44, 46, 47, 119, 121, 249, 252] }));
    expect(inv.get('ca:00:00:00:00:01')).toMatchObject({ vendor: 'Apple', category: 'phone', name: 'Apple phone (private address)' });
    expect(inv.get('ca:00:00:00:00:02')).toMatchObject({ vendor: null, category: 'computer' });
    expect(inv.get('ca:00:00:00:00:03')).toMatchObject({ vendor: null, category: 'other' });
  });
});

describe('device APIs called by LAN clients', () => {
  it('a phone calling /smartplug.cgi on port 10000 makes the callee an Edimax smart plug, not the phone', () => {
    const inv = new Inventory();
    inv.observe(httpReq('ac:37:43:00:00:01', { dst_mac: '74:da:38:4a:76:49', dst_ip: '192.168.1.80', direction: 'internal', dst_port: 10000, method: 'POST', uri: '/smartplug.cgi', user_agent: 'Dalvik/2.1.0 (Linux; U; Android 6.0)' }));
    expect(inv.get('74:da:38:4a:76:49')).toMatchObject({ vendor: 'Edimax', category: 'smart-plug' });
    expect(inv.get('74:da:38:4a:76:49')!.evidence.some((e) => /request to it for \/smartplug\.cgi/.test(e.detail))).toBe(true);
    expect(inv.get('ac:37:43:00:00:01')!.category).toBe('phone');
  });

  it('Roku ECP on port 8060, Hue REST paths; the same path on another port is not Roku', () => {
    const inv = new Inventory();
    inv.observe(httpReq('ac:37:43:00:00:01', { dst_mac: '02:00:00:00:20:01', dst_ip: '192.168.1.81', direction: 'internal', dst_port: 8060, uri: '/query/device-info' }));
    inv.observe(httpReq('ac:37:43:00:00:01', { dst_mac: '02:00:00:00:20:02', dst_ip: '192.168.1.82', direction: 'internal', dst_port: 80, uri: '/query/device-info' }));
    inv.observe(httpReq('ac:37:43:00:00:01', { dst_mac: '02:00:00:00:20:03', dst_ip: '192.168.1.83', direction: 'internal', dst_port: 80, uri: '/api/7af1dee81e8e93fe3d50e80d40770a5b/lights/new' }));
    expect(inv.get('02:00:00:00:20:01')).toMatchObject({ vendor: 'Roku', category: 'media' });
    expect(inv.get('02:00:00:00:20:02')!.vendor).toBeNull();
    expect(inv.get('02:00:00:00:20:03')).toMatchObject({ vendor: 'Philips Hue', category: 'hub' });
  });
});

describe('model codes as names', () => {
  it('a bare model code as DHCP host name becomes the model when models.yaml knows the line, and only then', () => {
    const inv = new Inventory();
    // Espressif OUI (a module maker): only the code can say brand and kind.
    inv.observe(dhcp({ client_mac: '5c:cf:7f:50:00:01', hostname: 'IC-3115W' }));
    inv.observe(dhcp({ client_mac: '5c:cf:7f:50:00:02', hostname: 'XR500' }));
    inv.observe(dhcp({ client_mac: '5c:cf:7f:50:00:03', hostname: 'IC-3115W-hall' }));
    const d = inv.get('5c:cf:7f:50:00:01')!;
    expect(d).toMatchObject({ vendor: 'Edimax', model: 'IC-3115W', category: 'camera', name: 'Edimax IC-3115W camera' });
    expect(d.evidence.map((e) => e.detail)).toContain('DHCP hostname IC-3115W is a model code');
    // A code no product line knows, or a name that is more than a code, stays a host name.
    expect(inv.get('5c:cf:7f:50:00:02')).toMatchObject({ vendor: 'Espressif', model: null, category: 'other' });
    expect(inv.get('5c:cf:7f:50:00:03')).toMatchObject({ vendor: 'Espressif', model: null, category: 'other' });
  });

  it('a product token in SSDP SERVER is a model code too', () => {
    const inv = new Inventory();
    inv.observe(ssdp({ src_mac: '5c:cf:7f:50:00:04', server: 'Linux/2.6.21 UPnP/1.0 NC200/1.0' }));
    expect(inv.get('5c:cf:7f:50:00:04')).toMatchObject({ vendor: 'TP-Link', model: 'NC200', category: 'camera' });
    expect(inv.get('5c:cf:7f:50:00:04')!.evidence.map((e) => e.detail)).toContain('SSDP server NC200 is a model code');
  });
});

describe('kinds a household names', () => {
  it('HomeWizard P1 meter (mDNS _hwenergy._tcp, TXT product_type): energy; Enphase Envoy: energy', () => {
    const inv = new Inventory();
    inv.observe(mdnsResponse('02:00:00:00:30:01', [
      { name: '_hwenergy._tcp.local', type: 'PTR', ttl: 4500, data: 'p1meter-0A1B2C._hwenergy._tcp.local' },
      { name: 'p1meter-0A1B2C._hwenergy._tcp.local', type: 'TXT', ttl: 4500, data: '', txt: ['api_enabled=1', 'path=/api/v1', 'product_name=P1 meter', 'product_type=HWE-P1', 'serial=5c2fafaabbcc'] },
    ]));
    inv.observe(mdnsResponse('02:00:00:00:30:02', [
      { name: '_enphase-envoy._tcp.local', type: 'PTR', ttl: 4500, data: 'envoy._enphase-envoy._tcp.local' },
    ]));
    expect(inv.get('02:00:00:00:30:01')).toMatchObject({ vendor: 'HomeWizard', model: 'HWE-P1', category: 'energy', name: 'HomeWizard HWE-P1 energy device (private address)' });
    expect(inv.get('02:00:00:00:30:02')).toMatchObject({ vendor: 'Enphase', category: 'energy' });
  });

  it('HomeKit ci= 6, 9, 18 and 31 are a lock, a thermostat, a doorbell and a TV', () => {
    const inv = new Inventory();
    const hap = (mac: string, ci: string) => inv.observe(mdnsResponse(mac, [
      { name: `Acc ${ci}._hap._tcp.local`, type: 'TXT', ttl: 4500, data: '', txt: ['c#=1', `ci=${ci}`, 'sf=0'] },
    ]));
    hap('ca:00:00:00:40:01', '6');
    hap('ca:00:00:00:40:02', '9');
    hap('ca:00:00:00:40:03', '18');
    hap('ca:00:00:00:40:04', '31');
    expect(['01', '02', '03', '04'].map((n) => inv.get(`ca:00:00:00:40:${n}`)!.category)).toEqual(['lock', 'thermostat', 'doorbell', 'tv']);
  });

  it('consoles, TVs, voice assistants and vacuums from host names', () => {
    const inv = new Inventory();
    inv.observe(dhcp({ client_mac: 'ca:00:00:00:41:01', hostname: 'PS5-123' }));
    inv.observe(dhcp({ client_mac: 'ca:00:00:00:41:02', hostname: 'LGwebOSTV' }));
    inv.observe(dhcp({ client_mac: 'ca:00:00:00:41:03', hostname: 'Google-Home-Mini' }));
    inv.observe(dhcp({ client_mac: 'ca:00:00:00:41:04', hostname: 'roborock-vacuum-s5' }));
    expect(['01', '02', '03', '04'].map((n) => inv.get(`ca:00:00:00:41:${n}`)!.category)).toEqual(['game-console', 'tv', 'voice-assistant', 'vacuum']);
  });
});
