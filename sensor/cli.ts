// The waakhond command line: dispatches analyze, run, lookup and check.
import { parseArgs } from 'node:util';
import { analyzeFiles, type Report } from './analyze.js';
import { durationUs } from '../rules/engine/schema.js';
import { stripInvisible } from './protocols/bytes.js';

const USAGE = `waakhond: home-network IoT watchdog

usage:
  waakhond analyze [--json] [--lan CIDR]... [--rules DIR]... [--no-rules] [--baseline-learning DURATION] FILE...
      read pcap/pcapng captures in order and report devices, alerts and counters
      (the per-device baseline learns for 24 h of capture time first; --baseline-learning 10m shortens it)
  waakhond run [--iface IF | --pcap FILE [--realtime] [--loop] | --stdin] [--port N] [--host ADDR]
               [--data DIR] [--config FILE]
      the watchdog daemon with its dashboard (no source: the bundled demo home, replayed)
  waakhond lookup --remote IP[:PORT] --at TIME [--window S] (--pcap FILE... | --data DIR)
      which home device made a connection named in an abuse report
  waakhond check
      validate fingerprint and rule files
`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'analyze':
      return analyzeCommand(rest);
    case 'run': {
      const { runCommand } = await import('../ui/server/daemon.js');
      return runCommand(rest);
    }
    case 'lookup': {
      const { runLookup } = await import('../ui/server/exports/lookup-command.js');
      return runLookup(rest);
    }
    case 'check': {
      const { checkCommand } = await import('./check.js');
      return checkCommand(rest);
    }
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
        'baseline-learning': { type: 'string' },
      },
    });
  } catch (err) {
    process.stderr.write(`waakhond analyze: ${(err as Error).message}\n`);
    return 2;
  }
  const files = parsed.positionals;
  if (files.length === 0) {
    process.stderr.write('waakhond analyze: give one or more capture files\n');
    return 2;
  }
  const learning = parsed.values['baseline-learning'];
  const learningUs = learning === undefined ? undefined : durationUs(learning);
  if (learningUs === null) {
    process.stderr.write(`waakhond analyze: --baseline-learning wants a duration like "10m", "2h", "1d"\n`);
    return 2;
  }
  let report: Report;
  try {
    report = await analyzeFiles(files, {
      localNets: parsed.values.lan,
      ruleDirs: parsed.values['no-rules'] ? [] : parsed.values.rules,
      ...(learningUs !== undefined ? { baselineLearningUs: learningUs } : {}),
    });
  } catch (err) {
    // Only configuration errors (a bad --lan CIDR) get here: capture problems are in stats.errors.
    process.stderr.write(`waakhond analyze: ${(err as Error).message}\n`);
    return 2;
  }
  if (parsed.values.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  else process.stdout.write(formatReport(report));
  for (const e of report.stats.rule_errors) process.stderr.write(`rule file ${e.file}${e.line ? `:${e.line}` : ''}: ${e.reason}\n`);
  // Non-zero only when nothing could be read (a partly broken file still gives a report).
  return report.stats.files === 0 ? 1 : 0;
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

export function formatReport(r: Report): string {
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
    out.push(`  [${a.severity.toUpperCase()}] ${a.first_seen} ${a.device ?? '-'} ${a.rule} x${a.count}: ${safe(a.summary)}`);
  }
  if (s.baseline) out.push('', `baseline: ${s.baseline.note}`);
  return out.join('\n') + '\n';
}
