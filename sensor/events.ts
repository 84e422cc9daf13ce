// THE event union: the only contract between the sensor, the inventory, the rules, the store and the UI.
//
// Conventions (stable: rules and exports name these fields):
// - ts is capture time in microseconds since the Unix epoch (packet timestamp, never wall-clock).
// - MAC addresses are lower-case "aa:bb:cc:dd:ee:ff"; null where the link layer carries none
//   (raw IP captures, Linux cooked captures of outgoing packets).
// - IP addresses are text: dotted quad for IPv4, RFC 5952 compressed form for IPv6.
// - direction is seen from the home: "outbound" = local source to a non-local destination,
//   "inbound" = the reverse, "internal" = both local, "external" = neither (transit/spoofed).
// - Strings that come from the network are hostile: bounded in length by the parser, never
//   trusted, always escaped by whoever renders them.

export type Direction = 'outbound' | 'inbound' | 'internal' | 'external';

export interface Endpoints {
  src_mac: string | null;
  dst_mac: string | null;
  src_ip: string;
  dst_ip: string;
  direction: Direction;
}

/** ARP request or reply: binds an IPv4 address to a MAC (RFC 826). */
export interface ArpEvent {
  type: 'arp';
  ts: number;
  op: 'request' | 'reply' | 'other';
  sender_mac: string;
  sender_ip: string;
  target_mac: string;
  target_ip: string;
  /** Gratuitous ARP: sender and target IP are the same (announcement). */
  gratuitous: boolean;
}

/** IPv6 Neighbor Discovery (RFC 4861): binds an IPv6 address to a MAC, marks routers. */
export interface NdpEvent {
  type: 'ndp';
  ts: number;
  kind: 'router_solicit' | 'router_advert' | 'neighbor_solicit' | 'neighbor_advert';
  mac: string | null;
  /** The address the message speaks for: target of NS/NA, source of RS/RA. */
  ip: string;
  src_ip: string;
  /** Link-layer address option (source or target), if present. */
  lladdr: string | null;
  router: boolean;
}

/** One DHCPv4 message (RFC 2131, options RFC 2132). */
export interface DhcpEvent {
  type: 'dhcp';
  ts: number;
  src_mac: string | null;
  /** chaddr: the client's hardware address as the client states it. */
  client_mac: string;
  message_type: 'discover' | 'offer' | 'request' | 'decline' | 'ack' | 'nak' | 'release' | 'inform' | 'other' | null;
  op: 'request' | 'reply';
  xid: number;
  ciaddr: string;
  yiaddr: string;
  src_ip: string;
  dst_ip: string;
  /** Option 12. */
  hostname: string | null;
  /** Option 81 client FQDN, domain name part. */
  fqdn: string | null;
  /** Option 60 vendor class identifier, e.g. "MSFT 5.0", "udhcp 1.19.4", "dhcpcd-6.8.2:Linux...". */
  vendor_class: string | null;
  /** Option 55 parameter request list, in the client's order (the order is the fingerprint). */
  param_list: number[] | null;
  /** Option 61 client identifier as hex. */
  client_id: string | null;
  /** Option 50 requested address. */
  requested_ip: string | null;
  /** Option 54 server identifier. */
  server_id: string | null;
  /** Option 3 routers (in offers/acks). */
  routers: string[];
  /** Option 6 DNS servers (in offers/acks). */
  dns_servers: string[];
  /** Option 51 lease time in seconds. */
  lease_time: number | null;
  /** Option 57 maximum message size. */
  max_message_size: number | null;
  /** All option codes in the order they appear. */
  options: number[];
}

export interface DnsQuestion {
  name: string;
  type: string;
  /** mDNS unicast-response bit (RFC 6762 5.4). */
  qu?: boolean;
}

export interface DnsRecord {
  name: string;
  type: string;
  ttl: number;
  /** A/AAAA: address; PTR/CNAME/NS: target name; SRV: "priority weight port target";
   *  TXT: strings joined by "\u0000"-free " " only for display, see txt. */
  data: string;
  /** TXT records: each character-string, decoded as UTF-8 with replacement. */
  txt?: string[];
  /** SRV records. */
  srv?: { priority: number; weight: number; port: number; target: string };
}

/** A DNS or mDNS message (RFC 1035, RFC 6762/6763). */
export interface DnsEvent extends Endpoints {
  type: 'dns';
  ts: number;
  mdns: boolean;
  /** Link-Local Multicast Name Resolution (RFC 4795, UDP 5355): same wire format as DNS. */
  llmnr: boolean;
  transport: 'udp' | 'tcp';
  src_port: number;
  dst_port: number;
  id: number;
  response: boolean;
  opcode: number;
  rcode: number;
  questions: DnsQuestion[];
  /** Answers, authorities and additionals together (mDNS puts useful records in all three). */
  answers: DnsRecord[];
}

