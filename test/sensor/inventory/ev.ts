// Hand-built events for inventory tests, with the exact shapes of sensor/events.ts.
import type { ArpEvent, DhcpEvent, DnsEvent, DnsRecord, SsdpEvent, TlsClientHelloEvent, HttpRequestEvent, HttpResponseEvent, NdpEvent } from '../../../sensor/events.js';

export function dhcp(p: Partial<DhcpEvent> & { client_mac: string }): DhcpEvent {
  return {
    type: 'dhcp', ts: 1_000_000, src_mac: p.client_mac, message_type: 'request', op: 'request', xid: 1,
    ciaddr: '0.0.0.0', yiaddr: '0.0.0.0', src_ip: '0.0.0.0', dst_ip: '255.255.255.255', hostname: null, fqdn: null,
    vendor_class: null, param_list: null, client_id: null, requested_ip: null, server_id: null, routers: [],
    dns_servers: [], lease_time: null, max_message_size: null, options: [], ...p,
  };
}

export function arp(sender_mac: string, sender_ip: string, ts = 2_000_000): ArpEvent {
  return { type: 'arp', ts, op: 'request', sender_mac, sender_ip, target_mac: '00:00:00:00:00:00', target_ip: '192.168.1.1', gratuitous: false };
}

export function ndp(p: Partial<NdpEvent>): NdpEvent {
  return { type: 'ndp', ts: 3_000_000, kind: 'neighbor_advert', mac: null, ip: 'fe80::1', src_ip: 'fe80::1', lladdr: null, router: false, ...p };
}

export function dns(p: Partial<DnsEvent> & { src_mac: string }): DnsEvent {
  return {
    type: 'dns', ts: 4_000_000, dst_mac: '01:00:5e:00:00:fb', src_ip: '192.168.1.20', dst_ip: '224.0.0.251',
    direction: 'internal', mdns: false, llmnr: false, transport: 'udp', src_port: 5353, dst_port: 5353, id: 0,
    response: false, opcode: 0, rcode: 0, questions: [], answers: [], ...p,
  };
}

export function query(src_mac: string, name: string, ts = 4_000_000): DnsEvent {
  return dns({ src_mac, ts, dst_mac: 'aa:aa:aa:aa:aa:01', dst_ip: '192.168.1.1', direction: 'outbound', src_port: 40000, dst_port: 53, questions: [{ name, type: 'A' }] });
}

export function mdnsResponse(src_mac: string, answers: DnsRecord[], ts = 4_000_000): DnsEvent {
  return dns({ src_mac, ts, mdns: true, response: true, answers });
}

export function ssdp(p: Partial<SsdpEvent> & { src_mac: string }): SsdpEvent {
  return {
    type: 'ssdp', ts: 5_000_000, dst_mac: '01:00:5e:7f:ff:fa', src_ip: '192.168.1.30', dst_ip: '239.255.255.250',
    direction: 'internal', src_port: 1900, dst_port: 1900, method: 'NOTIFY', server: null, user_agent: null, st: null,
    nt: null, nts: 'ssdp:alive', usn: null, location: null, headers: {}, ...p,
  };
}

export function tls(src_mac: string, sni: string, ts = 6_000_000): TlsClientHelloEvent {
  return {
    type: 'tls_client_hello', ts, src_mac, dst_mac: 'aa:aa:aa:aa:aa:01', src_ip: '192.168.1.40', dst_ip: '52.1.2.3',
    direction: 'outbound', src_port: 50000, dst_port: 443, version: 0x0303, max_version: 0x0303, sni, alpn: [],
    ciphers: [], extensions: [], groups: [], point_formats: [], signature_algorithms: [], ja3: '', ja3_hash: '', ja4: '',
  };
}

export function httpReq(src_mac: string, p: Partial<HttpRequestEvent>): HttpRequestEvent {
  return {
    type: 'http_request', ts: 7_000_000, src_mac, dst_mac: 'aa:aa:aa:aa:aa:01', src_ip: '192.168.1.50', dst_ip: '52.1.2.3',
    direction: 'outbound', src_port: 50001, dst_port: 80, method: 'GET', uri: '/', version: 'HTTP/1.1', host: null,
    user_agent: null, body: null, ...p,
  } as HttpRequestEvent;
}

export function httpResp(src_mac: string, p: Partial<HttpResponseEvent>): HttpResponseEvent {
  return {
    type: 'http_response', ts: 7_000_000, src_mac, dst_mac: 'aa:aa:aa:aa:aa:02', src_ip: '192.168.1.50', dst_ip: '192.168.1.2',
    direction: 'internal', src_port: 80, dst_port: 50002, status: 200, server: null, content_type: null, ...p,
  };
}
