// The fields a rule may name for each event type: real fields of sensor/events.ts plus a few derived ones.
import type { EventType, WaakhondEvent } from '../../sensor/events.js';

const ENDPOINTS = ['src_mac', 'dst_mac', 'src_ip', 'dst_ip', 'direction'];
const PORTS = ['src_port', 'dst_port'];

/** Real fields per event type (kept in step with sensor/events.ts; a rule naming another field is refused). */
export const EVENT_FIELDS: Record<EventType | 'alert', readonly string[]> = {
  arp: ['op', 'sender_mac', 'sender_ip', 'target_mac', 'target_ip', 'gratuitous'],
  ndp: ['kind', 'mac', 'ip', 'src_ip', 'lladdr', 'router'],
  dhcp: ['src_mac', 'client_mac', 'message_type', 'op', 'xid', 'ciaddr', 'yiaddr', 'src_ip', 'dst_ip', 'hostname', 'fqdn',
    'vendor_class', 'client_id', 'requested_ip', 'server_id', 'lease_time', 'max_message_size'],
  dns: [...ENDPOINTS, ...PORTS, 'mdns', 'llmnr', 'transport', 'id', 'response', 'opcode', 'rcode'],
  netbios: [...ENDPOINTS, 'kind', 'name', 'suffix'],
  ssdp: [...ENDPOINTS, ...PORTS, 'method', 'server', 'user_agent', 'st', 'nt', 'nts', 'usn', 'location'],
  tls_client_hello: [...ENDPOINTS, ...PORTS, 'version', 'max_version', 'sni', 'ja3', 'ja3_hash', 'ja4'],
  http_request: [...ENDPOINTS, ...PORTS, 'method', 'uri', 'version', 'host', 'user_agent', 'body'],
  http_response: [...ENDPOINTS, ...PORTS, 'status', 'server', 'content_type'],
  telnet_data: [...ENDPOINTS, ...PORTS, 'from', 'text', 'hex', 'length'],
  file_transfer: [...ENDPOINTS, ...PORTS, 'protocol', 'receiver', 'host', 'uri', 'content_type', 'file_type', 'elf_arch',
    'elf_bits', 'elf_endian', 'script_commands', 'head_hex'],
  tcp_text: [...ENDPOINTS, ...PORTS, 'from', 'text', 'irc_commands', 'length'],
  bt_dht: [...ENDPOINTS, ...PORTS, 'kind', 'method', 'node_id'],
  tftp: [...ENDPOINTS, ...PORTS, 'op', 'filename', 'mode'],
  ftp: [...ENDPOINTS, ...PORTS, 'command', 'arg'],
  discovery: [...ENDPOINTS, ...PORTS, 'protocol', 'kind', 'vendor', 'model', 'firmware', 'name', 'device_mac'],
  tcp_syn: [...ENDPOINTS, ...PORTS, 'seq', 'window', 'ttl', 'options_length', 'mirai_seq', 'ecn'],
  tcp_synack: [...ENDPOINTS, ...PORTS],
  conn: [...ENDPOINTS, ...PORTS, 'end_ts', 'proto', 'ip_proto', 'state', 'orig_pkts', 'orig_bytes', 'resp_pkts',
    'resp_bytes', 'reason'],
  traffic: ['interval', 'mac', 'ip', 'out_pkts', 'out_bytes', 'out_tcp_syn', 'out_tcp_ack_only', 'out_udp', 'out_udp_512',
    'out_gre', 'out_icmp_echo', 'out_udp_vse', 'out_udp_vse_dst', 'out_distinct_dst', 'out_distinct_dport', 'in_pkts', 'in_bytes', 'in_tcp_syn', 'in_udp',
    'in_distinct_src'],
  sensor_stats: ['packets', 'bytes', 'malformed', 'unsupported_link', 'ip_fragments', 'dropped', 'flows_active',
    'flows_evicted', 'tunneled', 'tunnel_too_deep'],
  /** The engine's own pseudo-event: an alert raised by another rule (for sequences). */
  alert: ['rule', 'severity', 'device'],
};

/** Derived fields, computed by the engine; the event types they exist for. */
export const DERIVED_FIELDS: Record<string, { events: readonly string[] | 'all'; doc: string }> = {
  device: { events: 'all', doc: 'the home device (MAC; the local IP when the capture has no MACs)' },
  remote_ip: { events: ['dns', 'netbios', 'ssdp', 'tls_client_hello', 'http_request', 'http_response', 'telnet_data', 'file_transfer', 'tcp_text', 'bt_dht', 'tftp', 'ftp', 'discovery', 'tcp_syn', 'tcp_synack', 'conn'], doc: 'the non-home side of the packet' },
  local_ip: { events: ['dns', 'netbios', 'ssdp', 'tls_client_hello', 'http_request', 'http_response', 'telnet_data', 'file_transfer', 'tcp_text', 'bt_dht', 'tftp', 'ftp', 'discovery', 'tcp_syn', 'tcp_synack', 'conn', 'traffic'], doc: 'the home side' },
  qname: { events: ['dns'], doc: 'first question name, lower case' },
  qname_base: { events: ['dns'], doc: 'registered domain of qname (last two labels, three under co.uk-style suffixes)' },
  qname_label: { events: ['dns'], doc: 'first label of qname' },
  dhcp_dns: { events: ['dns'], doc: "'assigned' if dst_ip is a resolver or router DHCP gave this device, 'not_assigned' if DHCP said otherwise, 'unknown' without a DHCP lease" },
  duration_s: { events: ['conn'], doc: 'end_ts - ts in seconds' },
};

export function fieldKnown(event: string, field: string): boolean {
  const real = EVENT_FIELDS[event as EventType | 'alert'];
  if (real?.includes(field)) return true;
  const d = DERIVED_FIELDS[field];
  return !!d && (d.events === 'all' || d.events.includes(event));
}

/** The engine's pseudo-event for alerts feeding sequences. */
export interface AlertPseudoEvent {
  type: 'alert';
  ts: number;
  rule: string;
  severity: string;
  device: string | null;
}

export type EngineEvent = WaakhondEvent | AlertPseudoEvent;

const SHORT_SLD = new Set(['co', 'com', 'net', 'org', 'gov', 'ac', 'edu', 'or', 'ne', 'go']);

/** Registered domain, roughly: "a.b.example.com" -> "example.com", "x.example.co.uk" -> "example.co.uk". */
export function baseDomain(name: string): string {
  let end = name.length;
  if (end && name.charCodeAt(end - 1) === 46) end--;
  const d1 = name.lastIndexOf('.', end - 1);
  if (d1 < 0) return name.slice(0, end);
  const d2 = name.lastIndexOf('.', d1 - 1);
  if (d2 < 0) return name.slice(0, end);
  const tldLen = end - d1 - 1;
  const sld = name.slice(d2 + 1, d1);
  if (tldLen === 2 && SHORT_SLD.has(sld)) {
    const d3 = name.lastIndexOf('.', d2 - 1);
    return name.slice(d3 + 1, end);
  }
  return name.slice(d2 + 1, end);
}