/** A NetBIOS Name Service message (RFC 1002 4.2, UDP 137): Windows and Samba hostnames. */
export interface NetbiosEvent extends Endpoints {
  type: 'netbios';
  ts: number;
  kind: 'query' | 'registration' | 'response' | 'other';
  /** Decoded NetBIOS name, trailing spaces removed, without the suffix byte. */
  name: string;
  /** The 16th byte: 0x00 workstation, 0x20 file server, 0x1c domain controller... */
  suffix: number;
}

/** An SSDP message (UPnP Device Architecture 2.0 section 1). */
export interface SsdpEvent extends Endpoints {
  type: 'ssdp';
  ts: number;
  src_port: number;
  dst_port: number;
  method: 'NOTIFY' | 'M-SEARCH' | 'RESPONSE' | 'OTHER';
  server: string | null;
  user_agent: string | null;
  st: string | null;
  nt: string | null;
  nts: string | null;
  usn: string | null;
  location: string | null;
  /** Other headers, lower-cased names, bounded count. */
  headers: Record<string, string>;
}

/** A TLS ClientHello (RFC 8446 4.1.2), with the inputs of JA3 and JA4. */
export interface TlsClientHelloEvent extends Endpoints {
  type: 'tls_client_hello';
  ts: number;
  src_port: number;
  dst_port: number;
  /** legacy_version from the hello, e.g. 0x0303. */
  version: number;
  /** Highest from supported_versions if present, else legacy_version. */
  max_version: number;
  sni: string | null;
  alpn: string[];
  /** GREASE values (RFC 8701) removed from all lists below. */
  ciphers: number[];
  extensions: number[];
  groups: number[];
  point_formats: number[];
  signature_algorithms: number[];
  /** JA3 string "version,ciphers,extensions,groups,formats" and its MD5. */
  ja3: string;
  ja3_hash: string;
  /** JA4 (FoxIO) fingerprint "t13d1516h2_..." */
  ja4: string;
}

/** The request line and a few headers of an HTTP/1.x request (RFC 9112). */
export interface HttpRequestEvent extends Endpoints {
  type: 'http_request';
  ts: number;
  src_port: number;
  dst_port: number;
  method: string;
  uri: string;
  version: string;
  host: string | null;
  user_agent: string | null;
  /** Printable start of a request body carried in the same segment (bounded, 512), else null: exploit
   *  payloads of POST requests (GPON diag_Form, Huawei HG532 DeviceUpgrade) live here. Added field. */
  body: string | null;
}

/** The status line and Server header of an HTTP/1.x response. */
export interface HttpResponseEvent extends Endpoints {
  type: 'http_response';
  ts: number;
  src_port: number;
  dst_port: number;
  status: number;
  server: string | null;
  content_type: string | null;
}

/** Printable text from the first client or server bytes of a telnet-port session (23, 2323). */
export interface TelnetDataEvent extends Endpoints {
  type: 'telnet_data';
  ts: number;
  src_port: number;
  dst_port: number;
  /** Who sent these bytes: the side that opened the connection ("client") or not. */
  from: 'client' | 'server';
  /** Telnet IAC negotiation removed; printable ASCII kept, other bytes as "\xNN"; bounded. */
  text: string;
  /** The raw first bytes as hex (bounded), for binary handshakes such as Mirai's C2 "00000001". */
  hex: string;
  /** Payload length of this segment. */
  length: number;
}

/**
 * A file seen crossing a connection, recognised by its first bytes, not by its name: the binaries and
 * scripts that IoT droppers fetch (Mirai's loader, Gafgyt's wget chains, TFTP fetches).
 */
export interface FileTransferEvent extends Endpoints {
  type: 'file_transfer';
  ts: number;
  /** The connection (or TFTP exchange): src is the side that opened it. */
  src_port: number;
  dst_port: number;
  /** How the file travelled; 'tcp': a connection no application parser claimed (raw loaders, FTP data). */
  protocol: 'http' | 'ftp' | 'tftp' | 'tcp';
  /** Which side received the file: 'client' (a download, the usual case) or 'server' (an upload). */
  receiver: 'client' | 'server';
  /** HTTP Host of the request, null elsewhere. */
  host: string | null;
  /** HTTP request URI, or the FTP/TFTP file name; null when not known. */
  uri: string | null;
  /** HTTP Content-Type of the response, null elsewhere. */
  content_type: string | null;
  /** What the first bytes are: ELF executable, shell script (#! or download-and-run commands), PE, archive. */
  file_type: 'elf' | 'script' | 'pe' | 'archive' | 'other';
  /** ELF e_machine as a name (arm, aarch64, mips, x86, x86_64, powerpc, powerpc64, sh, sparc, m68k, arc, riscv,
   *  or unknown-N); null when not an ELF. */
  elf_arch: string | null;
  elf_bits: 32 | 64 | null;
  elf_endian: 'little' | 'big' | null;
  /** Download-and-run commands named in a script's first bytes (wget, curl, tftp, ftpget, chmod, busybox, nc...). */
  script_commands: string[];
  /** The first bytes as hex (at most 32 bytes). */
  head_hex: string;
}

