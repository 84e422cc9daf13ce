// Proper names that stay as they are in every language: brands, product lines, protocol and malware
// names. The Dutch-UI e2e test (no English sentence outside "Technische details") and the rule-text
// test allow these words; anything else English in a Dutch text is a missing translation.
export const ALLOWED_NAMES: readonly string[] = [
  // malware, attacks, flaws
  'Mirai', 'Gafgyt', 'Mozi', 'Hajime', 'Log4Shell', 'botnet', 'botnets',
  // protocols and technology people see on boxes
  'telnet', 'Telnet', 'SSH', 'FTP', 'TFTP', 'IRC', 'HTTP', 'HTTPS', 'DNS', 'DHCP', 'UPnP', 'mDNS', 'SMB', 'GPON',
  'BitTorrent', 'Wi-Fi', 'wifi', 'IPv4', 'IPv6', 'MAC', 'IP', 'USB', 'Java', 'ThinkPHP', 'NAS', 'TV', 'tv', 'app', 'apps',
  'router', 'routers', 'server', 'servers', 'camera', 'sensor', 'speaker', 'printer', 'computer', 'computers', 'internet',
  'website', 'websites', 'update', 'updates', 'chip', 'gameserver', 'online', 'offline', 'Waakhond',
  // brands
  'D-Link', 'Huawei', 'Netgear', 'Realtek', 'Zyxel', 'TP-Link', 'Hikvision', 'AVM', 'FRITZ!Box', 'Philips', 'Hue',
  'Raspberry', 'Pi', 'Apple', 'Google', 'Samsung', 'Sonos', 'Amazon', 'Ring', 'Eufy', 'Xiaomi', 'Tuya', 'Shelly',
  'Nest', 'Chromecast', 'HomePod', 'iPhone', 'iPad', 'Mac', 'MacBook', 'Android', 'Windows', 'Linux', 'Home Assistant',
];

const LOWER = new Set(ALLOWED_NAMES.map((n) => n.toLowerCase()));

/** Is this word (any case) an allowed proper name? */
export function allowedName(word: string): boolean {
  return LOWER.has(word.toLowerCase());
}
