// The device inventory's public shapes: what the analyze report, the store, the API and exports show.

export const CATEGORIES = [
  'camera', 'smart-plug', 'hub', 'sensor', 'lighting', 'appliance', 'health', 'media', 'speaker',
  'printer', 'nas', 'router', 'phone', 'computer',
  // Kinds a household names (issue #12): added at the end so that older kinds keep their place.
  'lock', 'doorbell', 'thermostat', 'energy', 'vacuum', 'tv', 'game-console', 'voice-assistant',
  'other',
] as const;
export type Category = (typeof CATEGORIES)[number];

export type EvidenceSource =
  | 'oui' | 'dhcp' | 'mdns' | 'dns' | 'ssdp' | 'upnp' | 'tls' | 'http' | 'tcp'
  | 'netbios' | 'llmnr' | 'arp' | 'ndp' | 'user'
  /** A vendor's LAN discovery reply (DiscoveryEvent): the device naming its own vendor and model. */
  | 'discovery'
  /** What the device does on the network (behaviour.ts), when no fingerprint knows it. */
  | 'behaviour';

/** One observation that supports (or contradicts) an identity, in words a person can read. */
export interface Evidence {
  source: EvidenceSource;
  /** e.g. "mDNS _googlecast._tcp md=Chromecast", "OUI 54:60:09 Google", "DHCP vendor class MSFT 5.0". */
  detail: string;
  /** What this evidence says, if anything. */
  vendor?: string;
  model?: string;
  category?: Category;
  /** How much this evidence is worth, 0..1 (specific beats generic). */
  weight?: number;
  /** Capture time first seen, microseconds. */
  ts?: number;
}

export interface Device {
  mac: string;
  ips: string[];
  ipv6: string[];
  vendor: string | null;
  model: string | null;
  category: Category;
  /** Friendly name for people: a user's name, else e.g. "D-Link DCS-935L camera". */
  name: string | null;
  /** Hostname the device gave itself (DHCP 12/81, mDNS, NetBIOS), hostile text. */
  hostname: string | null;
  confidence: number;
  evidence: Evidence[];
  /** Capture time, microseconds since the epoch. */
  first_seen: number;
  last_seen: number;
  /** Locally administered (randomised) MAC, typical of phones and laptops. */
  private_mac: boolean;
  /** The home's router (gateway of Internet traffic or IPv6 router advertisements): a device, marked. */
  router?: boolean;
  /** Other (private) MACs that DHCP client id, hostname or mDNS name show to be the same device. */
  same_device_as?: string[];
}
