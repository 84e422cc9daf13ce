// `waakhond run`: capture -> pipeline -> inventory + rules -> store -> API/dashboard and exports, until SIGTERM/SIGINT.
import { existsSync, openSync, closeSync, fstatSync } from 'node:fs';
import path from 'node:path';
import { serve } from '@hono/node-server';
import type { WaakhondEvent, SensorStatsEvent } from '../../sensor/events.js';
import type { Device } from '../../sensor/inventory/types.js';
import type { Alert } from '../../rules/engine/types.js';
import type { FrameSource } from '../../sensor/capture/frame.js';
import { openCaptureFile, openCaptureStream } from '../../sensor/capture/file.js';
import { Pipeline } from '../../sensor/pipeline.js';
import { projectRoot } from '../../sensor/paths.js';
import { Inventory } from '../../sensor/inventory/inventory.js';
import { RuleEngine, loadRulePacks } from '../../rules/engine/engine.js';
import { loadBaselineConfig } from '../../rules/engine/baseline-config.js';
import { loadAdviceBook } from '../../rules/advice/book.js';
import { startConfiguredExports } from './exports/start.js';
import { startConnLog } from './exports/connlog-service.js';
import { lookupRoutes } from './exports/lookup-route.js';
import type { DeviceStatus as ExportStatus, Exporters } from './exports/index.js';
import { createApp } from './app.js';
import type { LiveStats } from './context.js';
import { Hub } from './hub.js';
import { Sessions } from './auth/sessions.js';
import { RateLimiter } from './auth/rate-limit.js';
import { generatePassword, hashPassword, verifyPassword, writeInitialPassword } from './auth/password.js';
import { Store } from './store/store.js';
import { adoptAnswer, storeGroup } from './store/identities.js';
import { groupOf } from '../../sensor/inventory/one-device.js';
import { Views } from './views.js';
import { CacheWarmer } from './cache-warmer.js';
import { startLoopDelay } from './loop-delay.js';
import { warmHttp } from './http-warmup.js';
import { chooseBind } from './bind.js';
import { ReplaySource } from './replay.js';
import { USAGE, UsageError, parseRunArgs } from './config.js';
import { startAct } from './act/start.js';
import type { ActHandle, ActHooks } from './act/start.js';
import { actRoutes } from './routes/act.js';
import type { RunOptions, SourceSpec } from './config.js';
import { VERSION } from '../../sensor/version.js';
import { ownAddresses } from './own-addresses.js';
import { moveDemoDataAside } from './demo-data.js';

export const DEMO_PCAP = 'firmware-scripts/demo/demo-home.pcap';
/** Frames handed to the pipeline between looks at the clock (see captureDone). */
const PUSH_SLICE = 64;
/**
 * Longest run of capture work before the event loop gets a turn (ms): a dashboard request or a health
 * probe never waits longer than this behind the capture (was 25 ms after 512-frame slices; issue #14).
 */
const PUSH_TURN_MS = 5;
/**
 * Capture files are read in 256 KiB chunks, not analyze's 1 MiB: a chunk's frames live until it is
 * processed, and under the launchers' 1 MB semi-spaces a bigger chunk's frames are promoted to the old
 * space (~6 MB more peak resident on the 300-device home of `npm run bench -- --memory`, the same CPU).
 */
const FILE_CHUNK_BYTES = 1 << 18;

function log(msg: string): void {
  process.stderr.write(`${new Date().toISOString()} waakhond: ${msg}\n`);
}

export async function runCommand(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  let opts: RunOptions;
  try {
    opts = parseRunArgs(args);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`waakhond run: ${err.message}\n${USAGE}\n`);
      return 2;
    }
    throw err;
  }
  if (opts.source?.kind === 'stdin' && process.stdin.isTTY) {
    // Nothing is piped in: waiting for a capture typed on the keyboard would look like a hang.
    process.stderr.write(`waakhond run: --stdin wants a pcap stream piped in (tcpdump -U -w - | waakhond run --stdin), not a terminal\n${USAGE}\n`);
    return 2;
  }
  const daemon = await startDaemon(opts, log);
  if (!daemon) return 1;
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (sig: string) => {
      if (stopping) return;
      stopping = true;
      log(`${sig}: flushing the store and stopping`);
      daemon.stop().then(() => { exitGuard(); resolve(0); }, (err) => { log(`stop: ${(err as Error).message}`); exitGuard(); resolve(1); });
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}

