// Inventory bookkeeping: keys, addresses, names, what is not a device, bounds.
import { describe, expect, it } from 'vitest';
import { Inventory } from '../../../sensor/inventory/inventory.js';
import { arp, dhcp, dns, httpReq, mdnsResponse, ndp, query } from './ev.js';

const CAM = 'b0:c5:54:25:5b:0e';
const ROUTER = 'aa:aa:aa:aa:aa:01';

describe('Inventory', () => {
  it('creates a device from DHCP with hostname, then binds the ACKed address', () => {
    const inv = new Inventory();
    const seen: string[] = [];
    inv.onChange = (d, c) => seen.push(`${c}:${d.mac}`);
    inv.observe(dhcp({ client_mac: CAM.toUpperCase(), hostname: 'DCS-935L', ts: 10 }));
    inv.observe(dhcp({ client_mac: CAM, op: 'reply', message_type: 'ack', src_mac: ROUTER, yiaddr: '192.168.1.23', routers: ['192.168.1.1'], server_id: '192.168.1.1', ts: 20 }));
    const d = inv.get(CAM)!;
    expect(d.hostname).toBe('DCS-935L');
    expect(d.ips).toEqual(['192.168.1.23']);
    expect(d.first_seen).toBe(10);
    expect(d.last_seen).toBe(20);
    expect(seen[0]).toBe(`new:${CAM}`);
    expect(inv.get(ROUTER)).toBeUndefined();
  });

  it('binds IPv4 from ARP and IPv6 from NDP, moving an address between MACs', () => {
    const inv = new Inventory();
    inv.observe(arp('00:11:22:33:44:55', '192.168.1.5'));
    inv.observe(ndp({ lladdr: '00:11:22:33:44:55', ip: 'fe80::211:22ff:fe33:4455' }));
    inv.observe(arp('00:11:22:33:44:66', '192.168.1.5', 3_000_000));
    expect(inv.get('00:11:22:33:44:55')!.ips).toEqual([]);
    expect(inv.get('00:11:22:33:44:55')!.ipv6).toEqual(['fe80::211:22ff:fe33:4455']);
    expect(inv.get('00:11:22:33:44:66')!.ips).toEqual(['192.168.1.5']);
  });

  it('never makes devices of multicast, broadcast or the sensor\'s own MACs and addresses', () => {
    const inv = new Inventory({ ignoreMacs: ['02-00-00-00-00-09'], ignoreIps: ['192.168.1.2'] });
    inv.observe(arp('ff:ff:ff:ff:ff:ff', '192.168.1.9'));
    inv.observe(arp('01:00:5e:00:00:fb', '192.168.1.9'));
    inv.observe(arp('02:00:00:00:00:09', '192.168.1.9'));
    // The sensor's address behind another MAC (a bridge, the OCI container's veth) makes no device either.
    inv.observe(arp('00:11:22:33:44:99', '192.168.1.2'));
    expect(inv.list()).toEqual([]);
    // ...nor moves to a device that has it listed.
    inv.observe(arp('00:11:22:33:44:98', '192.168.1.8'));
    inv.observe(arp('00:11:22:33:44:98', '192.168.1.2'));
    expect(inv.list().map((d) => d.ips)).toEqual([['192.168.1.8']]);
  });

  it('lists the router that advertises IPv6 routes as a device, marked router', () => {
    const inv = new Inventory();
    inv.observe(ndp({ kind: 'router_advert', mac: '00:00:00:00:00:77', ip: 'fe80::1' }));
    inv.observe(arp('00:00:00:00:00:77', '192.168.1.77'));
    const r = inv.get('00:00:00:00:00:77')!;
    expect(r).toMatchObject({ router: true, category: 'router', ips: ['192.168.1.77'], ipv6: ['fe80::1'] });
    expect(inv.list()).toHaveLength(1);
  });

  it('marks a device later found to be the router (it forwards the Internet), keeps a DHCP-serving plug', () => {
    const inv = new Inventory();
    inv.observe(arp(ROUTER, '192.168.1.1'));
    expect(inv.stats.devices).toBe(1);
    // A DHCP server is evidence only: a plug in setup mode serves DHCP on its own access point.
    inv.observe(dhcp({ client_mac: CAM, op: 'reply', message_type: 'offer', src_mac: ROUTER, src_ip: '192.168.1.1', routers: ['192.168.1.1'] }));
    expect(inv.get(ROUTER)!.evidence.some((e) => /DHCP server/.test(e.detail))).toBe(true);
    // Answers from two Internet addresses arrive with the router's MAC: it is the gateway.
    inv.observe(dns({ src_mac: ROUTER, src_ip: '8.8.8.8', dst_ip: '192.168.1.20', direction: 'inbound', response: true, src_port: 53 }));
    expect(inv.stats.devices).toBe(1);
    inv.observe(dns({ src_mac: ROUTER, src_ip: '1.1.1.1', dst_ip: '192.168.1.20', direction: 'inbound', response: true, src_port: 53 }));
    // Still one device: the router, marked, with its own address only (no Internet address it forwarded).
    expect(inv.stats.devices).toBe(1);
    const changes: string[] = [];
    inv.onChange = (d, c) => changes.push(`${c}:${d.mac}`);
    inv.observe(arp(ROUTER, '192.168.1.1'));
    expect(inv.get(ROUTER)).toMatchObject({ router: true, category: 'router', ips: ['192.168.1.1'] });
    // Forwarded Internet traffic neither binds its remote addresses nor fingerprints the router.
    inv.observe(httpReq(ROUTER, { src_ip: '203.0.113.9', dst_ip: '192.168.1.20', dst_mac: CAM, direction: 'inbound', user_agent: 'Hikvision-Webs' }));
    expect(inv.get(ROUTER)!.ips).toEqual(['192.168.1.1']);
    expect(inv.get(ROUTER)!.category).toBe('router');
    expect(changes.filter((c) => c.endsWith(ROUTER))).toEqual([]);
    // Unicast DNS responses (from the resolver) never make a device of their sender.
    inv.observe(dns({ src_mac: '00:11:22:33:44:55', response: true, direction: 'internal', src_port: 53 }));
    expect(inv.stats.devices).toBe(1);
    const before = inv.stats.devices;
    inv.observe(query('00:11:22:33:44:55', 'www.mydlink.com'));
    expect(inv.stats.devices).toBe(before + 1);
  });

  it('an address moves from device to device and back, past evictions and the per-device cap (bindIp\'s owner index)', () => {
    const inv = new Inventory({ maxDevices: 3 });
    const A = '00:11:22:33:44:0a', B = '00:11:22:33:44:0b', C = '00:11:22:33:44:0c', D = '00:11:22:33:44:0d';
    inv.observe(arp(A, '192.168.1.5', 1000));
    inv.observe(arp(B, '192.168.1.5', 2000));
    inv.observe(arp(A, '192.168.1.5', 3000));
    expect(inv.get(A)!.ips).toEqual(['192.168.1.5']);
    expect(inv.get(B)!.ips).toEqual([]);
    expect(inv.macForIp('192.168.1.5')).toBe(A);
    // A's many addresses: the oldest fall off its list and no longer name it.
    for (let i = 0; i < 40; i++) inv.observe(arp(A, `192.168.2.${i}`, 4000 + i));
    expect(inv.get(A)!.ips).not.toContain('192.168.1.5');
    expect(inv.macForIp('192.168.1.5')).toBeNull();
    // B takes an address of A's; then A is evicted (C and D come): the address stays B's.
    inv.observe(arp(B, '192.168.2.39', 5000));
    expect(inv.get(A)!.ips).not.toContain('192.168.2.39');
    inv.observe(arp(C, '192.168.3.1', 6000));
    inv.observe(arp(B, '192.168.2.39', 6500));
    inv.observe(arp(D, '192.168.3.2', 7000));
    expect(inv.get(A)).toBeUndefined();
    expect(inv.macForIp('192.168.2.39')).toBe(B);
    expect(inv.macForIp('192.168.2.38')).toBeNull();
  });

  it('caps devices, evicts the stalest and counts it', () => {
    const inv = new Inventory({ maxDevices: 3 });
    const evicted: string[] = [];
    inv.onChange = (d, c) => { if (c === 'evicted') evicted.push(d.mac); };
    for (let i = 0; i < 10; i++) {
      inv.observe(arp(`00:11:22:33:44:${i.toString(16).padStart(2, '0')}`, `192.168.1.${i + 10}`, i * 1000));
      // keep the first one fresh: it must survive
      inv.observe(arp('00:11:22:33:44:00', '192.168.1.10', i * 1000 + 1));
    }
    expect(inv.stats).toEqual({ devices: 3, evicted: 7, full: true });
    expect(inv.get('00:11:22:33:44:00')).toBeDefined();
    expect(evicted).toContain('00:11:22:33:44:01');
  });

  it('lists least recently seen first and evicts that one, whatever order the devices came in', () => {
    const inv = new Inventory({ maxDevices: 3 });
    const mac = (i: number) => `00:11:22:33:44:0${i}`;
    const evicted: string[] = [];
    inv.onChange = (d, c) => { if (c === 'evicted') evicted.push(d.mac); };
    for (const i of [1, 2, 3]) inv.observe(arp(mac(i), `192.168.1.${i}`, i));
    inv.observe(arp(mac(2), '192.168.1.2', 10)); // middle one seen again
    inv.observe(arp(mac(1), '192.168.1.1', 11)); // oldest one seen again
    expect(inv.list().map((d) => d.mac)).toEqual([mac(3), mac(2), mac(1)]);
    inv.observe(arp(mac(4), '192.168.1.4', 12));
    expect(evicted).toEqual([mac(3)]);
    expect(inv.list().map((d) => d.mac)).toEqual([mac(2), mac(1), mac(4)]);
    // An upper-case MAC finds the same device (and moves it to the newest end).
    inv.observe(arp(mac(2).toUpperCase(), '192.168.1.2', 13));
    expect(inv.list().map((d) => d.mac)).toEqual([mac(1), mac(4), mac(2)]);
  });

  it('a repeated announcement (matched once) still updates time, address and name', () => {
    const inv = new Inventory();
    const hue = '00:17:88:24:76:ff';
    const ann = (ts: number, src_ip: string, host: string) => ({
      ...mdnsResponse(hue, [
        { name: 'Hue Bridge._hue._tcp.local', type: 'TXT', ttl: 4500, data: '', txt: ['bridgeid=001788fffe2476ff', 'modelid=BSB002'] },
        { name: `${host}.local`, type: 'A', ttl: 120, data: src_ip },
      ], ts),
      src_ip,
    });
    inv.observe(ann(1_000_000, '192.168.1.20', 'hue'));
    const first = inv.get(hue)!;
    inv.observe(ann(2_000_000, '192.168.1.21', 'hue'));
    inv.observe(ann(3_000_000, '192.168.1.21', 'hue-2'));
    const d = inv.get(hue)!;
    expect(d.ips).toEqual(['192.168.1.21', '192.168.1.20']);
    expect(d.last_seen).toBe(3_000_000);
    expect(d.hostname).toBe('hue-2');
    expect(d.evidence).toEqual(first.evidence);
  });

  it('a big announcement (not remembered by signature) still gives its evidence and name, each time', () => {
    const hue = '00:17:88:24:76:ff';
    const padding = Array.from({ length: 40 }, (_, i) => `x${i}=${'y'.repeat(60)}`);
    const big = (ts: number, host: string) => mdnsResponse(hue, [
      { name: 'Hue Bridge._hue._tcp.local', type: 'TXT', ttl: 4500, data: '', txt: ['modelid=BSB002', ...padding] },
      { name: `${host}.local`, type: 'A', ttl: 120, data: '192.168.1.20' },
    ], ts);
    const small = new Inventory();
    small.observe(mdnsResponse(hue, [{ name: 'Hue Bridge._hue._tcp.local', type: 'TXT', ttl: 4500, data: '', txt: ['modelid=BSB002'] }]));
    const inv = new Inventory();
    inv.observe(big(1_000_000, 'hue'));
    inv.observe(big(2_000_000, 'hue-2'));
    const d = inv.get(hue)!;
    expect(d.model).toBe(small.get(hue)!.model);
    expect(d.model).not.toBeNull();
    expect(d.hostname).toBe('hue-2');
    expect(d.last_seen).toBe(2_000_000);
  });

  it('a LAN client calling a device\'s API again keeps both fresh', () => {
    const inv = new Inventory();
    const phone = 'b0:c5:54:00:00:01';
    const plug = 'b0:c5:54:00:00:02';
    const call = (ts: number) => ({
      ...httpReq(phone, { dst_mac: plug, dst_ip: '192.168.1.60', direction: 'internal', uri: '/smartplug.cgi', method: 'POST' }), ts,
    });
    inv.observe(call(1_000_000));
    inv.observe(call(2_000_000));
    expect(inv.get(plug)?.last_seen).toBe(2_000_000);
    expect(inv.get(plug)?.ips).toEqual(['192.168.1.60']);
    expect(inv.get(phone)?.last_seen).toBe(2_000_000);
  });

  it('marks locally administered MACs as private', () => {
    const inv = new Inventory();
    inv.observe(arp('da:a1:19:00:00:01', '192.168.1.60'));
    expect(inv.get('da:a1:19:00:00:01')!.private_mac).toBe(true);
  });
});
