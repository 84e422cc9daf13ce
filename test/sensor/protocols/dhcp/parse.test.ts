// DHCP parser: an annotated hand-written message, real messages compared with tshark, and robustness properties.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseDhcp, DHCP_LIMITS } from '../../../../sensor/protocols/dhcp/parse.js';
import { annotated, bytes, loadFixtures } from '../fixtures/load.js';

const z = (n: number): string => '00'.repeat(n);

// A DHCPREQUEST as a camera would send it, written field by field (RFC 2131 2, RFC 2132).
const REQUEST = annotated(`
  01                # op: BOOTREQUEST
  01 06 00          # htype ethernet, hlen 6, hops 0
  12 34 56 78       # xid
  00 00 80 00       # secs 0, flags: broadcast
  c0 a8 01 17       # ciaddr 192.168.1.23
  00 00 00 00       # yiaddr
  00 00 00 00       # siaddr
  00 00 00 00       # giaddr
  b0 c5 54 aa bb cc ${z(10)}   # chaddr b0:c5:54:aa:bb:cc + 10 bytes padding
  ${z(64)}          # sname
  ${z(128)}         # file
  63 82 53 63       # magic cookie
  35 01 03          # 53 message type: REQUEST
  3d 07 01 b0 c5 54 aa bb cc   # 61 client id: type 1 + MAC
  32 04 c0 a8 01 17 # 50 requested IP 192.168.1.23
  36 04 c0 a8 01 01 # 54 server id 192.168.1.1
  39 02 02 40       # 57 max message size 576
  0c 08 44 43 53 2d 39 33 35 4c   # 12 hostname "DCS-935L"
  3c 0c 75 64 68 63 70 20 31 2e 31 39 2e 34   # 60 vendor class "udhcp 1.19.4"
  51 0e 05 00 00 04 63 61 6d 31 04 68 6f 6d 65 00   # 81 FQDN flags S|E, rcodes, wire name cam1.home
  37 04 01 03 06 0c # 55 parameter request list 1,3,6,12
  00 00             # pad
  ff                # end
  00 00 00          # trailing padding after end: ignored
`);

describe('parseDhcp: annotated request', () => {
  it('decodes every field', () => {
    expect(parseDhcp(REQUEST)).toEqual({
      client_mac: 'b0:c5:54:aa:bb:cc',
      message_type: 'request',
      op: 'request',
      xid: 0x12345678,
      ciaddr: '192.168.1.23',
      yiaddr: '0.0.0.0',
      hostname: 'DCS-935L',
      fqdn: 'cam1.home',
      vendor_class: 'udhcp 1.19.4',
      param_list: [1, 3, 6, 12],
      client_id: '01b0c554aabbcc',
      requested_ip: '192.168.1.23',
      server_id: '192.168.1.1',
      routers: [],
      dns_servers: [],
      lease_time: null,
      max_message_size: 576,
      options: [53, 61, 50, 54, 57, 12, 60, 81, 55],
    });
  });

  it('keeps the options before a truncated option', () => {
    const cut = REQUEST.subarray(0, 240 + 3 + 9 + 3); // cookie..53..61, then 2 of 6 bytes of option 50
    const f = parseDhcp(cut);
    expect(f?.message_type).toBe('request');
    expect(f?.client_id).toBe('01b0c554aabbcc');
    expect(f?.requested_ip).toBeNull();
    expect(f?.options).toEqual([53, 61]);
  });

  it('rejects BOOTP without the magic cookie and bad op codes', () => {
    const noCookie = REQUEST.slice();
    noCookie[236] = 0;
    expect(parseDhcp(noCookie)).toBeNull();
    const badOp = REQUEST.slice();
    badOp[0] = 3;
    expect(parseDhcp(badOp)).toBeNull();
    expect(parseDhcp(REQUEST.subarray(0, 239))).toBeNull();
  });

  it('reads overloaded options from file then sname (RFC 2132 9.3)', () => {
    const m = REQUEST.slice(0, 240 + 7);
    // options area: 53=discover, 52=3 (both), then the end of the options field
    m.set([0x35, 0x01, 0x01, 0x34, 0x01, 0x03, 0xff], 240);
    m.set([0x0c, 0x03, 0x66, 0x6f, 0x6f, 0xff], 108); // file: 12 hostname "foo"
    m.set([0x3c, 0x03, 0x62, 0x61, 0x72, 0xff], 44); // sname: 60 vendor class "bar"
    const f = parseDhcp(m);
    expect(f?.message_type).toBe('discover');
    expect(f?.hostname).toBe('foo');
    expect(f?.vendor_class).toBe('bar');
    expect(f?.options).toEqual([53, 52, 12, 60]);
  });

  it('reads an ASCII (non-wire) FQDN and strips control characters from text', () => {
    const m = REQUEST.slice(0, 240);
    const opts = [0x51, 0x08, 0x01, 0x00, 0x00, 0x70, 0x63, 0x2e, 0x6c, 0x61, // 81 flags S, ascii "pc.la"
      0x0c, 0x05, 0x61, 0x0a, 0x1b, 0x62, 0x7f, 0xff]; // 12 "a\n\x1bb\x7f"
    const full = new Uint8Array(240 + opts.length);
    full.set(m);
    full.set(opts, 240);
    const f = parseDhcp(full);
    expect(f?.fqdn).toBe('pc.la');
    expect(f?.hostname).toBe('ab');
  });
});

