// The waakhond command line: dispatches analyze, run, lookup and check.
import { parseArgs } from 'node:util';
import { availableParallelism } from 'node:os';
import { analyzeFiles, type Report } from './analyze.js';
import { durationUs } from '../rules/engine/schema.js';
import { isLang, type Lang } from './i18n/langs.js';
import { alertText } from './i18n/alert-text.js';
import { friendlyName } from './inventory/identity.js';
import type { Category } from './inventory/types.js';
import { VERSION } from './version.js';
import { stripInvisible } from './protocols/bytes.js';

const USAGE = `waakhond: home-network IoT watchdog

usage:
  waakhond analyze [--json] [--lang nl|en] [--lan CIDR]... [--rules DIR]... [--no-rules] [--no-hold] [--baseline-learning DURATION] [--threads N|auto] FILE...
      read pcap/pcapng captures in order and report devices, alerts and counters
      (--lang: each alert also says its title in the household's words, in Dutch or English)
      (the per-device baseline learns for 24 h of capture time first; --baseline-learning 10m shortens it)
  waakhond run [--iface IF [--buffer-size 32M] | --pcap FILE [--realtime] [--loop] | --stdin] [--port N] [--host ADDR]
               [--data DIR] [--config FILE]
      the watchdog daemon with its dashboard (no source: the bundled demo home, replayed)
  waakhond lookup --remote IP[:PORT] --at TIME [--window S] (--pcap FILE... | --data DIR)
      which home device made a connection named in an abuse report
  waakhond check [--quiet]
      validate fingerprint and rule files
  waakhond uninstall-firewall [--nft PATH]
      remove Waakhond's quarantine/pause nftables tables (inet and bridge "waakhond")
  waakhond --version
  waakhond COMMAND --help

exit codes:
  0  done (analyze: a report; run: stopped by SIGTERM/SIGINT; lookup: found; check: all valid)
  1  analyze: no capture could be read; run: cannot start (capture source unreadable, port in use);
     lookup: not found; check: invalid files
  2  usage error: unknown command or option, a missing or conflicting argument, a flag that cannot apply
`;

const ANALYZE_USAGE = `usage: waakhond analyze [--json] [--lang nl|en] [--lan CIDR]... [--rules DIR]... [--no-rules] [--no-hold] [--baseline-learning DURATION] [--threads N|auto] FILE...
  read pcap/pcapng captures in order and report devices (the router marked as such), alerts and counters
  --json               the report as JSON (devices, alerts, stats)
  --lang nl|en         each alert also says its title in the household's words, in Dutch or English
  --lan CIDR           a home network (repeatable; default RFC 1918, link-local and ULA)
  --rules DIR          rule pack directory (repeatable; default the built-in packs)
  --no-rules           inventory only
  --no-hold            make every SYN of a known scanner an event (slower; to compare with the default,
                       which counts a held scanner's SYNs straight into its alerts)
  --baseline-learning  per-device baseline learning period, e.g. 10m (default 24 h of capture time)
  --threads N|auto     analysis threads, each with a share of the devices (default 1; auto: one per core
                       but one, and 1 on two cores or fewer, where they cost more than they give)
exit codes: 0 a report, 1 no capture could be read, 2 usage error
`;

const CHECK_USAGE = `usage: waakhond check [--quiet]
  validate fingerprint, rule, advice and translation files
exit codes: 0 all valid, 1 invalid files (listed on stderr), 2 usage error
`;

