// Active mDNS browse (RFC 6763 9): ask for the service types on the link, then for each type's instances.
import dnsPacket from 'dns-packet';
import makeMdns from 'multicast-dns';
import type { DnsEvent } from '../events.js';
import { parseDns } from '../protocols/dns/parse.js';

export interface MdnsBrowseOptions {
  /** How long to listen after the last query, ms. */
  listenMs?: number;
  /** At most this many service types are browsed per round (a hostile device may announce thousands). */
  maxTypes?: number;
  /** Interface address for multicast membership; default all. The socket binds 0.0.0.0 (RFC 6762 needs it). */
  interfaceAddress?: string;
  /** Our own addresses: replies from them are ignored. */
  ownAddresses?: string[];
  /** Capture clock for events, microseconds. */
  nowUs?: () => number;
}

export const SERVICES_META = '_services._dns-sd._udp.local';

/**
 * One browse round: query the meta-service, then each advertised type; every response becomes a
 * DnsEvent (src_mac null: the caller fills it from the inventory's address bindings).
 */
export async function mdnsBrowse(opts: MdnsBrowseOptions = {}, onEvent: (e: DnsEvent) => void = () => {}): Promise<{ events: DnsEvent[]; types: string[] }> {
  const listenMs = opts.listenMs ?? 1500;
  const maxTypes = opts.maxTypes ?? 32;
  const own = new Set(opts.ownAddresses ?? []);
  const now = opts.nowUs ?? (() => Date.now() * 1000);
  // bind 0.0.0.0: bound to a unicast address the socket receives no multicast at all.
  const mdns = makeMdns({ bind: '0.0.0.0', interface: opts.interfaceAddress, loopback: false, ttl: 255 });
  const events: DnsEvent[] = [];
  const types = new Set<string>();
  const asked = new Set<string>();
  let error: Error | null = null;
  mdns.on('error', (err: Error) => { error = err; });
  mdns.on('response', (packet: dnsPacket.Packet, rinfo: { address: string; port: number }) => {
    if (own.has(rinfo.address)) return;
    let buf: Buffer;
    try {
      buf = dnsPacket.encode(packet);
    } catch {
      return;
    }
    // Re-parsed by the sensor's own bounded parser, so discovery events look exactly like captured ones.
    const d = parseDns(buf);
    if (!d) return;
    const e: DnsEvent = {
      type: 'dns', ts: now(), src_mac: null, dst_mac: null, src_ip: rinfo.address, dst_ip: '224.0.0.251',
      direction: 'internal', mdns: true, llmnr: false, transport: 'udp', src_port: rinfo.port, dst_port: 5353, ...d,
    };
    events.push(e);
    onEvent(e);
    for (const r of d.answers) {
      if (r.type === 'PTR' && /^_services\._dns-sd\._udp\.local\.?$/i.test(r.name)) {
        const t = r.data.replace(/\.$/, '').toLowerCase();
        if (/^_[a-z0-9-]{1,40}\._(tcp|udp)\.local$/.test(t) && types.size < maxTypes) types.add(t);
      }
    }
  });
  const query = (name: string) => new Promise<void>((resolve) => {
    asked.add(name);
    mdns.query({ questions: [{ name, type: 'PTR' }] }, () => resolve());
  });
  const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
  try {
    await query(SERVICES_META);
    await wait(listenMs);
    for (const t of [...types]) if (!asked.has(t)) await query(t);
    if (asked.size > 1) await wait(listenMs);
  } finally {
    await new Promise<void>((r) => mdns.destroy(() => r()));
  }
  if (error && !events.length) throw error;
  return { events, types: [...types] };
}