describe('parseDhcp: real messages agree with tshark', () => {
  const fixtures = loadFixtures('dhcp');
  it('has fixtures', () => expect(fixtures.length).toBeGreaterThanOrEqual(10));
  for (const fx of fixtures) {
    it(fx.source, () => {
      const f = parseDhcp(bytes(fx.hex));
      expect(f).not.toBeNull();
      if (!f) return;
      const t = fx.tshark;
      const one = (k: string): string | null => t[k]?.[0] ?? null;
      expect(String(['', 'discover', 'offer', 'request', 'decline', 'ack', 'nak', 'release', 'inform'].indexOf(f.message_type ?? ''))).toBe(one('dhcp.option.dhcp'));
      expect(f.options).toEqual((t['dhcp.option.type'] ?? []).map(Number).filter((c) => c !== 0 && c !== 255));
      expect(f.hostname).toBe(one('dhcp.option.hostname'));
      expect(f.vendor_class).toBe(one('dhcp.option.vendor_class_id'));
      expect(f.param_list).toEqual(t['dhcp.option.request_list_item']?.map(Number) ?? null);
      expect(f.fqdn).toBe(one('dhcp.fqdn.name'));
      expect(f.client_mac).toBe(one('dhcp.hw.mac_addr'));
      expect(f.xid).toBe(Number(one('dhcp.id')));
      expect(f.ciaddr).toBe(one('dhcp.ip.client'));
      expect(f.yiaddr).toBe(one('dhcp.ip.your'));
      expect(f.requested_ip).toBe(one('dhcp.option.requested_ip_address'));
      expect(f.server_id).toBe(one('dhcp.option.dhcp_server_id'));
      expect(f.routers).toEqual(t['dhcp.option.router'] ?? []);
      expect(f.dns_servers).toEqual(t['dhcp.option.domain_name_server'] ?? []);
      expect(f.lease_time).toBe(one('dhcp.option.ip_address_lease_time') === null ? null : Number(one('dhcp.option.ip_address_lease_time')));
      expect(f.max_message_size).toBe(one('dhcp.option.dhcp_max_message_size') === null ? null : Number(one('dhcp.option.dhcp_max_message_size')));
    });
  }

  it('Apple hardware claiming "MSFT 5.0" keeps both facts (suricata-verify dhcp-eve-extended-option-60)', () => {
    const fx = fixtures.find((x) => x.source.startsWith('suricata-verify/dhcp-eve-extended-option-60'));
    const f = parseDhcp(bytes(fx!.hex));
    expect(f?.client_mac.startsWith('28:cf:da')).toBe(true); // Apple OUI
    expect(f?.vendor_class).toBe('MSFT 5.0');
    expect(f?.client_id).toBe('0128cfdadc8d76');
  });
});

/** Every result is either null or within the documented bounds. */
function bounded(f: ReturnType<typeof parseDhcp>): boolean {
  if (f === null) return true;
  const texts = [f.hostname, f.fqdn, f.vendor_class];
  return texts.every((s) => s === null || s.length <= DHCP_LIMITS.text)
    && f.options.length <= DHCP_LIMITS.options
    && f.routers.length <= DHCP_LIMITS.addresses
    && f.dns_servers.length <= DHCP_LIMITS.addresses
    && (f.param_list === null || f.param_list.length <= 255)
    && (f.client_id === null || f.client_id.length <= 2 * 255)
    && f.client_mac.length <= 47;
}

describe('parseDhcp: robustness', () => {
  it('random bytes never throw and stay bounded', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), (b) => bounded(parseDhcp(b))), { numRuns: 2000 });
  });
  it('random options after a valid header never throw and stay bounded', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), (opts) => {
      const m = new Uint8Array(240 + opts.length);
      m.set(REQUEST.subarray(0, 240));
      m.set(opts, 240);
      return bounded(parseDhcp(m));
    }), { numRuns: 2000 });
  });
  it('every truncation of every fixture never throws', () => {
    for (const b of [REQUEST, ...loadFixtures('dhcp').map((x) => bytes(x.hex))]) {
      for (let n = 0; n <= b.length; n++) expect(bounded(parseDhcp(b.subarray(0, n)))).toBe(true);
    }
  });
});
