// `waakhond run` flags and the config file (YAML or JSON), validated with zod; flags win over the file, env over both for secrets.
import { readFileSync } from 'node:fs';
import { yaml } from '../../sensor/yaml-lazy.js';
import { z } from 'zod';

export const ConfigSchema = z.object({
  port: z.number().int().min(1).max(65535).default(8080),
  host: z.string().min(1).nullable().default(null),
  data: z.string().min(1).nullable().default(null),
  /** Capture source when no flag names one. */
  iface: z.string().min(1).nullable().default(null),
  pcap: z.string().min(1).nullable().default(null),
  filter: z.string().nullable().default(null),
  /** Live capture: the kernel ring in bytes (null: 16 MiB, sensor/capture/live-pcap.ts) and libpcap's immediate mode (default batch wake-ups). */
  capture: z.object({
    buffer_size: z.number().int().min(64 * 1024).max(1 << 30).nullable().default(null),
    immediate: z.boolean().default(false),
  }).strict().default({}),
  realtime: z.boolean().default(false),
  loop: z.boolean().default(false),
  /** Networks counted as "home" (CIDR); default RFC 1918 + link-local + ULA. */
  local_nets: z.array(z.string()).nullable().default(null),
  rules: z.object({ dirs: z.array(z.string()).nullable().default(null) }).strict().default({}),
  fingerprints_dir: z.string().nullable().default(null),
  store: z.object({
    save_delay_s: z.number().min(0.1).max(3600).default(5),
    /** What the capture found (new devices and alerts) is written within this; the household's changes within save_delay_s. */
    news_save_s: z.number().min(0.1).max(86_400).default(60),
    /** Changes that only move counters (traffic, last seen, alert repeats) are written at most this often (flash wear). */
    lazy_save_s: z.number().min(0.1).max(86_400).default(300),
    alert_retention_days: z.number().min(1).max(3650).default(30),
    device_retention_days: z.number().min(1).max(3650).default(90),
    max_devices: z.number().int().min(10).max(100_000).default(1000),
    max_alerts: z.number().int().min(10).max(100_000).default(2000),
    max_bytes: z.number().int().min(64 * 1024).max(512 * 1024 * 1024).default(4 * 1024 * 1024),
    fsync: z.boolean().default(true),
  }).strict().default({}),
  /** Outbound connection log for abuse-report lookups (GET /api/lookup, `waakhond lookup`). */
  /** Flow table size: concurrent connections tracked (about 130 bytes each, allocated at start). */
  flows: z.object({
    max: z.number().int().min(256).max(4_000_000).default(16_384),
  }).strict().default({}),
  connlog: z.object({
    capacity: z.number().int().min(1000).max(10_000_000).default(100_000),
    save_interval_s: z.number().min(10).max(86_400).default(600),
  }).strict().default({}),
  /** Host names the dashboard answers to besides IP addresses and local names (.lan, .local, .home.arpa). */
  allowed_hosts: z.array(z.string().min(1).max(253)).default([]),
  metrics: z.object({ token: z.string().min(16).nullable().default(null) }).strict().default({}),
  /** Passed unchanged to ui/server/exports (mqtt, syslog, webhooks, site_id, ...). */
  exports: z.record(z.string(), z.unknown()).default({}),
  /** Quarantine/pause from the router: validated by ui/server/act/config.ts (off by default). */
  act: z.record(z.string(), z.unknown()).default({}),
}).strict();

export type Config = z.infer<typeof ConfigSchema>;

export type SourceSpec =
  | { kind: 'iface'; iface: string; filter: string | null; bufferSize?: number; immediate?: boolean }
  | { kind: 'pcap'; path: string; realtime: boolean; loop: boolean; demo: boolean }
  | { kind: 'stdin' };

export interface RunOptions {
  config: Config;
  source: SourceSpec | null;
  configFile: string | null;
}

export const USAGE = `usage: waakhond run [--iface IF [--filter BPF] [--buffer-size 32M] | --pcap FILE [--realtime] [--loop] | --stdin]
                     [--port 8080] [--host ADDR] [--data DIR] [--config FILE] [--mqtt URL]
With no source, replays the bundled demo home in real time, in a loop (its data in DIR/demo,
apart from a real run's).

exit codes: 0 stopped by SIGTERM/SIGINT (or a finished --pcap/--stdin source once stopped),
            1 cannot start (capture source missing or unreadable, port in use, store unusable),
            2 usage error (unknown or conflicting flags, a flag that cannot apply, bad config).`;

export class UsageError extends Error {}