/** \`COMMAND --help\` or \`-h\` anywhere in its arguments (before a lone "--"). */
function wantsHelp(args: string[]): boolean {
  const end = args.indexOf('--');
  return (end < 0 ? args : args.slice(0, end)).some((a) => a === '--help' || a === '-h');
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'analyze':
      if (wantsHelp(rest)) { process.stdout.write(ANALYZE_USAGE); return 0; }
      return analyzeCommand(rest);
    case 'run': {
      const { runCommand } = await import('../ui/server/daemon.js');
      return runCommand(rest);
    }
    case 'lookup': {
      const { runLookup } = await import('../ui/server/exports/lookup-command.js');
      return runLookup(rest);
    }
    case 'uninstall-firewall': {
      const { uninstallFirewall } = await import('../ui/server/act/uninstall.js');
      return uninstallFirewall(rest);
    }
    case 'check': {
      if (wantsHelp(rest)) { process.stdout.write(CHECK_USAGE); return 0; }
      const unknown = rest.filter((a) => a !== '--quiet');
      if (unknown.length) { process.stderr.write(`waakhond check: unknown argument ${unknown[0]}\n${CHECK_USAGE}`); return 2; }
      const { checkCommand } = await import('./check.js');
      return checkCommand(rest);
    }
    case '--version':
    case '-V':
    case 'version':
      process.stdout.write(`waakhond ${VERSION}\n`);
      return 0;
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`waakhond: unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}

async function analyzeCommand(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        json: { type: 'boolean', default: false },
        lan: { type: 'string', multiple: true },
        rules: { type: 'string', multiple: true },
        'no-rules': { type: 'boolean', default: false },
        'no-hold': { type: 'boolean', default: false },
        'baseline-learning': { type: 'string' },
        lang: { type: 'string' },
        threads: { type: 'string' },
      },
    });
  } catch (err) {
    process.stderr.write(`waakhond analyze: ${(err as Error).message}\n${ANALYZE_USAGE}`);
    return 2;
  }
  const files = parsed.positionals;
  if (files.length === 0) {
    process.stderr.write('waakhond analyze: give one or more capture files\n');
    return 2;
  }
  const lang = parsed.values.lang;
  if (lang !== undefined && !isLang(lang)) {
    process.stderr.write(`waakhond analyze: --lang is nl or en, not "${lang}"\n`);
    return 2;
  }
  const learning = parsed.values['baseline-learning'];
  const learningUs = learning === undefined ? undefined : durationUs(learning);
  if (learningUs === null) {
    process.stderr.write(`waakhond analyze: --baseline-learning wants a duration like "10m", "2h", "1d"\n`);
    return 2;
  }
  const threadsArg = parsed.values.threads;
  const threads = threadsArg === undefined ? 1 : threadsArg === 'auto' ? autoThreads() : /^[1-9][0-9]?$/.test(threadsArg) ? Number(threadsArg) : null;
  if (threads === null) {
    process.stderr.write(`waakhond analyze: --threads is a number from 1 to 99 or "auto", not "${threadsArg}"\n`);
    return 2;
  }
  let report: Report;
  try {
    report = await analyzeFiles(files, {
      threads,
      localNets: parsed.values.lan,
      ruleDirs: parsed.values['no-rules'] ? [] : parsed.values.rules,
      hold: !parsed.values['no-hold'],
      ...(learningUs !== undefined ? { baselineLearningUs: learningUs } : {}),
    });
  } catch (err) {
    // Only configuration errors (a bad --lan CIDR) get here: capture problems are in stats.errors.
    process.stderr.write(`waakhond analyze: ${(err as Error).message}\n`);
    return 2;
  }
  if (parsed.values.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  else process.stdout.write(formatReport(report, lang));
  for (const e of report.stats.rule_errors) process.stderr.write(`rule file ${e.file}${e.line ? `:${e.line}` : ''}: ${e.reason}\n`);
  // Non-zero only when nothing could be read (a partly broken file still gives a report).
  return report.stats.files === 0 ? 1 : 0;
}

/**
 * One shard per core but one (V8's compiler and GC threads need it: they took ~1.7 s of CPU beside 2 s
 * of analysis on the 257 MiB cut); 1 (no workers) on one or two cores, where the shards' extra work
 * (copies of in-home traffic, a compiler per thread) costs more than the second core gives.
 */
function autoThreads(): number {
  const cores = availableParallelism();
  return cores <= 2 ? 1 : cores - 1;
}

function pad(s: string, n: number): string {
  return s.length >= n ? s.slice(0, n - 1) + '…' : s + ' '.repeat(n - s.length);
}

/**
 * Terminal output shows network text: control characters become "?" so a hostname cannot drive the
 * terminal, and invisible format characters (bidi overrides and isolates, marks, zero-width ones)
 * go, so a name cannot reverse what follows it on the line (bytes.ts stripInvisible).
 */
function safe(s: string | null | undefined): string {
  // eslint-disable-next-line no-control-regex
  return stripInvisible((s ?? '').replace(/[\u0000-\u001f\u007f-\u009f]/g, '?'));
}

/** The device's name in the language (its generated name, else hostname, else MAC). */
function deviceName(r: Report, mac: string | null, lang: Lang): string | null {
  const d = mac ? r.devices.find((x) => x.mac === mac || x.seen_as.includes(mac)) : undefined;
  if (!d) return mac;
  return friendlyName(d.vendor, d.model, d.category as Category, d.private_mac, lang) ?? d.hostname ?? d.mac;
}

/** The report as text; with `lang`, each alert's household title (in that language) precedes its technical summary. */
export function formatReport(r: Report, lang?: Lang): string {
  const out: string[] = [];
  const s = r.stats;
  out.push(`${s.files} file(s), ${s.packets} packets, ${s.bytes} bytes, ${s.malformed} malformed, ${s.first_packet ?? '-'} .. ${s.last_packet ?? '-'}`);
  for (const e of s.errors) out.push(`  error: ${safe(e.file)}: ${safe(e.error)}`);
  out.push('', `DEVICES (${r.devices.length})`);
  out.push(`  ${pad('MAC', 18)} ${pad('IP', 16)} ${pad('KIND', 11)} ${pad('VENDOR', 18)} ${pad('MODEL', 16)} NAME`);
  for (const d of r.devices) {
    out.push(`  ${pad(d.mac, 18)} ${pad(d.ips[0] ?? '', 16)} ${pad(d.category, 11)} ${pad(safe(d.vendor) || '?', 18)} ${pad(safe(d.model), 16)} ${safe(d.name ?? d.hostname)}`);
    if (d.seen_as.length > 1) out.push(`  ${pad('', 18)} seen as ${d.seen_as.join(', ')} (private addresses of one device)`);
  }
  out.push('', `ALERTS (${r.alerts.length})`);
  for (const a of r.alerts) {
    const head = `  [${a.severity.toUpperCase()}] ${a.first_seen} ${a.device ?? '-'} ${a.rule} x${a.count}: `;
    if (lang) out.push(`${head}${safe(alertText(a, lang, deviceName(r, a.device, lang)).title)} | ${safe(a.summary)}`);
    else out.push(`${head}${safe(a.summary)}`);
  }
  if (s.baseline) out.push('', `baseline: ${s.baseline.note}`);
  return out.join('\n') + '\n';
}
