// The per-device baseline: new protocol families, destination bursts (ladders), first outbound, learning, caps, saved state.
import { describe, expect, it } from 'vitest';
import { RuleEngine } from '../../rules/engine/engine.js';
import { loadBaselineConfig, parseBaselineText, type BaselineConfig } from '../../rules/engine/baseline-config.js';
import { checkState } from '../../rules/engine/baseline.js';
import { validateAdvice } from '../../rules/advice/book.js';
import { projectPath } from '../../sensor/paths.js';
import type { TcpTextEvent, WaakhondEvent } from '../../sensor/events.js';
import type { Alert } from '../../rules/engine/types.js';
import { CAM, H, MIN, PC, S, T0, conn, dht, stats, syn, synack, traffic, withHeartbeat } from './issue11-events.js';
import { readFileSync } from 'node:fs';

const shipped = loadBaselineConfig();
/** The shipped settings with a one-hour learning period (per device and for the install). */
function cfg(o: Partial<BaselineConfig> = {}): BaselineConfig {
  return { ...shipped.config!, learningUs: H, installLearningUs: H, ...o };
}

function engine(o: Partial<BaselineConfig> = {}, kinds: Record<string, string> = {}): { eng: RuleEngine; raised: Alert[] } {
  const eng = withHeartbeat(new RuleEngine([], { baseline: cfg(o), deviceKind: (m) => kinds[m] ?? null }));
  const raised: Alert[] = [];
  eng.onAlert = (a, change) => { if (change === 'raised') raised.push(structuredClone(a)); };
  return { eng, raised };
}

/** n SYNs from a device to n distinct public addresses (10.x.y.z is private, so 45.x.y.z), port 443. */
function destinations(eng: RuleEngine, mac: string, t: number, n: number, base = 0): void {
  for (let i = 0; i < n; i++) {
    const k = base + i;
    eng.observe(syn({ src_mac: mac, ts: t + i * 1000, dst_ip: `45.${(k >> 16) & 255}.${(k >> 8) & 255}.${k & 255}`, dst_port: 443 }));
  }
}

const ircText = (ts: number): TcpTextEvent => ({
  type: 'tcp_text', ts, src_mac: CAM, dst_mac: 'e0:28:6d:4a:10:01', src_ip: '192.168.1.40', dst_ip: '45.9.9.9', direction: 'outbound',
  src_port: 40000, dst_port: 80, from: 'client', text: 'NICK x\nUSER x x x x', irc_commands: ['NICK', 'USER'], length: 20,
});

describe('baseline.yaml', () => {
  it('loads, names the families issue #11 asks for, and its alerts have advice in both languages', () => {
    expect(shipped.errors).toEqual([]);
    const ids = shipped.config!.families.map((f) => f.id);
    for (const f of ['telnet', 'irc', 'smb', 'ssh', 'dht', 'socks']) expect(ids).toContain(f);
    expect(shipped.config!.learningUs).toBe(24 * H);
    const advice = Object.values(shipped.config!.rules).map((r) => r.advice!);
    expect(validateAdvice(projectPath('rules', 'advice'), advice).ok).toBe(true);
    expect(shipped.config!.rules['new-device'].severity).toBe('info');
  });

  it('refuses a port in two families, an unknown kind, a field its event does not have', () => {
    const text = readFileSync(projectPath('rules', 'baseline', 'baseline.yaml'), 'utf8');
    const two = parseBaselineText('b.yaml', text.replace('tcp: [139, 445]', 'tcp: [139, 445, 23]'));
    expect(two.config).toBeNull();
    expect(two.errors.map((e) => e.reason).join()).toMatch(/tcp port 23 is already in family "telnet"/);
    const kind = parseBaselineText('b.yaml', text.replace('camera: high, smart-plug: high, router: high, nas: high, hub', 'toaster: high, hub'));
    expect(kind.config).toBeNull();
    const has = parseBaselineText('b.yaml', text.replace('has: irc_commands', 'has: nick'));
    expect(has.errors.map((e) => e.reason).join()).toMatch(/"nick" is not a field of event tcp_text/);
    expect(parseBaselineText('b.yaml', 'version: 2\n').config).toBeNull();
  });
});