/**
 * After a clean stop nothing should keep the event loop alive. Should something still do so (a native
 * handle a library forgot to release), say what it is, then exit anyway: systemd and procd would
 * otherwise kill -9 us after their own timeout (issue #14). Unref'd, so a normal exit never waits for it.
 */
function exitGuard(): void {
  const t = setTimeout(() => {
    const handles = (process as unknown as { _getActiveHandles?: () => object[] })._getActiveHandles?.() ?? [];
    const names = handles.map((h) => h.constructor?.name ?? typeof h);
    log(`stop: still running 2 s after the store was flushed (open handles: ${names.join(', ') || 'none listed'}): exiting`);
    process.exit(process.exitCode ?? 0);
  }, 2000);
  t.unref();
}

export interface Daemon {
  url: string;
  port: number;
  stop(): Promise<void>;
  /** Resolves when the capture source ends (never for live or looping sources). */
  captureDone: Promise<void>;
}

export async function startDaemon(opts: RunOptions, log: (msg: string) => void, hooks: { act?: ActHooks } = {}): Promise<Daemon | null> {
  const cfg = opts.config;
  const root = projectRoot();
  let spec: SourceSpec | null = opts.source;
  if (!spec) {
    const demo = path.join(root, DEMO_PCAP);
    if (!existsSync(demo)) {
      log(`no capture source given and the demo capture ${demo} is missing: use --iface, --pcap or --stdin`);
      return null;
    }
    spec = { kind: 'pcap', path: demo, realtime: true, loop: true, demo: true };
  }
  // The demo keeps its own data (DIR/demo): a later real run on the same DIR never shows the demo's
  // infected camera as if it were in this home.
  const baseDir = path.resolve(cfg.data ?? process.env.WAAKHOND_DATA ?? '.data');
  const dataDir = spec.kind === 'pcap' && spec.demo ? path.join(baseDir, 'demo') : baseDir;
  // A capture file that cannot be read is a failed start (exit 1), not an empty dashboard.
  if (spec.kind === 'pcap') {
    const why = unreadableFile(spec.path);
    if (why) {
      log(`capture: cannot read ${spec.path}: ${why}`);
      return null;
    }
  }

  // A real run never inherits the demo: data an older version's demo left here is moved aside (kept).
  if (!(spec.kind === 'pcap' && (spec.demo || path.resolve(spec.path) === path.join(root, DEMO_PCAP)))) {
    try {
      const aside = await moveDemoDataAside(dataDir, path.join(root, DEMO_PCAP));
      if (aside) log(`store: ${dataDir} held only the demo home's devices (an older version's demo wrote there): moved aside to ${aside}; starting without them`);
    } catch (err) {
      log(`store: could not check for old demo data: ${(err as Error).message}`);
    }
  }

  let exporters: Exporters | null = null;
  // Store first: a corrupt file is moved aside here, before anything else can write.
  const store = new Store({
    dataDir, log, saveDelayMs: cfg.store.save_delay_s * 1000, newsSaveMs: cfg.store.news_save_s * 1000, lazySaveMs: cfg.store.lazy_save_s * 1000,
    alertRetentionDays: cfg.store.alert_retention_days,
    deviceRetentionDays: cfg.store.device_retention_days, maxDevices: cfg.store.max_devices, maxAlerts: cfg.store.max_alerts,
    maxBytes: cfg.store.max_bytes, fsync: cfg.store.fsync, onForget: (mac) => exporters?.deviceForgotten(mac),
  });
  store.load();
  log(`store: ${store.file} (${Object.keys(store.data.devices).length} devices, ${Object.keys(store.data.alerts).length} alerts)`);
  await ensurePassword(store, dataDir, log);

  const book = loadAdviceBook(path.join(root, 'rules', 'advice'));
  const ruleDirs = cfg.rules.dirs ?? [path.join(root, 'rules', 'packs')];
  const packs = loadRulePacks(ruleDirs);
  for (const e of packs.errors) log(`rules: refused ${e.file}${e.line ? `:${e.line}` : ''}: ${e.reason}`);
  log(`rules: ${packs.rules.length} loaded from ${ruleDirs.join(', ')}`);
  const baselineCfg = loadBaselineConfig();
  for (const e of baselineCfg.errors) log(`baseline: refused ${e.file}${e.line ? `:${e.line}` : ''}: ${e.reason} (running without the per-device baseline)`);
  if (baselineCfg.config) log(`baseline: ${baselineCfg.config.families.length} protocol families, learning ${baselineCfg.config.learningUs / 3.6e9} h per device`);
  // The sensor's own interface MACs and addresses are never devices (live capture; in the OCI container too).
  const own = spec.kind === 'iface' ? ownAddresses(spec.iface) : { macs: [], ips: [] };
  if (own.macs.length || own.ips.length) log(`inventory: the sensor itself (${[...own.macs, ...own.ips].join(', ')}) is not listed as a device`);
  const inventory = new Inventory({ ...(cfg.fingerprints_dir ? { fingerprintsDir: cfg.fingerprints_dir } : {}), ignoreMacs: own.macs, ignoreIps: own.ips });
  // The saved baseline takes at most a quarter of the store's byte cap (the rest is devices, alerts, traffic).
  const baseline = baselineCfg.config
    ? { ...baselineCfg.config, stateMaxBytes: Math.min(baselineCfg.config.stateMaxBytes, Math.floor(cfg.store.max_bytes / 4)) }
    : null;
  const engine = new RuleEngine(packs.rules, {
    baseline,
    // The inventory's category (the store's after a restart, until the inventory knows the device again).
    // The household's answer outranks inference here too (issue #12: "the household has the last word").
    deviceKind: (mac) => store.data.answers[store.keyOf(mac)]?.category ?? inventory.get(mac)?.category ?? store.data.devices[mac]?.category ?? null,
    selfMacs: own.macs,
  });
  // The learnt baseline survives restarts in the store; a corrupt or foreign one is refused and we learn again.
  if (engine.baseline && store.data.baseline !== undefined) {
    const why = engine.baseline.restore(store.data.baseline);
    if (why) log(`baseline: saved state refused (${why}): starting a fresh baseline`);
    else log(`baseline: restored (${engine.baseline.stats.devices} device profile(s), ${engine.baseline.stats.known_macs} known device(s))`);
  }
  const saveBaseline = () => {
    if (!engine.baseline) return;
    try { store.setBaseline(engine.baseline.serialize()); } catch (err) { log(`baseline: save failed: ${(err as Error).message}`); }
  };
  const views = new Views(store, book);
  const hub = new Hub();
  // The cards and list rows of a big stored home are made now, in slices, not by the first dashboards
  // (the web server listens once they are: cache-warmer.ts). Later full resets only while a dashboard is open.
  const warmer = new CacheWarmer(store, views, { wanted: () => hub.subscribers > 0 });
  warmer.request();
  exporters = await startConfiguredExports((cfg.exports ?? {}) as Parameters<typeof startConfiguredExports>[0], log);

  const live: LiveStats = {
    started_ms: Date.now(), source: describe(spec), capture_state: 'running', capture_error: null, packets: 0, bytes: 0,
    dropped: 0, malformed: 0, flows_active: 0, tables_full: [], rules_loaded: packs.rules.length, rule_errors: packs.errors.length,
    rule_health: [], rule_stats: {}, inventory_devices: 0, inventory_evicted: 0, laps: 0,
  };
  const exportStatus = (mac: string): ExportStatus => {
    const d = store.data.devices[mac];
    const s = d ? views.status(d) : 'ok';
    return s === 'check' ? 'ok' : s;
  };
  const exportDevice = (mac: string) => {
    // With no export configured, no device (and no status: its advice cards) is made for nobody.
    if (exporters.none) return;
    // The household's answer and the device's key MAC: the same identity as the API shows.
    const dev = views.exported(mac);
    if (dev) exporters.deviceChanged(dev, exportStatus(dev.mac));
  };

  // The log names what a household would ask about: new devices and alerts (bounded: a spoofed-MAC
  // flood writes one summary line a minute, not one line per MAC).
  let logWindow = { start: Date.now(), lines: 0, skipped: 0 };
  const logBounded = (line: string) => {
    const now = Date.now();
    if (now - logWindow.start >= 60_000) {
      if (logWindow.skipped) log(`(${logWindow.skipped} more device/alert lines not logged in the last minute)`);
      logWindow = { start: now, lines: 0, skipped: 0 };
    }
    if (logWindow.lines >= 30) { logWindow.skipped++; return; }
    logWindow.lines++;
    log(line);
  };
  const logNewDevice = (d: Device) => {
    logBounded(`device: new ${d.mac}${d.ips[0] ? ` ${d.ips[0]}` : ''}${d.name || d.vendor ? ` (${printable(d.name ?? d.vendor ?? '')})` : ''}`);
  };
  const logAlert = (a: Alert, what: string) => {
    const dev = a.device ? views.exported(a.device) : undefined;
    const who = a.device ? `${a.device}${dev?.name ? ` (${printable(dev.name)})` : ''}` : 'the network';
    logBounded(`alert ${what}: [${a.severity}] ${a.rule} on ${who}: ${printable(a.title)}`);
  };

  inventory.onChange = (d: Device, change) => {
    if (change === 'evicted') return; // memory pressure in the inventory; the store keeps its own cap
    if (change === 'new') logNewDevice(d);
    // One stored device per phone/laptop, however many private MACs it rotated through (one-device.ts).
    const { key, folded, adopted } = storeGroup(store, groupOf(d.mac, (m) => inventory.get(m)));
    for (const f of folded) { exporters.deviceForgotten(f); hub.emit({ type: 'device', mac: f }); }
    if (adopted) { hub.emit({ type: 'device', mac: adopted }); exportDevice(adopted); }
    hub.emit({ type: 'device', mac: key });
    exportDevice(key);
    engine.deviceChanged(d.mac); // severity_by_kind: a device identified later escalates its open alerts
  };
  engine.onAlert = (a: Alert, change) => {
    // Alerts point at the device's key, whichever of its private MACs raised them.
    const keyed = a.device ? { ...a, device: store.keyOf(a.device) } : a;
    const before = store.data.alerts[a.id];
    const stored = store.upsertAlert(keyed);
    if (change === 'raised' || (before && before.severity !== a.severity)) logAlert(keyed, change === 'raised' ? 'raised' : `now ${a.severity}`);
    hub.emit({ type: 'alert', id: a.id, device: keyed.device, change });
    if (!exporters.none) exporters.alert(keyed, change, { nl: views.deviceLabel(keyed.device, 'nl'), en: views.deviceLabel(keyed.device, 'en') });
    if (keyed.device) { hub.emit({ type: 'device', mac: keyed.device }); exportDevice(keyed.device); }
    // Auto-quarantine (act.auto_quarantine, default off): an infected device is cut off without waiting for a person.
    const dev = keyed.device ? store.data.devices[keyed.device] : undefined;
    // stored_at: an alert that was already open when the household lifted the quarantine does not cut it off again.
    // Off (the default): no device status to work out on every alert event.
    if (act?.cfg.auto_quarantine && dev && views.status(dev) === 'infected') void act.act.infected(dev.mac, stored.stored_at, true);
  };
  const trafficNotified = new Map<string, number>();
  const daemonSink = (e: WaakhondEvent) => {
    store.history.observe(e); // the device page's "talks to" (conn, dns, tls, http; one switch for the rest)
    if (e.type === 'traffic') {
      store.recordTraffic(e);
      // "Last seen" and the chart move every second a device talks: tell dashboards every 10 s at most.
      if (e.mac && store.data.devices[e.mac]) {
        const now = Date.now();
        if (now - (trafficNotified.get(e.mac) ?? 0) >= 10_000) {
          trafficNotified.set(e.mac, now);
          if (trafficNotified.size > 4096) trafficNotified.clear();
          hub.emit({ type: 'device', mac: e.mac });
        }
      }
    }
    else if (e.type === 'sensor_stats') onStats(e);
    else if (e.type === 'dhcp' && e.op === 'request' && e.client_id) {
      // The client id finds a device again under a new MAC (a household answer follows it).
      const key = store.keyOf(e.client_mac);
      store.noteClientId(e.client_mac, e.client_id);
      const from = adoptAnswer(store, key);
      if (from) { hub.emit({ type: 'device', mac: key }); exportDevice(key); hub.emit({ type: 'device', mac: from }); exportDevice(from); }
    }
  };
  let engineStatsAt = -Infinity;
  const onStats = (e: SensorStatsEvent) => {
    live.packets = e.packets; live.bytes = e.bytes; live.malformed = e.malformed; live.dropped = e.dropped ?? 0;
    live.flows_active = e.flows_active; live.tables_full = e.tables_full;
    // A fast file read makes thousands of these a second (one per minute of capture time, and one per
    // new loss): the rule engine's counters are gathered at most once a second for /metrics.
    const now = performance.now();
    if (now - engineStatsAt >= 1000) { engineStatsAt = now; refreshEngineStats(); }
    if (!exporters.none) exporters.health({ ...e, devices: Object.keys(store.data.devices).length, alerts: Object.keys(store.data.alerts).length });
    hub.emit({ type: 'stats' });
  };
  const refreshEngineStats = () => {
    try {
      live.rule_health = engine.health();
      live.rule_stats = Object.fromEntries(Object.entries(engine.stats as Record<string, unknown>).filter(([, v]) => typeof v === 'number')) as Record<string, number>;
    } catch { /* stats are best effort */ }
    live.inventory_devices = inventory.stats.devices;
    live.inventory_evicted = inventory.stats.evicted;
  };
  // Loads the saved log (abuse lookups survive a restart); the daemon's own timer saves it.
  const connlogService = startConnLog({ dataDir, capacity: cfg.connlog.capacity, saveEveryS: 0, fsync: cfg.store.fsync, log });
  const connlog = connlogService.connlog;
  // Unchanged rings are not rewritten; a failed save is logged once and retried with back-off (connlog-service.ts).
  const saveLog = () => connlogService.save();
  const pipeline = new Pipeline({
    sinks: [(e) => inventory.observe(e), (e) => engine.observe(e), connlog.observe, daemonSink],
    ...(cfg.local_nets ? { localNets: cfg.local_nets } : {}),
    maxFlows: cfg.flows.max,
    // A device known to scan is held: its SYNs to the internet are counted into its alerts (rules/engine/hold.ts)
    // and still logged for abuse look-ups.
    held: engine,
    onHeldSyn: connlog.heldSyn,
  });
  engine.onHold = (mac, handle) => pipeline.hold(mac, handle);

  // Quarantine and pause (ui/server/act): restored from the store before the capture starts.
  let act: ActHandle | null = null;
  try {
    act = await startAct({
      raw: cfg.act, defaultLan: spec.kind === 'iface' ? spec.iface : null, store, views, log, hooks: hooks.act,
      changed: (d) => { hub.emit({ type: 'device', mac: d.mac }); exportDevice(d.mac); exporters?.mqtt?.actState(d.mac, d.quarantined || d.paused_until ? d : null); },
    });
    // ISP mode: signed commands over the fleet topic (the act room verifies them), state published retained.
    const handle = act;
    if (handle.cfg.mqtt_commands.enabled && exporters.mqtt) {
      exporters.mqtt.listenCommands((payload) => { void handle.command(payload); });
      for (const d of handle.act.all()) exporters.mqtt.actState(d.mac, d);
    }
  } catch (err) {
    log(`act: ${(err as Error).message}`);
    store.close();
    await exporters.close();
    return null;
  }

  // The web side.
  const sessions = new Sessions();
  const limiter = new RateLimiter();
  const metricsToken = process.env.WAAKHOND_METRICS_TOKEN || cfg.metrics.token;
  const webDir = findWebDir(root);
  if (!webDir) log('web: dist/web not found (run `npm run build`): the API works, the dashboard shows a notice');
  const app = createApp({
    store, views, book, sessions, limiter, hub, live: () => {
      // sensor_stats comes once a capture minute; the pipeline's own counters are current.
      const p = pipeline.stats;
      pipeline.dropped = source.stats.dropped;
      return {
        ...live, packets: p.packets, bytes: p.bytes, malformed: p.malformed, dropped: source.stats.dropped ?? 0,
        flows_active: pipeline.flows.active, laps: replayLaps(), last_packet_us: p.last_ts,
      };
    },
    metricsToken: metricsToken ?? null, webDir, log, version: VERSION, allowedHosts: cfg.allowed_hosts,
  }, {
    deviceTouched: exportDevice,
    extraRoutes: [actRoutes(act.act, exportDevice) as unknown as import('hono').Hono, lookupRoutes({
      connlog,
      recorded: () => ({ from: pipeline.stats.first_ts, to: pipeline.stats.last_ts }),
      describe: (mac) => {
        const d = views.exported(mac);
        return d ? { name: d.name, vendor: d.vendor, model: d.model, category: d.category } : undefined;
      },
    })],
  });
  const bind = chooseBind({ host: cfg.host, iface: spec.kind === 'iface' ? spec.iface : null, demo: spec.kind === 'pcap' && spec.demo });

  // The capture source: a live capture that cannot start (no CAP_NET_RAW, no such interface) is a clear exit 1.
  let source: FrameSource;
  try {
    source = await openSource(spec);
  } catch (err) {
    log(`capture: cannot start: ${(err as Error).message}`);
    store.close();
    await exporters.close();
    return null;
  }
  const replayLaps = () => (source instanceof ReplaySource ? source.laps : 0);

  await warmer.idle();
  // The dashboard's reads once through the whole HTTP path, on a private loopback port (http-warmup.ts).
  const firstMac = Object.keys(store.data.devices)[0];
  const warm = await warmHttp(app.fetch, sessions, ['/api/health', '/api/devices', '/api/devices?lang=nl', '/api/alerts', '/metrics', ...(firstMac ? [`/api/devices/${firstMac}`] : [])]);
  log(`web: ready (caches made in ${warmer.stats.last_run_ms.toFixed(0)} ms, ${warm.requests} warm-up requests in ${warm.ms.toFixed(0)} ms)`);
  const server = await new Promise<ReturnType<typeof serve> | null>((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: bind.host, port: cfg.port }, () => resolve(s));
    s.once('error', (err) => { log(`web: cannot listen on ${bind.host}:${cfg.port}: ${err.message}`); resolve(null); });
  });
  if (!server) { await source.close(); store.close(); await exporters.close(); return null; }
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : cfg.port;
  const host = bind.host.includes(':') ? `[${bind.host}]` : bind.host;
  const url = `http://${host}:${port}/`;
  log(`web: dashboard at ${url} (${bind.why})`);
  startLoopDelay();
  log(`capture: ${describe(spec)} (memory: ${(process.memoryUsage().rss / 1048576).toFixed(0)} MB resident)`);

  const pruneTimer = setInterval(() => {
    const pruned = store.prune();
    if (pruned.alerts || pruned.devices) log(`store: cleared ${pruned.alerts} alert(s) and ${pruned.devices} device(s) past their retention`);
  }, 3600_000);
  pruneTimer.unref();
  // Timed saves compress, write and fsync off the event loop; the ones at the end of the capture and at stop are synchronous.
  const connlogTimer = setInterval(() => connlogService.saveTimed(), cfg.connlog.save_interval_s * 1000);
  connlogTimer.unref();
  const baselineTimer = setInterval(saveBaseline, 300_000);
  baselineTimer.unref();

  let stopped = false;
  const captureDone = (async () => {
    try {
      let since = performance.now();
      for await (const frames of source) {
        pipeline.dropped = source.stats.dropped; // the source's loss reaches sensor_stats and health as it happens
        // An empty batch is the source saying its drop count rose while no packet came: report it now.
        if (frames.length === 0) pipeline.push(frames);
        // A file chunk is ~16k frames; a costly stretch of them (a spoofed flood: a new device per
        // packet) held the event loop for seconds: no health answer, SIGTERM handled late (issue #14).
        // Frames go in slices, with a turn of the event loop whenever PUSH_TURN_MS have passed. The batch
        // stays valid meanwhile: the source reuses its buffer only after we ask for the next one.
        // After a stop a file's chunk is abandoned (a flood must not hold SIGTERM up), but what a live
        // source still hands over is the last seconds of the home's traffic: it goes into the store.
        const drain = spec.kind === 'iface';
        for (let i = 0; i < frames.length && (!stopped || drain); i += PUSH_SLICE) {
          pipeline.pushBatch(frames, i, i + PUSH_SLICE);
          if (performance.now() - since > PUSH_TURN_MS) {
            await new Promise<void>((resolve) => setImmediate(resolve));
            since = performance.now();
          }
        }
        if (stopped && !drain) break;
      }
      pipeline.finish();
      // Throttled 'updated' notifications still pending go out now, not never.
      engine.flush();
      // A file or stream that ran out is "ended" (no longer live), one that broke is "failed" with the reason.
      // A live capture has no end of its own: one that stops while the daemon runs has failed.
      const err = source.stats.error ?? (spec.kind === 'iface' && !stopped ? 'the live capture stopped' : null);
      live.capture_state = err ? 'failed' : 'ended';
      live.capture_error = err;
      // A live source's loss is said with its count: what was not seen is never silent.
      const lost = source.stats.dropped !== null ? `, ${source.stats.dropped} dropped` : '';
      log(err ? `capture: ended: ${err}` : `capture: finished (${source.stats.frames} frames${lost})`);
    } catch (err) {
      live.capture_state = 'failed';
      live.capture_error = (err as Error).message;
      log(`capture: failed: ${(err as Error).message}`);
    }
    refreshEngineStats();
    saveBaseline();
    store.flush();
    saveLog();
    hub.emit({ type: 'stats' });
  })();

  return {
    url, port, captureDone,
    async stop() {
      stopped = true;
      warmer.stop();
      clearInterval(pruneTimer);
      clearInterval(connlogTimer);
      clearInterval(baselineTimer);
      await source.close();
      // The capture loop ends the flows and emits the last traffic, devices and alerts: wait for it (at
      // most 2 s, so a stop stays within systemd's and procd's patience) before flushing the store.
      await Promise.race([captureDone.catch(() => {}), new Promise<void>((r) => { setTimeout(r, 2000).unref(); })]);
      await act?.close();
      saveBaseline();
      store.flush();
      saveLog();
      hub.close();
      await exporters.close();
      (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      store.flush();
    },
  };
}

