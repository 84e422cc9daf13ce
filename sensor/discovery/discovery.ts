// Active discovery: mDNS browse and SSDP search now and then, results fed back as events and UPnP evidence.
import type { WaakhondEvent } from '../events.js';
import type { UpnpDescription } from '../inventory/inventory.js';
import { mdnsBrowse } from './mdns.js';
import { ssdpSearch } from './ssdp.js';
import { fetchDescription } from './upnp.js';

export interface DiscoveryOptions {
  /** Seconds between rounds (default 15 min; on by default on a live interface, off for files). */
  intervalS?: number;
  /** True for home LAN addresses (the pipeline's localNets test). */
  isLocal: (ip: string) => boolean;
  /** MAC behind a LAN address (the inventory's ARP/DHCP/NDP bindings), to key results by device. */
  resolveMac: (ip: string) => string | null;
  /** Discovered packets, shaped like captured ones (dns, ssdp). */
  onEvent: (e: WaakhondEvent) => void;
  /** A fetched UPnP description of the device at ip. */
  onUpnp: (ip: string, d: UpnpDescription, ts: number) => void;
  /** Interface address to search from; our own addresses are ignored as answers. */
  interfaceAddress?: string;
  ownAddresses?: string[];
  /** UPnP fetch limits. */
  fetchTimeoutMs?: number;
  maxDescriptionBytes?: number;
  /** Descriptions fetched per round at most. */
  maxFetches?: number;
  mdnsListenMs?: number;
  ssdpMx?: number;
  log?: (msg: string) => void;
}

export interface DiscoveryStats {
  rounds: number;
  mdns_responses: number;
  ssdp_responses: number;
  descriptions: number;
  refused: number;
  errors: number;
  last_error: string | null;
}

export class Discovery {
  readonly stats: DiscoveryStats = { rounds: 0, mdns_responses: 0, ssdp_responses: 0, descriptions: 0, refused: 0, errors: 0, last_error: null };
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  /** LOCATION URLs already fetched (bounded), so a chatty device is not fetched every round. */
  private readonly fetched = new Map<string, number>();

  constructor(private readonly opts: DiscoveryOptions) {}

  start(): void {
    if (this.timer) return;
    void this.round();
    this.timer = setInterval(() => void this.round(), (this.opts.intervalS ?? 900) * 1000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** One round; concurrent calls share it. */
  round(): Promise<void> {
    this.running ??= this.doRound().finally(() => { this.running = null; });
    return this.running;
  }

  private withMac<T extends { src_mac: string | null; src_ip: string }>(e: T): T {
    return { ...e, src_mac: e.src_mac ?? this.opts.resolveMac(e.src_ip) };
  }

  private async doRound(): Promise<void> {
    const o = this.opts;
    this.stats.rounds++;
    const fail = (what: string, err: unknown) => {
      this.stats.errors++;
      this.stats.last_error = `${what}: ${(err as Error).message}`;
      o.log?.(`discovery: ${this.stats.last_error}`);
    };
    try {
      await mdnsBrowse({ listenMs: o.mdnsListenMs, interfaceAddress: o.interfaceAddress, ownAddresses: o.ownAddresses }, (e) => {
        if (!o.isLocal(e.src_ip)) return;
        this.stats.mdns_responses++;
        o.onEvent(this.withMac(e));
      });
    } catch (err) {
      fail('mDNS', err);
    }
    const locations = new Map<string, string>();
    try {
      await ssdpSearch({ mx: o.ssdpMx, interfaceAddress: o.interfaceAddress }, (e) => {
        if (!o.isLocal(e.src_ip) || o.ownAddresses?.includes(e.src_ip)) return;
        this.stats.ssdp_responses++;
        o.onEvent(this.withMac(e));
        if (e.location && locations.size < (o.maxFetches ?? 32)) locations.set(e.location, e.src_ip);
      });
    } catch (err) {
      fail('SSDP', err);
    }
    for (const [location, ip] of locations) {
      if (this.fetched.has(location)) continue;
      if (this.fetched.size >= 1024) this.fetched.clear();
      this.fetched.set(location, Date.now());
      const r = await fetchDescription(location, ip, { isLocal: o.isLocal, timeoutMs: o.fetchTimeoutMs, maxBytes: o.maxDescriptionBytes });
      if (r.ok) {
        this.stats.descriptions++;
        o.onUpnp(ip, r.description, Date.now() * 1000);
      } else {
        this.stats.refused++;
        o.log?.(`discovery: not using ${location}: ${r.reason}`);
      }
    }
  }
}
