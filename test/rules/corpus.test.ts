// Negatives on real captures: IoT Sentinel, nDPI's benign captures and the Zeek traces raise nothing of medium or above;
// the rest of nDPI (attacks, malware, scans, tunnels, fuzzed files) nothing critical outside malware/scan captures.
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { analyzeFiles } from '../../sensor/analyze.js';
import { SEVERITIES, type Severity } from '../../rules/engine/types.js';
import { HAVE_SHARED, describeShared, pcap } from '../helpers/shared.js';

const rank = (s: Severity): number => SEVERITIES.indexOf(s);

function listCaptures(dir: string): string[] {
  return readdirSync(dir).sort().flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? listCaptures(p) : /\.(pcap|pcapng|cap)$/i.test(n) ? [p] : [];
  });
}

async function alertsAtLeast(files: string[], min: Severity): Promise<string[]> {
  const out: string[] = [];
  for (const f of files) {
    const r = await analyzeFiles([f]);
    for (const a of r.alerts) if (rank(a.severity) >= rank(min)) out.push(`${path.basename(f)}: ${a.severity} ${a.rule} ${a.device} | ${a.summary}`);
  }
  return out;
}

describeShared('negatives on real captures', () => {
  const sentinel = HAVE_SHARED ? readdirSync(pcap('iot-sentinel')).filter((d) => statSync(pcap(`iot-sentinel/${d}`)).isDirectory()).sort() : [];
  for (const dev of sentinel) {
    it(`IoT Sentinel ${dev}: nothing of medium severity or above`, async () => {
      expect(await alertsAtLeast(listCaptures(pcap(`iot-sentinel/${dev}`)), 'medium')).toEqual([]);
    });
  }

  // nDPI captures that are NOT benign traffic of a home, by name, each with the reason; every other nDPI capture
  // (fuzzed and malformed ones included: garbage must not look like an attack) must raise nothing of medium or above.
  const NOT_BENIGN: Record<string, string> = {
    'malware.pcap': 'malware C2 traffic', 'emotet.pcap': 'Emotet infection', 'trickbot.pcap': 'TrickBot infection',
    'bot.pcap': 'a crawler hammering one web server (431 kB in 5 s)', 'WebattackRCE.pcap': 'web attack tool: remote code execution probes (797 requests)',
    'WebattackSQLinj.pcap': 'web attack tool: SQL injection', 'sql_injection.pcap': 'SQL injection attempts', 'xss.pcap': 'cross-site scripting attempts',
    'log4j-webapp-exploit.pcap': 'Log4Shell exploit and its Exploit.class download', 'dns-tunnel-iodine.pcap': 'iodine DNS tunnel (looks like water torture)',
    'dns2tcp_tunnel.pcap': 'dns2tcp DNS tunnel', 'icmp-tunnel.pcap': 'ICMP tunnel', 'dns_exfiltration.pcap': 'data exfiltration over DNS',
    'dns-exf.pcap': 'data exfiltration over DNS', 'synscan.pcap': 'nmap SYN scan', 'tcp_scan.pcapng': 'TCP port scan',
    'elf.pcap': 'an ELF executable pushed over raw TCP', 'exe_download.pcap': 'a Windows executable download', 'exe_download_as_png.pcap': 'an executable disguised as PNG',
    'portable_executable.pcap': 'a Windows executable transfer', 'shell.pcap': 'a remote shell session (commands over raw TCP)',
    'dos_win98_smb_netbeui.pcap': 'a denial-of-service attack', 'tls_malicious_sha1.pcapng': 'TLS to a blocklisted certificate', 'mining.pcapng': 'a cryptocurrency miner',
  };
  const allNdpi = HAVE_SHARED ? listCaptures(pcap('ndpi/pcap')) : [];
  const benignNdpi = allNdpi.filter((f) => !(path.basename(f) in NOT_BENIGN));
  it('the list of nDPI captures treated as not benign names real files', () => {
    const names = new Set(allNdpi.map((f) => path.basename(f)));
    expect(Object.keys(NOT_BENIGN).filter((n) => !names.has(n))).toEqual([]);
  });
  const CHUNK_B = 60;
  for (let i = 0; i < benignNdpi.length; i += CHUNK_B) {
    const part = benignNdpi.slice(i, i + CHUNK_B);
    it(`nDPI benign ${path.basename(part[0]!)} .. ${path.basename(part.at(-1)!)}: nothing of medium severity or above`, async () => {
      expect(await alertsAtLeast(part, 'medium')).toEqual([]);
    });
  }

  // Zeek's protocol traces (DHCP, mDNS, a home multicast snippet, LLDP, CDP, MQTT, NTP, VNC): all benign but one VNC
  // scanner, which may be reported as a scan (not above medium).
  const zeek = HAVE_SHARED ? listCaptures(pcap('zeek-traces')) : [];
  it('Zeek traces: nothing of medium severity or above (the VNC scanner trace: nothing above medium)', async () => {
    expect(await alertsAtLeast(zeek.filter((f) => !/vnc-scanner/.test(f)), 'medium')).toEqual([]);
    expect(await alertsAtLeast(zeek.filter((f) => /vnc-scanner/.test(f)), 'high')).toEqual([]);
  });

  // The nDPI captures of malware and scans may raise critical alerts; everything else may not.
  const MALICIOUS = /malware|bot|trickbot|emotet|scan|mirai|ddos|flood|iodine|tunnel|cobalt|dridex|qakbot|ransom/i;
  const ndpi = HAVE_SHARED ? listCaptures(pcap('ndpi/pcap')).filter((f) => !MALICIOUS.test(path.basename(f))) : [];
  const CHUNK = 90;
  for (let i = 0; i < ndpi.length; i += CHUNK) {
    const part = ndpi.slice(i, i + CHUNK);
    it(`nDPI ${path.basename(part[0]!)} .. ${path.basename(part.at(-1)!)}: nothing critical`, async () => {
      expect(await alertsAtLeast(part, 'critical')).toEqual([]);
    });
  }
});
