// Active SSDP search (UPnP Device Architecture 2.0, 1.3.2): one M-SEARCH, the unicast answers as SsdpEvents.
import dgram from 'node:dgram';
import type { SsdpEvent } from '../events.js';
import { parseSsdp } from '../protocols/ssdp/parse.js';

export const SSDP_GROUP = '239.255.255.250';
export const SSDP_PORT = 1900;

export interface SsdpSearchOptions {
  /** MX: devices answer within this many seconds (UDA 1.3.2: 1..5). */
  mx?: number;
  /** Listen this long, ms (default mx + 0.5 s). */
  listenMs?: number;
  /** Answers kept at most per round. */
  maxResponses?: number;
  /** Interface address to send the search from; default the system's choice. */
  interfaceAddress?: string;
  nowUs?: () => number;
}

export async function ssdpSearch(opts: SsdpSearchOptions = {}, onEvent: (e: SsdpEvent) => void = () => {}): Promise<SsdpEvent[]> {
  const mx = Math.min(5, Math.max(1, opts.mx ?? 1));
  const listenMs = opts.listenMs ?? mx * 1000 + 500;
  const max = opts.maxResponses ?? 256;
  const now = opts.nowUs ?? (() => Date.now() * 1000);
  const sock = dgram.createSocket({ type: 'udp4', reuseAddr: true });
  const events: SsdpEvent[] = [];
  const msg = Buffer.from(
    `M-SEARCH * HTTP/1.1\r\nHOST: ${SSDP_GROUP}:${SSDP_PORT}\r\nMAN: "ssdp:discover"\r\nMX: ${mx}\r\nST: ssdp:all\r\nUSER-AGENT: Linux UPnP/2.0 Waakhond/0.1\r\n\r\n`,
  );
  try {
    await new Promise<void>((resolve, reject) => {
      sock.once('error', reject);
      sock.bind(0, opts.interfaceAddress, () => { sock.off('error', reject); resolve(); });
    });
    // UDA 1.3.2: TTL 2 by default; 1 keeps the search on the home link.
    sock.setMulticastTTL(1);
    if (opts.interfaceAddress) sock.setMulticastInterface(opts.interfaceAddress);
    sock.on('message', (buf, rinfo) => {
      if (events.length >= max) return;
      const f = parseSsdp(buf);
      if (!f || f.method !== 'RESPONSE') return;
      const e: SsdpEvent = {
        type: 'ssdp', ts: now(), src_mac: null, dst_mac: null, src_ip: rinfo.address, dst_ip: opts.interfaceAddress ?? '0.0.0.0',
        direction: 'internal', src_port: rinfo.port, dst_port: (sock.address() as { port: number }).port, ...f,
      };
      events.push(e);
      onEvent(e);
    });
    sock.on('error', () => { /* a send error ends this round early; the next round tries again */ });
    await new Promise<void>((resolve) => sock.send(msg, SSDP_PORT, SSDP_GROUP, () => resolve()));
    await new Promise((r) => setTimeout(r, listenMs));
  } finally {
    sock.close();
  }
  return events;
}
