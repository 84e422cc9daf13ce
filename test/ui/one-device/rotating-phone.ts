// Generates a synthetic home capture where one phone rotates its private MAC (three addresses, one per day) and a second phone does not.
//
// SYNTHETIC, no real capture: it follows the published rotation behaviour. Android 10+ uses a random
// locally administered MAC per network and, with non-persistent randomisation, a new one per connection
// or every 24 h (https://source.android.com/docs/core/connect/wifi-mac-randomization-behavior); iOS 14+
// uses one private address per network and iOS 18 can rotate it ("Rotating", about every two weeks;
// https://support.apple.com/en-us/102509). What stays the same across rotations here is the DHCP client
// id (RFC 4361 node-specific form: type 255, IAID, DUID, the same DUID on every MAC) and the hostname
// (option 12): the two fields the inventory links private MACs by (sensor/inventory/README.md).
// Under its second MAC the phone sends Mirai-style scan probes, so an alert is raised on a rotated MAC.
import { BROADCAST, DHCP, arp, dhcpPayload, opt, udpFrame } from '../../gen/packets.js';
import { scanProbes } from '../../gen/mirai.js';
import { pcapBytes } from '../../gen/pcap.js';
import { S, Scene } from '../../gen/scene.js';
import type { Host } from '../../gen/scene.js';

export const ROUTER: Host = { mac: '00:1a:2b:3c:4d:01', ip: '192.168.1.1' };
/** The rotating phone's private MACs in order (second hex digit 2/6/a/e: locally administered, IEEE 802c). */
export const PHONE_MACS = ['9a:3f:12:00:aa:01', 'd6:71:0c:5e:bb:02', '3e:c4:88:19:cc:03'];
export const PHONE_HOST = 'Annes-iPhone';
/** RFC 4361 6.1: 0xff, IAID (4 bytes), DUID (here DUID-EN, RFC 8415 11.3: type 2, enterprise 0x0000a4e0, id). */
export const PHONE_CLIENT_ID = [0xff, 0x00, 0x00, 0x00, 0x01, 0x00, 0x02, 0x00, 0x00, 0xa4, 0xe0, 0x5a, 0x11, 0x7c, 0x02, 0x9e, 0x44];
/** A second phone with its own private MAC, hostname and client id: must stay a device of its own. */
export const OTHER_PHONE = { mac: 'b2:00:5e:aa:10:20', ip: '192.168.1.61', host: 'Pixel-7' };
/** A camera with a normal (universally administered) MAC. */
export const CAMERA = { mac: 'a4:14:37:11:22:33', ip: '192.168.1.30', host: 'DS-2CD2032-I' };

const DAY = 86_400 * S;
export const T0 = Date.UTC(2026, 10, 2, 8, 0, 0) * 1000;

/** DHCP DISCOVER/OFFER/REQUEST/ACK with a chosen client id (Scene.dhcp always sends 01 + MAC). */
function dhcp(sc: Scene, dev: Host, t: number, hostname: string, clientId: number[], params: number[]): void {
  const xid = sc.rand();
  const client = (type: number): [number, Uint8Array][] => {
    const l: [number, Uint8Array][] = [[61, opt.bytes(...clientId)]];
    if (type === DHCP.REQUEST) l.push([50, opt.ips(dev.ip)], [54, opt.ips(ROUTER.ip)]);
    l.push([12, opt.str(hostname)], [55, opt.bytes(...params)]);
    return l;
  };
  const server: [number, Uint8Array][] = [[54, opt.ips(ROUTER.ip)], [51, opt.u32(86400)], [1, opt.ips('255.255.255.0')], [3, opt.ips(ROUTER.ip)], [6, opt.ips(ROUTER.ip)]];
  const c2s = (type: number) => udpFrame(dev.mac, BROADCAST, '0.0.0.0', '255.255.255.255', 68, 67, dhcpPayload({ op: 1, xid, chaddr: dev.mac, type, options: client(type) }));
  const s2c = (type: number) => udpFrame(ROUTER.mac, dev.mac, ROUTER.ip, dev.ip, 67, 68, dhcpPayload({ op: 2, xid, chaddr: dev.mac, type, yiaddr: dev.ip, options: server }));
  sc.at(t, c2s(DHCP.DISCOVER));
  sc.at(t + 2_000, s2c(DHCP.OFFER));
  sc.at(t + 4_000, c2s(DHCP.REQUEST));
  sc.at(t + 6_000, s2c(DHCP.ACK));
  sc.at(t + 10_000, arp(1, dev.mac, dev.ip, '00:00:00:00:00:00', dev.ip));
}

/** The capture as pcap bytes (deterministic). */
export function rotatingPhoneCapture(): Buffer {
  const sc = new Scene(ROUTER, 12);
  const iosParams = [1, 121, 3, 6, 15, 108, 114, 119, 252];
  const cam: Host = { mac: CAMERA.mac, ip: CAMERA.ip };
  for (let day = 0; day < 3; day++) {
    const t = T0 + day * DAY;
    const phone: Host = { mac: PHONE_MACS[day], ip: `192.168.1.${50 + day}` };
    dhcp(sc, cam, t, CAMERA.host, [1, ...CAMERA.mac.split(':').map((h) => parseInt(h, 16))], [1, 3, 6, 12, 15, 28, 42]);
    dhcp(sc, phone, t + 5 * S, PHONE_HOST, PHONE_CLIENT_ID, iosParams);
    sc.dns(phone, ROUTER, t + 6 * S, 'gateway.icloud.com', ['17.248.1.1']);
    if (day === 0) dhcp(sc, OTHER_PHONE, t + 7 * S, OTHER_PHONE.host, [1, ...OTHER_PHONE.mac.split(':').map((h) => parseInt(h, 16))], [1, 3, 6, 15, 26, 28, 51, 58, 59, 43]);
    if (day === 1) scanProbes(sc, phone, t + 30 * S, 3);
  }
  return pcapBytes(sc.records);
}

/** The fourth MAC: the phone on day four, in a capture of its own (the daemon restarted in between). */
export const PHONE_MAC_DAY4 = '5a:90:e1:33:dd:04';

/** Day four alone: the phone under a new private MAC with the same hostname and client id. */
export function nextDayCapture(): Buffer {
  const sc = new Scene(ROUTER, 13);
  const t = T0 + 3 * DAY;
  const phone: Host = { mac: PHONE_MAC_DAY4, ip: '192.168.1.53' };
  dhcp(sc, phone, t + 5 * S, PHONE_HOST, PHONE_CLIENT_ID, [1, 121, 3, 6, 15, 108, 114, 119, 252]);
  sc.dns(phone, ROUTER, t + 6 * S, 'gateway.icloud.com', ['17.248.1.1']);
  return pcapBytes(sc.records);
}