async function openSource(spec: SourceSpec): Promise<FrameSource> {
  if (spec.kind === 'stdin') return openCaptureStream(process.stdin, 'stdin');
  if (spec.kind === 'iface') {
    // Loaded only for live capture: the native libpcap binding costs memory the replay does not need.
    const { openLive } = await import('../../sensor/capture/live.js');
    // WAAKHOND_CAPTURE_BACKEND=tcpdump|pcap forces one backend (hosts where the addon misbehaves; tests of each).
    const b = process.env.WAAKHOND_CAPTURE_BACKEND;
    const backend = b === 'pcap' || b === 'tcpdump' ? b : 'auto';
    return openLive({ iface: spec.iface, filter: spec.filter ?? undefined, backend, bufferSize: spec.bufferSize, immediate: spec.immediate });
  }
  if (!spec.realtime && !spec.loop) return openCaptureFile(spec.path, { chunkBytes: FILE_CHUNK_BYTES });
  return new ReplaySource(() => openCaptureFile(spec.path, { chunkBytes: FILE_CHUNK_BYTES }), spec.path, { realtime: spec.realtime, loop: spec.loop, startAtNow: spec.realtime });
}

function describe(spec: SourceSpec): string {
  switch (spec.kind) {
    case 'iface': return `live on ${spec.iface}${spec.filter ? ` (filter ${spec.filter})` : ''}`;
    case 'stdin': return 'pcap stream on stdin';
    case 'pcap': return `${spec.demo ? 'demo ' : ''}${spec.path}${spec.realtime ? ', real time' : ''}${spec.loop ? ', in a loop' : ''}`;
  }
}

