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

/**
 * English words that give away an untranslated Dutch text (words Dutch does not share). Used by the
 * rule-text test and meant for the Dutch-UI e2e test: `englishWords(text)` lists the ones found.
 */
export const ENGLISH_GIVEAWAYS: readonly string[] = [
  'the', 'and', 'to', 'with', 'from', 'by', 'for', 'at', 'on', 'an', 'a', 'it', 'its', 'this', 'that', 'which',
  'your', 'you', 'has', 'have', 'not', 'no', 'yes', 'or', 'are', 'were', 'been', 'be', 'will', 'can', 'should',
  'device', 'devices', 'sends', 'send', 'sent', 'tries', 'tried', 'try', 'network', 'home', 'attack', 'attempt',
  'takeover', 'threshold', 'time', 'times', 'event', 'events', 'downloads', 'downloaded', 'program', 'address',
  'addresses', 'password', 'passwords', 'scan', 'scans', 'scanner', 'flood', 'floods', 'new', 'never', 'before',
  'unknown', 'private', 'phone', 'laptop', 'smart', 'plug', 'light', 'appliance', 'vacuum', 'player', 'lock',
  'doorbell', 'console', 'assistant', 'health', 'energy', 'someone', 'infected', 'keeps', 'calls', 'answer',
  'answered', 'receives', 'received', 'joined', 'contacts', 'connects', 'update', 'advised', 'evidence', 'ago',
  'yesterday', 'minutes', 'hours', 'days', 'seconds', 'probes', 'severity', 'over', 'within', 'last', 'total',
].filter((w) => !['update', 'over'].includes(w)); // shared with Dutch ("een update", "over")

const GIVEAWAY = new Set(ENGLISH_GIVEAWAYS);

/** The English giveaway words in a text that is meant to be Dutch (allowed names excepted). */
export function englishWords(text: string): string[] {
  const words = text.split(/[^\p{L}\p{N}'!-]+/u).filter(Boolean);
  return words.filter((w) => GIVEAWAY.has(w.toLowerCase()) && !allowedName(w));
}
