// Where the daemon listens: LAN side only, never a public or carrier-grade NAT address.
import type { NetworkInterfaceInfo } from 'node:os';
import { describe, expect, it } from 'vitest';
import { chooseBind, isRfc1918 } from '../../../ui/server/bind.js';

const v4 = (address: string, internal = false): NetworkInterfaceInfo => ({ address, family: 'IPv4', internal, netmask: '255.255.255.0', mac: '02:00:00:00:00:01', cidr: `${address}/24` });
const v6 = (address: string): NetworkInterfaceInfo => ({ address, family: 'IPv6', internal: false, netmask: 'ffff:ffff:ffff:ffff::', mac: '02:00:00:00:00:01', cidr: `${address}/64`, scopeid: 0 });

describe('chooseBind', () => {
  const router = { lo: [v4('127.0.0.1', true)], wan: [v4('84.12.3.4'), v6('2a02:1::1')], 'br-lan': [v4('192.168.1.1')], eth9: [v4('10.9.9.9')] };

  it('--host wins', () => {
    expect(chooseBind({ host: '0.0.0.0', iface: null, demo: false }, router).host).toBe('0.0.0.0');
  });
  it('prefers the capture interface, then br-lan, then any RFC 1918 address', () => {
    expect(chooseBind({ host: null, iface: 'eth9', demo: false }, router).host).toBe('10.9.9.9');
    expect(chooseBind({ host: null, iface: null, demo: false }, router).host).toBe('192.168.1.1');
    expect(chooseBind({ host: null, iface: null, demo: false }, { wan: [v4('84.12.3.4')], eth0: [v4('172.20.0.5')] }).host).toBe('172.20.0.5');
  });
  it('never picks a public or CGNAT address: loopback instead', () => {
    expect(chooseBind({ host: null, iface: 'wan', demo: false }, router).host).toBe('127.0.0.1');
    expect(chooseBind({ host: null, iface: null, demo: false }, { wan: [v4('100.64.1.2')], lo: [v4('127.0.0.1', true)] }).host).toBe('127.0.0.1');
  });
  it('the demo listens on loopback', () => {
    expect(chooseBind({ host: null, iface: null, demo: true }, router).host).toBe('127.0.0.1');
  });
  it('RFC 1918 ranges', () => {
    for (const ip of ['10.0.0.1', '172.16.0.1', '172.31.255.1', '192.168.0.1']) expect(isRfc1918(ip), ip).toBe(true);
    for (const ip of ['172.15.0.1', '172.32.0.1', '100.64.0.1', '8.8.8.8', '192.169.0.1', 'fd00::1']) expect(isRfc1918(ip), ip).toBe(false);
  });
});