/**
 * Printable lines from the first segments of a TCP connection that no other parser claimed, on any
 * port: the text command channels of IRC bots and of Gafgyt/Bashlite/Tsunami-style C2.
 */
export interface TcpTextEvent extends Endpoints {
  type: 'tcp_text';
  ts: number;
  src_port: number;
  dst_port: number;
  /** Who sent these bytes: the side that opened the connection ("client") or not. */
  from: 'client' | 'server';
  /** Printable text, lines joined by "\n", other bytes as "\xNN"; bounded (512). */
  text: string;
  /** IRC commands (RFC 2812 section 3) that start lines of this segment, upper case: NICK, USER, JOIN, PRIVMSG, PING... */
  irc_commands: string[];
  /** Payload length of this segment. */
  length: number;
}

/** A BitTorrent DHT (BEP 5) KRPC message, bencoded over UDP: what Mozi and Hajime use as their P2P network. */
export interface BtDhtEvent extends Endpoints {
  type: 'bt_dht';
  ts: number;
  src_port: number;
  dst_port: number;
  kind: 'query' | 'response' | 'error';
  /** The query name ("q"): ping, find_node, get_peers, announce_peer, or other (bounded text); null for responses. */
  method: string | null;
  /** The sender's node id as hex (20 bytes), if present. */
  node_id: string | null;
}

/** A TFTP read or write request (RFC 1350): the file a device asks for over UDP 69. */
export interface TftpEvent extends Endpoints {
  type: 'tftp';
  ts: number;
  src_port: number;
  dst_port: number;
  op: 'read' | 'write';
  filename: string;
  mode: string;
}

/** An FTP command from the client on the control connection (RFC 959 4.1): USER, PASS, RETR, STOR... */
export interface FtpEvent extends Endpoints {
  type: 'ftp';
  ts: number;
  src_port: number;
  dst_port: number;
  /** Upper case. */
  command: string;
  /** The argument, bounded; PASS arguments are replaced by "***". */
  arg: string;
}

/**
 * A vendor's own LAN discovery message: an app's probe, or a device's reply naming itself (vendor,
 * model, firmware, name). Generic over vendor protocols (Edimax UDP 20560 first; TP-Link Kasa 9999,
 * Tuya 6666/6667 can reuse it). Added event type.
 */
export interface DiscoveryEvent extends Endpoints {
  type: 'discovery';
  ts: number;
  src_port: number;
  dst_port: number;
  /** Which vendor protocol: the room's name, e.g. "edimax". */
  protocol: string;
  /** 'probe': an app looking for devices; 'reply': a device describing itself. */
  kind: 'probe' | 'reply';
  /** Vendor, model, firmware version and device name as the message states them (bounded text), null when absent. */
  vendor: string | null;
  model: string | null;
  firmware: string | null;
  name: string | null;
  /** The device MAC the message itself carries (a reply's own MAC; null when absent or a broadcast address). */
  device_mac: string | null;
}

/** A TCP SYN (without ACK): the start of a connection attempt. Emitted for every SYN seen. */
export interface TcpSynEvent extends Endpoints {
  type: 'tcp_syn';
  ts: number;
  src_port: number;
  dst_port: number;
  seq: number;
  window: number;
  ttl: number;
  /** TCP options length in bytes (0 = no options: Mirai's raw scanner sends none). */
  options_length: number;
  /** Mirai's scanner sets the sequence number to the destination IPv4 address (chance 2^-32). */
  mirai_seq: boolean;
  ecn: boolean;
}

/** A TCP SYN-ACK: a host accepting a connection on dst->src port. */
export interface TcpSynAckEvent extends Endpoints {
  type: 'tcp_synack';
  ts: number;
  src_port: number;
  dst_port: number;
}

