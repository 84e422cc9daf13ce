// New device on the network: info alert after the install's learning period, confirmed after a short wait, never the router or the sensor.
import { describe, expect, it } from 'vitest';
import { RuleEngine } from '../../rules/engine/engine.js';
import { loadBaselineConfig, type BaselineConfig } from '../../rules/engine/baseline-config.js';
import type { Alert } from '../../rules/engine/types.js';
import { CAM, GW, H, MIN, PC, S, T0, arp, dhcpReply, stats, syn, traffic, withHeartbeat } from './issue11-events.js';

const shipped = loadBaselineConfig().config!;
const SENSOR = '02:42:ac:11:00:02';

function engine(o: Partial<BaselineConfig> = {}, kinds: Record<string, string> = {}): { eng: RuleEngine; raised: Alert[] } {
  const eng = withHeartbeat(new RuleEngine([], {
    baseline: { ...shipped, learningUs: H, installLearningUs: H, ...o }, deviceKind: (m) => kinds[m] ?? null, selfMacs: [SENSOR.toUpperCase()],
  }));
  const raised: Alert[] = [];
  eng.onAlert = (a, change) => { if (change === 'raised') raised.push(structuredClone(a)); };
  return { eng, raised };
}

/** The home's first hour: the camera, the router (gateway of the camera's internet traffic) and the sensor. */
function install(eng: RuleEngine): void {
  eng.observe(traffic(CAM, T0, '192.168.1.40'));
  eng.observe(syn({ ts: T0 + S })); // its dst_mac is the gateway
  eng.observe(traffic(GW, T0 + 2 * S, '192.168.1.1'));
  eng.observe(traffic(SENSOR, T0 + 3 * S, '192.168.1.2'));
}

describe('new device on the network', () => {
  it('nothing for the devices of a fresh install\'s first learning period, an info alert for one joining after', () => {
    const { eng, raised } = engine();
    install(eng);
    eng.observe(arp(PC, '192.168.1.77', T0 + 59 * MIN)); // still the install's first hour
    for (let t = T0 + 59 * MIN; t < T0 + 61 * MIN; t += S) eng.observe(traffic(CAM, t, '192.168.1.40'));
    expect(raised).toEqual([]);
    const NEW = 'a4:83:e7:00:00:05';
    eng.observe(traffic(NEW, T0 + 2 * H, '192.168.1.88'));
    eng.observe(traffic(NEW, T0 + 2 * H + 10 * S, '192.168.1.88'));
    expect(raised).toEqual([]); // waiting new_device_confirm (30 s): is it the router?
    eng.observe(traffic(CAM, T0 + 2 * H + 31 * S, '192.168.1.40'));
    expect(raised.length).toBe(1);
    const a = raised[0]!;
    expect(a).toMatchObject({ id: `baseline.new-device/${NEW}`, rule: 'baseline.new-device', severity: 'info', device: NEW, advice: 'new-device' });
    expect(a.first_seen).toBe(T0 + 2 * H);
    expect(a.summary).toBe(`New device ${NEW} joined the network (192.168.1.88, traffic; not identified yet)`);
    // Seen again: not new any more.
    eng.observe(traffic(NEW, T0 + 3 * H, '192.168.1.88'));
    eng.observe(traffic(CAM, T0 + 3 * H + MIN, '192.168.1.40'));
    expect(raised.length).toBe(1);
  });

  it('never the router (gateway of internet traffic, DHCP server, or identified by the inventory) nor the sensor', () => {
    const ROUTER2 = 'b0:be:76:00:00:01';
    const DHCPD = 'b0:be:76:00:00:02';
    const { eng, raised } = engine({}, { [ROUTER2]: 'router' });
    eng.observe(traffic(CAM, T0, '192.168.1.40'));
    const t = T0 + 2 * H;
    eng.observe(traffic(GW, t, '192.168.1.1')); // first seen after the install's learning, but...
    eng.observe(syn({ ts: t + S })); // ...it carries the camera's internet traffic
    eng.observe(traffic(ROUTER2, t, '192.168.1.254'));
    eng.observe(traffic(DHCPD, t, '192.168.1.253'));
    eng.observe(dhcpReply(DHCPD, t + 2 * S));
    eng.observe(traffic(SENSOR, t, '192.168.1.2'));
    eng.observe(traffic('ff:ff:ff:ff:ff:ff', t, null as unknown as string));
    eng.observe(traffic('01:00:5e:00:00:fb', t, '224.0.0.251'));
    eng.observe(traffic(CAM, t + MIN, '192.168.1.40'));
    expect(raised).toEqual([]);
    expect(eng.baseline!.stats.new_device_skipped).toBe(4);
  });

  it('DHCP and ARP announce a device too, with its kind when the inventory knows it; the end of a capture decides those still waiting', () => {
    const { eng, raised } = engine({}, { [PC]: 'phone' });
    install(eng);
    eng.observe(arp(PC, '192.168.1.77', T0 + 2 * H));
    expect(raised).toEqual([]);
    eng.flush();
    expect(raised.map((a) => [a.device, a.summary])).toEqual([[PC, `New device ${PC} joined the network (192.168.1.77, ARP; phone)`]]);
  });

  it('a capture shorter than the install learning period (24 h by default) announces nothing', () => {
    const eng = new RuleEngine([], { baseline: shipped });
    for (let i = 0; i < 200; i++) eng.observe(traffic(`02:00:00:00:01:${(i & 255).toString(16).padStart(2, '0')}`, T0 + i * 7 * MIN, '192.168.1.9'));
    eng.flush();
    expect(eng.alerts()).toEqual([]);
  });

  it('bounded: known devices capped (counted), at most 256 waiting for confirmation (the rest counted)', () => {
    const { eng, raised } = engine({ maxKnownMacs: 100 });
    install(eng);
    const t = T0 + 2 * H;
    for (let i = 0; i < 300; i++) eng.observe(traffic(`02:00:00:00:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`, t, '192.168.1.9'));
    expect(eng.baseline!.stats.known_macs).toBe(100);
    expect(eng.baseline!.stats.known_evicted).toBe(3 + 300 - 100); // the install's three and 300 new
    expect(eng.baseline!.stats.pending_dropped).toBe(44);
    expect(eng.stats.tables_full).toEqual(expect.arrayContaining(['rules.baseline_known_macs', 'rules.baseline_pending']));
    eng.observe(traffic(CAM, t + MIN, '192.168.1.40'));
    expect(raised.length).toBe(256);
  });

  it('survives a restart: known devices and the install\'s age are in the saved state', () => {
    const a = engine();
    install(a.eng);
    a.eng.observe(stats(T0 + 2 * H)); // two hours watched, then a restart
    const saved = JSON.parse(JSON.stringify(a.eng.baseline!.serialize()));
    const b = engine();
    expect(b.eng.baseline!.restore(saved)).toBeNull();
    const t = T0 + 2 * H;
    b.eng.observe(traffic(CAM, t, '192.168.1.40')); // known before the restart
    b.eng.observe(traffic(PC, t, '192.168.1.77')); // new, and the install is two hours old (not restarted at 0)
    b.eng.observe(traffic(CAM, t + MIN, '192.168.1.40'));
    expect(b.raised.map((x) => x.device)).toEqual([PC]);
  });
});