/** Parses argv (after "run"); throws UsageError with a reason. */
export function parseRunArgs(args: string[], readFile: (f: string) => string = (f) => readFileSync(f, 'utf8')): RunOptions {
  const flags: Record<string, string | boolean> = {};
  const valued = new Set(['--iface', '--pcap', '--port', '--host', '--data', '--config', '--filter', '--mqtt', '--buffer-size']);
  const bare = new Set(['--realtime', '--loop', '--stdin']);
  for (let i = 0; i < args.length; i++) {
    let a = args[i];
    let v: string | undefined;
    const eq = a.indexOf('=');
    if (a.startsWith('--') && eq > 0) { v = a.slice(eq + 1); a = a.slice(0, eq); }
    if (valued.has(a)) {
      if (v === undefined) v = args[++i];
      if (v === undefined || v === '') throw new UsageError(`${a} needs a value`);
      flags[a] = v;
    } else if (bare.has(a) && v === undefined) {
      flags[a] = true;
    } else {
      throw new UsageError(`unknown option ${args[i]}`);
    }
  }
  const configFile = (flags['--config'] as string | undefined) ?? null;
  let fileCfg: unknown = {};
  if (configFile) {
    let text: string;
    try { text = readFile(configFile); } catch (err) { throw new UsageError(`cannot read config ${configFile}: ${(err as Error).message}`); }
    try { fileCfg = yaml().parse(text) ?? {}; } catch (err) { throw new UsageError(`config ${configFile} is not valid YAML/JSON: ${(err as Error).message}`); }
  }
  const parsed = ConfigSchema.safeParse(fileCfg);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new UsageError(`config ${configFile}: ${i.path.join('.') || '(top)'}: ${i.message}`);
  }
  const config = parsed.data;
  if (flags['--port'] !== undefined) {
    const p = Number(flags['--port']);
    if (!Number.isInteger(p) || p < 0 || p > 65535) throw new UsageError(`--port: not a port number: ${flags['--port']}`);
    config.port = p;
  }
  if (flags['--host']) config.host = flags['--host'] as string;
  if (flags['--data']) config.data = flags['--data'] as string;
  if (flags['--filter']) config.filter = flags['--filter'] as string;
  if (flags['--buffer-size'] !== undefined) config.capture.buffer_size = parseSize(flags['--buffer-size'] as string);
  // --mqtt URL: the one export most users want, without writing a config file.
  if (flags['--mqtt']) {
    const mqtt = (config.exports.mqtt ?? {}) as Record<string, unknown>;
    config.exports = { ...config.exports, mqtt: { ...mqtt, url: flags['--mqtt'] as string } };
  }
  const chosen = ['--iface', '--pcap', '--stdin'].filter((f) => flags[f] !== undefined);
  if (chosen.length > 1) throw new UsageError(`choose one source: ${chosen.join(', ')}`);
  if ((flags['--realtime'] || flags['--loop']) && !flags['--pcap'] && !config.pcap) throw new UsageError('--realtime and --loop go with --pcap');
  let source: SourceSpec | null = null;
  const ring = { ...(config.capture.buffer_size !== null ? { bufferSize: config.capture.buffer_size } : {}), ...(config.capture.immediate ? { immediate: true } : {}) };
  if (flags['--iface']) source = { kind: 'iface', iface: flags['--iface'] as string, filter: config.filter, ...ring };
  else if (flags['--stdin']) source = { kind: 'stdin' };
  else if (flags['--pcap']) source = { kind: 'pcap', path: flags['--pcap'] as string, realtime: !!flags['--realtime'] || config.realtime, loop: !!flags['--loop'] || config.loop, demo: false };
  else if (config.iface) source = { kind: 'iface', iface: config.iface, filter: config.filter, ...ring };
  else if (config.pcap) source = { kind: 'pcap', path: config.pcap, realtime: config.realtime, loop: config.loop, demo: false };
  // A flag that cannot apply is an error, not silently ignored: a BPF filter only filters a live capture.
  if (flags['--filter'] && source?.kind !== 'iface') throw new UsageError('--filter goes with --iface (a capture filter applies to live capture only)');
  if (config.filter && source && source.kind !== 'iface') throw new UsageError(`config ${configFile}: filter applies to live capture only (iface), not to ${source.kind}`);
  return { config, source, configFile };
}

/** `--buffer-size`: bytes, or a number with K/M/G (binary units, as tcpdump -B and libpcap mean them). */
export function parseSize(v: string): number {
  const m = /^(\d+)\s*([kmg]?)(?:i?b)?$/i.exec(v.trim());
  if (!m) throw new UsageError(`--buffer-size: not a size (bytes, or e.g. 512K, 32M): ${v}`);
  const n = Number(m[1]) * { '': 1, k: 1024, m: 1 << 20, g: 1 << 30 }[m[2].toLowerCase() as '' | 'k' | 'm' | 'g'];
  if (n < 64 * 1024 || n > 1 << 30) throw new UsageError(`--buffer-size: ${v} is outside 64K..1G`);
  return n;
}