/** Why a capture file cannot be read (missing, a directory, no permission), or null when it can. */
function unreadableFile(file: string): string | null {
  try {
    const fd = openSync(file, 'r');
    try {
      if (!fstatSync(fd).isFile() && !fstatSync(fd).isFIFO()) return 'not a file';
    } finally { closeSync(fd); }
    return null;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return e.code === 'ENOENT' ? 'no such file' : e.code === 'EACCES' ? 'permission denied' : e.message;
  }
}

/** Network text in a log line: no control characters (a hostname must not forge log lines). */
function printable(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?').slice(0, 80);
}

function findWebDir(root: string): string | null {
  const d = path.join(root, 'dist', 'web');
  return existsSync(path.join(d, 'index.html')) ? d : null;
}

/** WAAKHOND_PASSWORD sets the password; otherwise the first start generates one, shows it once and writes DATA/initial-password. */
async function ensurePassword(store: Store, dataDir: string, log: (msg: string) => void): Promise<void> {
  const env = process.env.WAAKHOND_PASSWORD;
  const stored = store.data.settings.password_hash;
  if (env) {
    if (!stored || !(await verifyPassword(env, stored))) {
      store.setPasswordHash(hashPassword(env));
      log('auth: password set from WAAKHOND_PASSWORD (stored as a scrypt hash)');
    }
    return;
  }
  if (stored) return;
  const pw = generatePassword();
  store.setPasswordHash(hashPassword(pw));
  const file = writeInitialPassword(dataDir, pw);
  log(`auth: first start: the dashboard password is ${pw}  (shown once; also in ${file}, mode 0600; set WAAKHOND_PASSWORD to choose your own)`);
}
