// `waakhond lookup --remote IP[:PORT] --at TIME [--window S] (--pcap FILE... | --data DIR)`: which home device made
// the connection an abuse report names, from captures (through the pipeline) or the daemon's saved connection log.
import { parseArgs } from 'node:util';
import { analyzeFiles } from '../../../sensor/analyze.js';
import { ConnLog } from '../../../sensor/connlog.js';
import type { WaakhondEvent } from '../../../sensor/events.js';
import { loadConnLog } from './connlog-file.js';
import { lookupJson, parseRemote, runQuery } from './lookup.js';
import type { DescribeDevice, LookupJson, Recorded } from './lookup.js';

const USAGE = `usage: waakhond lookup --remote IP[:PORT] --at TIME [--window S] [--proto tcp|udp] [--json]
                       (--pcap FILE... [--lan CIDR]... | --data DIR)
  --remote  the address (and port) the abuse report names, e.g. 67.189.205.92:23 or [2001:db8::1]:443
  --at      the reported time: ISO-8601 (2018-03-09T20:57:44Z; no zone = UTC) or Unix seconds
  --window  seconds either side of --at (default 300)
  --pcap    captures to search (read in order through the sensor pipeline)
  --data    the daemon's data directory (its saved connection log, connlog.bin)
exit status: 0 found, 1 not found, 2 usage or input error
`;

export async function runLookup(args: string[]): Promise<number> {
  let v;
  try {
    v = parseArgs({
      args, allowPositionals: true,
      options: {
        remote: { type: 'string' }, at: { type: 'string' }, window: { type: 'string' }, proto: { type: 'string' },
        pcap: { type: 'string', multiple: true }, data: { type: 'string' }, lan: { type: 'string', multiple: true },
        json: { type: 'boolean', default: false }, limit: { type: 'string' }, help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    process.stderr.write(`waakhond lookup: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const o = v.values;
  if (o.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const pcaps = [...(o.pcap ?? []), ...v.positionals];
  if (!o.remote || !o.at || (pcaps.length === 0) === !o.data) {
    process.stderr.write(`waakhond lookup: give --remote, --at and either --pcap FILE... or --data DIR\n${USAGE}`);
    return 2;
  }
  let out: LookupJson;
  let note = '';
  try {
    let log: ConnLog;
    let describe: DescribeDevice | undefined;
    let recorded: Recorded | undefined;
    if (o.data) {
      log = loadConnLog(o.data);
    } else {
      // Only connections to the reported address are kept, so a capture of any size fits the ring.
      const { ip } = parseRemote(o.remote);
      log = new ConnLog(100_000);
      const sink = (e: WaakhondEvent) => {
        if ((e.type === 'tcp_syn' || e.type === 'conn') && e.dst_ip === ip) log.observe(e);
      };
      const report = await analyzeFiles(pcaps, { sinks: [sink], ruleDirs: [], localNets: o.lan });
      for (const e of report.stats.errors) process.stderr.write(`waakhond lookup: ${e.file}: ${e.error}\n`);
      const byMac = new Map(report.devices.map((d) => [d.mac, d]));
      describe = (mac) => byMac.get(mac);
      // The captures' own span is what was recorded (the log here keeps only connections to the address).
      recorded = { from: report.stats.first_packet ? Date.parse(report.stats.first_packet) * 1000 : null, to: report.stats.last_packet ? Date.parse(report.stats.last_packet) * 1000 + 999 : null };
      note = `${report.stats.files} capture(s), ${report.stats.packets} packets, ${report.stats.first_packet ?? '-'} .. ${report.stats.last_packet ?? '-'}`;
    }
    const limit = o.limit === undefined ? 100 : Number(o.limit);
    const { q, r } = runQuery(log, { remote: o.remote, at: o.at, window: o.window, proto: o.proto, limit: Number.isInteger(limit) && limit > 0 ? limit : 100 });
    out = lookupJson(q, r, describe, recorded);
  } catch (err) {
    process.stderr.write(`waakhond lookup: ${(err as Error).message}\n`);
    return 2;
  }
  process.stdout.write(o.json ? JSON.stringify(out, null, 2) + '\n' : formatText(out, note));
  return out.found ? 0 : 1;
}

function formatText(j: LookupJson, note: string): string {
  const q = j.query;
  const remote = q.remote_ip.includes(':') ? `[${q.remote_ip}]` : q.remote_ip;
  const lines = [`Connections to ${remote}${q.remote_port === null ? '' : `:${q.remote_port}`} within ±${q.window_s} s of ${q.at}${note ? ` (${note})` : ''}:`];
  if (!j.found) {
    lines.push('  none found');
    if (j.recorded.window !== 'inside') {
      lines.push(`  note: the window is ${j.recorded.window} what was recorded (${j.recorded.from ?? '-'} .. ${j.recorded.to ?? '-'}): not found there means not known`);
    } else if (!j.complete) lines.push('  note: the connection log no longer reaches back that far; older connections were overwritten');
  }
  for (const d of j.devices) {
    const label = [d.name, d.vendor && d.name !== d.vendor ? `(${d.vendor})` : ''].filter(Boolean).join(' ');
    lines.push(`  ${d.mac ?? '(no MAC)'}  ${label || 'unknown device'}  ${d.local_ips.join(', ')}  ${d.connections} connection(s) ${d.first} .. ${d.last}`);
    for (const m of j.matches.filter((x) => x.mac === d.mac && d.local_ips.includes(x.local_ip))) {
      const sign = m.offset_s === 0 ? '±0' : `${m.offset_s}`;
      const rem = m.remote_ip.includes(':') ? `[${m.remote_ip}]` : m.remote_ip;
      lines.push(`      ${m.time}  ${m.proto} ${m.local_ip}:${m.local_port} -> ${rem}:${m.remote_port}  (${sign} s from report${m.records > 1 ? `, ${m.records} packets/records` : ''})`);
    }
  }
  if (j.truncated > 0) lines.push(`  ... ${j.truncated} more (use --limit or --json)`);
  return lines.join('\n') + '\n';
}
