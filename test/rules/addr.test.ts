// Address predicates used by rule conditions: IPv4/IPv6 parsing, CIDR, private, multicast, public.
import { describe, expect, it } from 'vitest';
import { inCidrs, ipv4ToInt, ipv6ToGroups, isMulticast, isPrivate, isPublic, parseCidr } from '../../rules/engine/addr.js';
import { HyperLogLog } from '../../rules/engine/counters.js';
import { baseDomain } from '../../rules/engine/fields.js';

describe('addresses', () => {
  it('parses IPv4 strictly', () => {
    expect(ipv4ToInt('192.168.1.1')).toBe(0xc0a80101);
    expect(ipv4ToInt('255.255.255.255')).toBe(0xffffffff);
    for (const bad of ['1.2.3', '1.2.3.4.5', '256.1.1.1', '1..2.3', 'a.b.c.d', '', '1.2.3.4 ']) expect(ipv4ToInt(bad)).toBe(-1);
  });
  it('parses IPv6 forms', () => {
    expect(ipv6ToGroups('::1')).toEqual([0, 0, 0, 0, 0, 0, 0, 1]);
    expect(ipv6ToGroups('fe80::1%eth0')).toEqual([0xfe80, 0, 0, 0, 0, 0, 0, 1]);
    expect(ipv6ToGroups('::ffff:192.168.1.1')).toEqual([0, 0, 0, 0, 0, 0xffff, 0xc0a8, 0x101]);
    expect(ipv6ToGroups('1:2:3:4:5:6:7:8')).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    for (const bad of ['1::2::3', '12345::', '1:2:3:4:5:6:7:8:9', 'g::1', '1.2.3.4']) expect(ipv6ToGroups(bad)).toBeNull();
  });
  it('matches CIDRs of both families', () => {
    const c = [parseCidr('10.0.0.0/8')!, parseCidr('2001:db8::/32')!, parseCidr('192.0.2.7')!];
    expect(inCidrs('10.200.3.4', c)).toBe(true);
    expect(inCidrs('11.0.0.1', c)).toBe(false);
    expect(inCidrs('192.0.2.7', c)).toBe(true);
    expect(inCidrs('192.0.2.8', c)).toBe(false);
    expect(inCidrs('2001:db8:ffff::1', c)).toBe(true);
    expect(inCidrs('2001:db9::1', c)).toBe(false);
    expect(parseCidr('10.0.0.0/33')).toBeNull();
    expect(parseCidr('::/129')).toBeNull();
  });
  it('classifies addresses', () => {
    expect(isPrivate('172.31.255.1')).toBe(true);
    expect(isPrivate('172.32.0.1')).toBe(false);
    expect(isPrivate('100.64.1.1')).toBe(true); // RFC 6598 CGNAT
    expect(isPrivate('fd12::1')).toBe(true);
    expect(isMulticast('239.255.255.250')).toBe(true);
    expect(isMulticast('ff02::fb')).toBe(true);
    expect(isPublic('8.8.8.8')).toBe(true);
    expect(isPublic('2a00:1450:4001::1')).toBe(true);
    for (const no of ['192.168.1.1', '224.0.0.251', '0.1.2.3', '198.18.0.1', '203.0.113.9', '240.0.0.1', '127.0.0.1', 'fe80::1', 'nonsense']) {
      expect(isPublic(no), no).toBe(false);
    }
  });
  it('finds registered domains', () => {
    expect(baseDomain('abcdefghijkl.victim-shop.nl')).toBe('victim-shop.nl');
    expect(baseDomain('x.y.example.co.uk')).toBe('example.co.uk');
    expect(baseDomain('example.com.')).toBe('example.com');
    expect(baseDomain('localhost')).toBe('localhost');
  });
});

describe('HyperLogLog', () => {
  it('estimates within a few percent across magnitudes', () => {
    for (const n of [100, 1000, 10_000, 200_000]) {
      const h = new HyperLogLog();
      for (let i = 0; i < n; i++) h.add(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}:${i}`);
      expect(Math.abs(h.estimate() - n) / n, `n=${n}`).toBeLessThan(0.1);
    }
  });
  it('counts numbers (ports) without turning them into strings', () => {
    for (const n of [500, 50_000]) {
      const h = new HyperLogLog();
      for (let i = 0; i < n; i++) h.add(i);
      expect(Math.abs(h.estimate() - n) / n, `n=${n}`).toBeLessThan(0.1);
    }
  });
  it('merge is a union', () => {
    const a = new HyperLogLog();
    const b = new HyperLogLog();
    for (let i = 0; i < 5000; i++) a.add(`a${i}`);
    for (let i = 2500; i < 7500; i++) b.add(`a${i}`);
    a.merge(b);
    expect(Math.abs(a.estimate() - 7500) / 7500).toBeLessThan(0.1);
  });
});
