// Sample devices, alerts and stats in the sensor's shapes (capture-time microseconds) for the exports tests.
import type { Device } from '../../../sensor/inventory/types.js';
import type { Alert } from '../../../rules/engine/types.js';
import type { SensorStatsEvent } from '../../../sensor/events.js';

const T0 = 1_700_000_000_000_000;

export function sampleDevice(mac = 'b8:27:eb:c7:e9:c9', over: Partial<Device> = {}): Device {
  return {
    mac, ips: ['192.168.2.16'], ipv6: [], vendor: 'Raspberry Pi Foundation', model: 'Raspberry Pi', category: 'computer',
    name: 'Raspberry Pi', hostname: 'raspberrypi', confidence: 0.8,
    evidence: [{ source: 'oui', detail: 'OUI b8:27:eb Raspberry Pi Foundation', vendor: 'Raspberry Pi Foundation', weight: 0.5, ts: T0 }],
    first_seen: T0, last_seen: T0 + 5_000_000, private_mac: false, ...over,
  };
}

export function sampleAlert(n = 1, over: Partial<Alert> = {}): Alert {
  return {
    id: `mirai.scan.telnet|b8:27:eb:c7:e9:c9|${n}`, rule: 'mirai.scan.telnet', title: 'Device scans the internet for telnet',
    severity: 'critical', device: 'b8:27:eb:c7:e9:c9', first_seen: T0 + n * 1_000_000, last_seen: T0 + n * 1_000_000 + 500,
    count: n, summary: `SYNs to 23/tcp of ${n} public addresses`,
    evidence: [{ detail: 'SYN to 23/tcp of 41.2.3.4', ts: T0 + n * 1_000_000 }], advice: 'infected-reset',
    group: { device: 'b8:27:eb:c7:e9:c9' }, ...over,
  };
}

export function sampleStats(over: Partial<SensorStatsEvent> = {}): SensorStatsEvent {
  return {
    type: 'sensor_stats', ts: T0 + 60_000_000, packets: 12345, bytes: 9_876_543, malformed: 2, unsupported_link: 0,
    ip_fragments: 1, dropped: 0, flows_active: 42, flows_evicted: 0, tables_full: [], ...over,
  };
}