/** Zeek-style connection states, computed from the flags seen each way. */
export type ConnState =
  | 'S0'   // SYN seen, no reply
  | 'S1'   // established, not closed
  | 'SF'   // normal establish and close
  | 'REJ'  // SYN answered by RST
  | 'RSTO' // established, originator reset
  | 'RSTR' // established, responder reset
  | 'SH'   // originator SYN then FIN, no SYN-ACK
  | 'OTH'; // no SYN seen (mid-stream) or UDP/ICMP/other

/** A finished (closed, idle-expired, evicted or end-of-capture) flow. */
export interface ConnEvent extends Endpoints {
  type: 'conn';
  /** First packet of the flow. */
  ts: number;
  /** Last packet of the flow. */
  end_ts: number;
  proto: 'tcp' | 'udp' | 'icmp' | 'icmpv6' | 'other';
  ip_proto: number;
  src_port: number;
  dst_port: number;
  state: ConnState;
  orig_pkts: number;
  orig_bytes: number;
  resp_pkts: number;
  resp_bytes: number;
  /** Why the flow ended. */
  reason: 'closed' | 'idle' | 'evicted' | 'end';
}

/**
 * Per-device traffic counters for one interval of capture time (one second by default):
 * what floods and sweeps are detected from, without the rules seeing every packet.
 * Keyed by the local device (MAC) that sent (out_*) or received (in_*) the packets.
 */
export interface TrafficEvent {
  type: 'traffic';
  ts: number;
  /** Interval length in microseconds. */
  interval: number;
  mac: string | null;
  ip: string | null;
  out_pkts: number;
  out_bytes: number;
  out_tcp_syn: number;
  /** TCP segments whose only flag is ACK (no SYN/FIN/RST/PSH), bare or carrying data, to non-local hosts:
   *  Mirai's ACK flood sends them with 512 random bytes to random ports. */
  out_tcp_ack_only: number;
  out_udp: number;
  /** UDP datagrams with exactly 512 payload bytes (Mirai's default UDP flood size). */
  out_udp_512: number;
  out_gre: number;
  out_icmp_echo: number;
  /** UDP datagrams carrying the Source engine query (FF FF FF FF "TSource Engine Query"): Mirai's VSE flood. */
  out_udp_vse: number;
  /** Distinct destinations of those queries (a server browser asks hundreds of servers, a flood one). */
  out_udp_vse_dst: number;
  /** Distinct destination addresses this interval (exact up to a cap, then saturates). */
  out_distinct_dst: number;
  /** Distinct destination ports this interval (exact up to a cap). */
  out_distinct_dport: number;
  in_pkts: number;
  in_bytes: number;
  in_tcp_syn: number;
  in_udp: number;
  /** Distinct source addresses of inbound packets (spoofed floods show many). */
  in_distinct_src: number;
}

/** Sensor health and counters, emitted periodically and at the end of a capture. */
export interface SensorStatsEvent {
  type: 'sensor_stats';
  ts: number;
  packets: number;
  bytes: number;
  malformed: number;
  /** Packets whose link type we do not decode. */
  unsupported_link: number;
  ip_fragments: number;
  /** Kernel/libpcap drops, where the source reports them. */
  dropped: number | null;
  flows_active: number;
  flows_evicted: number;
  /** Names of bounded tables that are full (pressure warnings). */
  tables_full: string[];
  /** Packets decoded from inside a tunnel (GRE, ERSPAN, VXLAN, IP-in-IP). Added field: absent in events of older sensors. */
  tunneled?: number;
  /** Tunneled packets nesting more encapsulations than the decoder unwraps (left wrapped, not an error). */
  tunnel_too_deep?: number;
}

export type WaakhondEvent =
  | ArpEvent
  | NdpEvent
  | DhcpEvent
  | DnsEvent
  | SsdpEvent
  | NetbiosEvent
  | TlsClientHelloEvent
  | HttpRequestEvent
  | HttpResponseEvent
  | TelnetDataEvent
  | FileTransferEvent
  | TcpTextEvent
  | BtDhtEvent
  | TftpEvent
  | FtpEvent
  | DiscoveryEvent
  | TcpSynEvent
  | TcpSynAckEvent
  | ConnEvent
  | TrafficEvent
  | SensorStatsEvent;

export type EventType = WaakhondEvent['type'];

export const EVENT_TYPES: readonly EventType[] = [
  'arp', 'ndp', 'dhcp', 'dns', 'netbios', 'ssdp', 'tls_client_hello', 'http_request', 'http_response',
  'telnet_data', 'file_transfer', 'tcp_text', 'bt_dht', 'tftp', 'ftp', 'discovery', 'tcp_syn', 'tcp_synack', 'conn', 'traffic', 'sensor_stats',
];

/** Anything that consumes the event stream (inventory, rule engine, store, exports). */
export type EventSink = (event: WaakhondEvent) => void;