describe('new protocol family', () => {
  it('nothing during learning; after it, the first use of a family never used raises once, in words', () => {
    const { eng, raised } = engine({}, { [CAM]: 'camera' });
    eng.observe(syn({ ts: T0 }));
    eng.observe(syn({ ts: T0 + 10 * MIN, dst_port: 22, dst_ip: '45.1.1.1' })); // SSH while learning: learnt
    eng.observe(syn({ ts: T0 + H - S, dst_port: 23, dst_ip: '45.1.1.2' })); // telnet one second before the end: learnt
    expect(raised).toEqual([]);
    eng.observe(syn({ ts: T0 + H + MIN, dst_port: 22, dst_ip: '45.1.1.3' })); // learnt family: nothing
    eng.observe(syn({ ts: T0 + H + MIN, dst_port: 445, dst_ip: '45.1.1.4' }));
    eng.observe(syn({ ts: T0 + H + 2 * MIN, dst_port: 139, dst_ip: '45.1.1.5' })); // same family: no second alert
    expect(raised.map((a) => a.rule)).toEqual(['baseline.new-family']);
    const a = raised[0]!;
    expect(a.id).toBe(`baseline.new-family/${CAM}|smb`);
    expect(a.group).toEqual({ device: CAM, family: 'smb' });
    expect(a.severity).toBe('high'); // severity_by_kind: a camera
    expect(a.advice).toBe('check-device');
    expect(a.summary).toBe(`${CAM} used SMB / NetBIOS session to the internet for the first time (45.1.1.4:445), after 1 h of normal behaviour`);
    expect(a.evidence[a.evidence.length - 1]!.detail).toMatch(/^SMB \/ NetBIOS session: 192\.168\.1\.40 -> 45\.1\.1\.4:445 \(SMB to the internet/);
  });

  it('a computer gets the default severity; traffic inside the home or to private addresses is no family', () => {
    const { eng, raised } = engine({}, { [PC]: 'computer' });
    eng.observe(syn({ src_mac: PC, ts: T0 }));
    eng.observe(syn({ src_mac: PC, ts: T0 + 2 * H, dst_port: 23, dst_ip: '192.168.1.9', direction: 'internal' }));
    eng.observe(syn({ src_mac: PC, ts: T0 + 2 * H, dst_port: 23, dst_ip: '10.1.2.3' }));
    expect(raised).toEqual([]);
    eng.observe(syn({ src_mac: PC, ts: T0 + 2 * H, dst_port: 2323, dst_ip: '45.3.3.3' }));
    expect(raised.map((a) => [a.group.family, a.severity])).toEqual([['telnet', 'medium']]);
  });

  it('families from events on any port: BitTorrent DHT, IRC commands; UDP ports from conn events', () => {
    const { eng, raised } = engine();
    eng.observe(syn({ ts: T0 }));
    eng.observe(dht({ ts: T0 + 2 * H }));
    eng.observe(ircText(T0 + 2 * H + S));
    eng.observe(conn({ ts: T0 + 2 * H + 2 * S, proto: 'udp', ip_proto: 17, dst_port: 69, state: 'OTH', dst_ip: '45.7.7.7' }));
    expect(raised.map((a) => a.group.family)).toEqual(['dht', 'irc', 'tftp']);
  });

  it('learning is per device since its own first packet', () => {
    const { eng, raised } = engine();
    eng.observe(syn({ ts: T0 }));
    eng.observe(syn({ src_mac: PC, ts: T0 + 2 * H }));
    eng.observe(syn({ ts: T0 + 2 * H, dst_port: 23, dst_ip: '45.1.1.1' }));
    eng.observe(syn({ src_mac: PC, ts: T0 + 2 * H + MIN, dst_port: 23, dst_ip: '45.1.1.1' })); // PC is still learning
    expect(raised.map((a) => a.device)).toEqual([CAM]);
  });
});

describe('burst of new destinations (ladders)', () => {
  const BUCKET = 10 * MIN;
  /** A device whose busiest learning bucket had `peak` new destinations; then `n` new ones in one bucket after learning. */
  function burst(peak: number, n: number): Alert[] {
    const { eng, raised } = engine();
    const t = T0 - (T0 % BUCKET);
    destinations(eng, CAM, t, peak, 0);
    destinations(eng, CAM, t + 2 * H, n, 100_000);
    return raised.filter((a) => a.rule === 'baseline.destination-burst');
  }

  it('peak 10: threshold 4 x 10 = 40; 39 new in a bucket is quiet, 40 raises', () => {
    expect(burst(10, 39)).toEqual([]);
    const a = burst(10, 40);
    expect(a.length).toBe(1);
    expect(a[0]!.summary).toBe(`${CAM} contacted 40 new internet addresses in 10 min, its busiest before was 10 (threshold 40)`);
  });

  it('peak 2: min_new 20 holds; 19 is quiet, 20 raises', () => {
    expect(burst(2, 19)).toEqual([]);
    expect(burst(2, 20).length).toBe(1);
  });

  it('known destinations are not new; one alert per bucket; a burst bucket does not raise the yardstick', () => {
    const { eng, raised } = engine();
    const t = T0 - (T0 % BUCKET);
    destinations(eng, CAM, t, 10, 0);
    destinations(eng, CAM, t + 2 * H, 39, 0); // the same 10 plus 29 new: 29 new, the new peak (threshold 116)
    expect(raised).toEqual([]);
    destinations(eng, CAM, t + 3 * H, 120, 200_000); // a burst: 116 reached
    // The yardstick is still 29, not 120: a burst again. 130, not 116: with ~300 destinations in the two
    // Bloom generations ~3% of new ones read as known (false positives), so a few go uncounted.
    destinations(eng, CAM, t + 4 * H, 130, 300_000);
    const bursts = raised.filter((a) => a.rule === 'baseline.destination-burst');
    expect(bursts.length).toBe(1); // the second is an update of the first (suppress_for 6 h)
    expect(bursts[0]!.count).toBe(1);
    expect(eng.alerts().find((a) => a.rule === 'baseline.destination-burst')!.count).toBe(2);
  });
});

describe('first outbound connection', () => {
  it('a device that only answered raises when it opens a connection; one that initiated while learning does not', () => {
    const { eng, raised } = engine();
    eng.observe(synack({ ts: T0 })); // CAM answers (a forwarded port)
    eng.observe(syn({ src_mac: PC, ts: T0 }));
    eng.observe(synack({ src_mac: PC, ts: T0 + MIN }));
    eng.observe(synack({ ts: T0 + 30 * MIN }));
    eng.observe(syn({ ts: T0 + 2 * H, dst_port: 443, dst_ip: '45.5.5.5' }));
    eng.observe(syn({ src_mac: PC, ts: T0 + 2 * H, dst_port: 443, dst_ip: '45.5.5.5' }));
    eng.observe(syn({ ts: T0 + 2 * H + MIN, dst_port: 443, dst_ip: '45.5.5.6' }));
    const first = raised.filter((a) => a.rule === 'baseline.first-outbound');
    expect(first.map((a) => a.device)).toEqual([CAM]);
    expect(first[0]!.summary).toBe(`${CAM} opened a connection to 45.5.5.5:443 after 2 h of only answering`);
  });

  it('a device that never answered (quiet while learning) does not raise', () => {
    const { eng, raised } = engine();
    eng.observe(conn({ ts: T0, proto: 'udp', ip_proto: 17, dst_port: 123, state: 'OTH' }));
    eng.observe(syn({ ts: T0 + 2 * H }));
    expect(raised.filter((a) => a.rule === 'baseline.first-outbound')).toEqual([]);
  });
});

describe('bounds', () => {
  it('a cap on device profiles, evictions counted, in health() and tables_full', () => {
    const { eng } = engine({ maxDevices: 4 });
    for (let i = 0; i < 10; i++) eng.observe(syn({ src_mac: `02:00:00:00:00:${i.toString(16).padStart(2, '0')}`, ts: T0 + i * S }));
    expect(eng.baseline!.stats.devices).toBe(4);
    expect(eng.baseline!.stats.devices_evicted).toBe(6);
    expect(eng.health().join('\n')).toMatch(/baseline: device table full \(4\), 6 profile\(s\) evicted/);
    expect(eng.stats.tables_full).toContain('rules.baseline_devices');
  });

  it('a scanning device keeps a fixed-size destination memory (no growth with 100 000 destinations)', () => {
    const { eng } = engine();
    destinations(eng, CAM, T0, 100_000);
    const st = eng.baseline!.serialize();
    expect(st.devices.length).toBe(1);
    expect(JSON.stringify(st).length).toBeLessThan(1000);
  });

  it('the saved state stays under state_max_bytes, least recently seen devices out first, counted', () => {
    const { eng } = engine({ stateMaxBytes: 4096 });
    for (let i = 0; i < 20; i++) eng.observe(syn({ src_mac: `02:00:00:00:00:${i.toString(16).padStart(2, '0')}`, ts: T0 + i * 2 * MIN }));
    const st = eng.baseline!.serialize();
    expect(JSON.stringify(st).length).toBeLessThanOrEqual(4096);
    expect(st.devices.length).toBeGreaterThan(0);
    expect(st.devices.length).toBeLessThan(20);
    expect(st.devices.at(-1)![0]).toBe('02:00:00:00:00:13'); // the most recent kept
    expect(eng.baseline!.stats.state_trimmed).toBe(20 - st.devices.length);
  });
});

describe('saved state', () => {
  function learnt(): RuleEngine {
    const { eng } = engine();
    eng.observe(synack({ ts: T0 }));
    eng.observe(syn({ src_mac: PC, ts: T0, dst_port: 22 }));
    destinations(eng, PC, T0 + S, 10);
    eng.observe(stats(T0 + 2 * H)); // two hours watched before the state is saved
    return eng;
  }

  it('round-trips through JSON: what was learnt stays learnt, the learning clock keeps running', () => {
    const saved = JSON.parse(JSON.stringify(learnt().baseline!.serialize()));
    expect(checkState(saved)).toBeNull();
    const { eng, raised } = engine();
    expect(eng.baseline!.restore(saved)).toBeNull();
    eng.observe(syn({ src_mac: PC, ts: T0 + 2 * H, dst_port: 22, dst_ip: '45.2.2.2' })); // learnt before the restart
    expect(raised).toEqual([]);
    eng.observe(syn({ src_mac: PC, ts: T0 + 2 * H, dst_port: 23, dst_ip: '45.2.2.3' }));
    eng.observe(syn({ ts: T0 + 2 * H, dst_port: 443, dst_ip: '45.2.2.4' })); // CAM only answered before the restart
    expect(raised.map((a) => a.rule).sort()).toEqual(['baseline.first-outbound', 'baseline.new-family']);
  });

  it('a corrupt or foreign state is refused whole with a reason, never a throw, and the baseline stays fresh', () => {
    const good = JSON.parse(JSON.stringify(learnt().baseline!.serialize()));
    const bad: [unknown, RegExp][] = [
      [null, /not an object/],
      ['{"format":', /not an object/],
      [[1, 2], /not an object/],
      [{ ...good, format: 'something.else' }, /not a baseline state/],
      [{ ...good, version: 2 }, /unknown version 2/],
      [{ ...good, watched: 'yesterday' }, /watched is not a duration/],
      [{ ...good, watched: -5 }, /watched is not a duration/],
      [{ ...good, known: [['not a mac', 1]] }, /known holds a bad entry/],
      [{ ...good, devices: [good.devices[0].slice(0, 11)] }, /wrong shape/],
      [{ ...good, devices: [[...good.devices[0].slice(0, 10), 'AAAA', good.devices[0][11]]] }, /bad destination filter/],
      [{ ...good, devices: [['<script>', ...good.devices[0].slice(1)]] }, /bad device id/],
      [{ ...good, devices: [[...good.devices[0].slice(0, 4), 9, ...good.devices[0].slice(5)]] }, /bad counters/],
      [{ ...good, families: 'telnet' }, /families/],
    ];
    for (const [state, why] of bad) {
      const { eng, raised } = engine();
      const reason = eng.baseline!.restore(state);
      expect(reason, JSON.stringify(state)?.slice(0, 80)).toMatch(why);
      expect(eng.baseline!.stats.devices).toBe(0);
      // Fresh: the install is learning again, so a device is not flagged at once.
      eng.observe(syn({ ts: T0 + 10 * H, dst_port: 23, dst_ip: '45.1.1.1' }));
      expect(raised).toEqual([]);
    }
  });

  it('families are matched by id: ids in another order keep their meaning, an id baseline.yaml no longer has is dropped', () => {
    const saved = JSON.parse(JSON.stringify(learnt().baseline!.serialize()));
    saved.families = [...saved.families].reverse(); // the same ids in another order: bits must follow the ids
    const n = saved.families.length;
    saved.families.push('gopher');
    for (const d of saved.devices) {
      let f = 0;
      for (let i = 0; i < n; i++) if (d[3] & (1 << i)) f |= 1 << (n - 1 - i);
      d[3] = f | (1 << n); // and 'gopher'
    }
    const { eng, raised } = engine();
    expect(eng.baseline!.restore(saved)).toBeNull();
    eng.observe(syn({ src_mac: PC, ts: T0 + 2 * H, dst_port: 22, dst_ip: '45.2.2.2' }));
    expect(raised).toEqual([]);
    eng.observe(syn({ src_mac: PC, ts: T0 + 2 * H, dst_port: 23, dst_ip: '45.2.2.3' }));
    expect(raised.map((a) => a.group.family)).toEqual(['telnet']);
  });
});

describe('offline analyze', () => {
  it('a capture shorter than the learning period raises nothing from the baseline', () => {
    const eng = new RuleEngine([], { baseline: shipped.config! }); // 24 h
    const events: WaakhondEvent[] = [syn({ ts: T0 }), synack({ ts: T0 })];
    for (let i = 1; i < 100; i++) events.push(syn({ ts: T0 + 23 * H + i * S, dst_port: [23, 445, 22, 6667][i % 4]!, dst_ip: `45.0.0.${i}` }));
    for (const e of events) eng.observe(e);
    eng.flush();
    expect(eng.alerts()).toEqual([]);
  });
});

describe('the watched clock (learning counts capture time watched, gaps at most 10 min)', () => {
  /** A raw engine (no heartbeat): only the events given move its clock. */
  const raw = (): { eng: RuleEngine; raised: Alert[] } => {
    const eng = new RuleEngine([], { baseline: cfg() });
    const raised: Alert[] = [];
    eng.onAlert = (a, change) => { if (change === 'raised') raised.push(a); };
    return { eng, raised };
  };

  it('a clock jump forward (NTP after a boot without RTC) ends no learning period', () => {
    const { eng, raised } = raw();
    for (let t = T0; t <= T0 + 10 * MIN; t += MIN) eng.observe(stats(t));
    eng.observe(syn({ ts: T0 + 10 * MIN }));
    const later = T0 + 180 * 24 * H; // half a year ahead
    eng.observe(syn({ ts: later, dst_port: 23, dst_ip: '45.1.1.1' }));
    eng.observe(traffic(PC, later + S, '192.168.1.77'));
    eng.observe(stats(later + 2 * MIN));
    eng.flush();
    expect(raised).toEqual([]);
    expect(eng.baseline!.watchedUs).toBe(10 * MIN + 10 * MIN + 2 * MIN); // the jump counts 10 min
  });

  it('a clock jump back goes on from there; learning ends after an hour watched either side of it', () => {
    const { eng, raised } = raw();
    eng.observe(syn({ ts: T0 }));
    for (let t = T0; t <= T0 + 30 * MIN; t += MIN) eng.observe(stats(t));
    const back = T0 - 400 * 24 * H;
    for (let t = back; t < back + 29 * MIN; t += MIN) eng.observe(stats(t));
    eng.observe(syn({ ts: back + 29 * MIN, dst_port: 23, dst_ip: '45.1.1.1' })); // 58 min watched: still learning
    expect(raised).toEqual([]);
    for (let t = back + 29 * MIN; t <= back + 31 * MIN; t += MIN) eng.observe(stats(t));
    eng.observe(syn({ ts: back + 31 * MIN, dst_port: 445, dst_ip: '45.1.1.2' }));
    expect(raised.map((a) => a.group.family)).toEqual(['smb']);
  });

  it('conn events (stamped with their flow\'s first packet) do not move the clock', () => {
    const { eng } = raw();
    eng.observe(stats(T0 + 2 * H));
    eng.observe(conn({ ts: T0, proto: 'udp', ip_proto: 17, state: 'OTH', dst_port: 123 }));
    eng.observe(stats(T0 + 2 * H + MIN));
    expect(eng.baseline!.watchedUs).toBe(MIN);
  });

  it('time the daemon was stopped is not watched: a restart a week later learns on', () => {
    const a = raw();
    a.eng.observe(syn({ ts: T0 }));
    for (let t = T0; t <= T0 + 30 * MIN; t += MIN) a.eng.observe(stats(t));
    const saved = JSON.parse(JSON.stringify(a.eng.baseline!.serialize()));
    const b = raw();
    expect(b.eng.baseline!.restore(saved)).toBeNull();
    const week = T0 + 7 * 24 * H;
    b.eng.observe(stats(week));
    b.eng.observe(syn({ ts: week + S, dst_port: 23, dst_ip: '45.1.1.1' }));
    expect(b.raised).toEqual([]); // 30 min + 1 s watched
    expect(b.eng.baseline!.watchedUs).toBe(30 * MIN + S);
  });
});

it('engine.stats carries the baseline counters (the daemon exports them as waakhond_rule_engine)', () => {
  const eng = withHeartbeat(new RuleEngine([], { baseline: cfg({ maxDevices: 2 }) }));
  for (let i = 0; i < 3; i++) eng.observe(syn({ src_mac: `02:00:00:00:00:0${i}`, ts: T0 + i * MIN }));
  eng.observe(traffic(PC, T0 + 3 * MIN, '192.168.1.77'));
  eng.health();
  expect(eng.stats).toMatchObject({ baseline_devices: 2, baseline_devices_evicted: 1, baseline_known_macs: 1, baseline_watched_s: 180 });
});
