// Named generated captures for test/cases: Mirai behaviours inside an ordinary home, and ladders that pin thresholds.
import { demoRecords } from './demo.js';
import { homeBackground, homeStart, makeHome, T0, type Home } from './home.js';
import {
  MIRAI_CREDS, ackFlood, c2Lookup, c2Session, greFlood, httpFlood, loaderInfect, reportWorking, scanProbes, synFlood,
  telnetBruteForce, udpFlood, udpFloodSmall, vseFlood, waterTorture,
} from './mirai.js';
import { TCP, concat, ip4, tcpFrame, text, udpFrame } from './packets.js';
import { wrapErspanII } from './tunnel.js';
import {
  deadC2Retries, elfImage, exploitSweep, gafgytC2, gafgytDownload, ircBot, jawsExploit, jawsFollowUp, miraiFolderKeepAlive, moziDht, tftpFetch,
} from './botnets.js';
import type { PcapRecord } from './pcap.js';
import { S } from './scene.js';

const at = (s: number): number => T0 + s * S;

/** A home that joins the network and lives normally for `seconds`. */
function home(seconds: number, seed = 11): Home {
  const h = makeHome(seed);
  homeStart(h, at(0));
  homeBackground(h, at(5), at(seconds));
  return h;
}

/** Only DHCP and announcements: a quiet home for ladders (small and fast). */
function quietHome(seed = 3): Home {
  const h = makeHome(seed);
  homeStart(h, at(0));
  return h;
}

/** n raw Mirai probes (seq = dst, no options) from the camera, 6 ms apart (160/s), to distinct public targets. */
function probes(h: Home, t: number, n: number, dport?: number): void {
  const sport = 41_000;
  for (let i = 0; i < n; i++) {
    const dst = h.sc.publicIp();
    h.sc.at(at(t) + i * 6250, tcpFrame(h.camera.mac, h.router.mac, h.camera.ip, dst, {
      sport, dport: dport ?? (i % 10 === 0 ? 2323 : 23), seq: ip4(dst), flags: TCP.SYN, window: h.sc.rand() & 0xffff,
    }, undefined, 64, h.sc.rand() & 0xffff));
  }
}

/** Ordinary connect() SYNs (with options, random source ports) to n distinct public targets on a port. */
function connectScan(h: Home, t: number, n: number, dport: number, gap = 200_000): void {
  for (let i = 0; i < n; i++) {
    const dst = h.sc.publicIp();
    h.sc.at(at(t) + i * gap, tcpFrame(h.camera.mac, h.router.mac, h.camera.ip, dst, {
      sport: h.sc.ephemeral(), dport, seq: h.sc.rand(), flags: TCP.SYN, window: 5840,
      options: Uint8Array.of(2, 4, 5, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7),
    }, undefined, 64, h.sc.rand() & 0xffff));
  }
}

const ladder = (name: string, counts: number[], f: (n: number) => () => PcapRecord[]): Record<string, () => PcapRecord[]> =>
  Object.fromEntries(counts.map((n) => [`${name}-${n}`, f(n)]));

export const SCENARIOS: Record<string, () => PcapRecord[]> = {
  demo: demoRecords,
  /** 5 minutes of an ordinary home: nothing should be raised. */
  'benign-home': () => home(300).sc.records,
  /** The camera runs Mirai's raw scanner for 30 s, 60 s into an ordinary home capture. */
  'mirai-scan': () => {
    const h = home(120);
    scanProbes(h.sc, h.camera, at(60), 30, { answered: 4 });
    return h.sc.records;
  },
  /** Brute force from the internet, loader, C2 with keepalives, report to 48101. */
  'mirai-infection': () => {
    const h = home(200, 5);
    telnetBruteForce(h.sc, h.sc.remote('45.95.147.236'), h.camera, at(20), MIRAI_CREDS.slice(0, 6));
    loaderInfect(h.sc, h.sc.remote('45.95.147.240'), h.camera, at(45), 'root', 'admin', 'mpsl');
    c2Lookup(h.sc, h.camera, at(60), 'cnc.changeme.com', '45.95.147.250');
    c2Session(h.sc, h.camera, h.sc.remote('45.95.147.250'), at(61), 2);
    reportWorking(h.sc, h.camera, h.sc.remote('45.95.147.251'), at(90), '93.184.20.17', 23, 'root', 'xc3511');
    return h.sc.records;
  },
  /** Outbound floods: 512-byte UDP, VSE, SYN. */
  /** A game's server browser: one Source engine query to each of 600 servers within 3 s (not a VSE flood). */
  'game-server-browser': () => {
    const h = quietHome(21);
    const q = concat(Uint8Array.of(0xff, 0xff, 0xff, 0xff), text('TSource Engine Query'), Uint8Array.of(0));
    for (let i = 0; i < 600; i++) {
      const server = `${45 + (i % 50)}.${(i * 7) % 250}.${(i * 13) % 250}.${1 + (i % 200)}`;
      h.sc.at(at(20) + i * 5_000, udpFrame(h.laptop.mac, h.sc.router.mac, h.laptop.ip, server, 27005, 27015 + (i % 3), q, 64, i));
    }
    return h.sc.records;
  },
  'mirai-floods': () => {
    const h = quietHome(9);
    udpFlood(h.sc, h.camera, '203.0.114.77', at(20.5), 3, 300);
    vseFlood(h.sc, h.camera, '203.0.114.78', at(30.5), 2, 400);
    synFlood(h.sc, h.camera, '203.0.114.79', at(40.5), 4, 1500);
    return h.sc.records;
  },
  /** Outbound ACK (512-byte default payload, random ports), GRE and high-rate small UDP floods. */
  'mirai-floods-2': () => {
    const h = quietHome(13);
    ackFlood(h.sc, h.camera, '203.0.114.80', at(20.5), 4, 2500);
    greFlood(h.sc, h.camera, '203.0.114.81', at(30.5), 4, 600);
    udpFloodSmall(h.sc, h.camera, '203.0.114.82', at(40.5), 4, 5500);
    return h.sc.records;
  },
  /** DNS water torture through the home resolver, then an HTTP flood against one site. */
  'mirai-app-floods': () => {
    const h = quietHome(17);
    waterTorture(h.sc, h.camera, h.router, 'victim-shop.nl', at(20), 260, 150_000);
    httpFlood(h.sc, h.camera, h.sc.remote('203.0.114.90'), 'www.victim-shop.nl', at(70), 400, 20_000);
    return h.sc.records;
  },
  /** The infected camera brute-forces other hosts' telnet (the bot side of scanner.c). */
  'mirai-bot-bruteforce': () => {
    const h = quietHome(19);
    for (let k = 0; k < 4; k++) {
      telnetBruteForce(h.sc, h.camera, h.sc.remote(h.sc.publicIp()), at(20 + k * 12), MIRAI_CREDS.slice(k * 3, k * 3 + 3), { successLast: k === 3 });
    }
    return h.sc.records;
  },
  /** A laptop at home logs into the camera's telnet: a LAN telnet server, nothing more. */
  'telnet-lan': () => {
    const h = quietHome(23);
    telnetBruteForce(h.sc, h.laptop, h.camera, at(20), [['admin', 'Tr0ub4dor&3']], { successLast: false });
    return h.sc.records;
  },
  // ---- Behaviour-first cases of issue #11 (test/gen/botnets.ts says which analysis each follows) ----
  /** Gafgyt: at 60 s the camera fetches bins.sh and /ntpd, /sshd, /bash (ELF) from a bare IP, then talks to its C2 on 23. */
  'gafgyt-download-c2': () => {
    const h = home(320, 29);
    const end = gafgytDownload(h.sc, h.camera, h.sc.remote('94.156.8.44'), at(60), [['/ntpd', 'arm'], ['/sshd', 'mips'], ['/bash', 'x86']]);
    gafgytC2(h.sc, h.camera, h.sc.remote('94.156.8.45'), end + 2 * S, { dport: 23, arch: 'ARM', pings: 8, pingEvery: 30, orders: [[95, '!* SCANNER ON']] });
    return h.sc.records;
  },
  /** An IRC bot (Muhstik-like) on the camera: from 60 s it logs in to a C2 channel on port 9999, answers PINGs, gets orders. */
  'irc-bot': () => {
    const h = home(260, 31);
    ircBot(h.sc, h.camera, h.sc.remote('45.9.148.99'), at(60), {
      dport: 9999, nick: 'x86|muhstik|73412', channel: '#ssh', pings: 3, pingEvery: 40, orders: ['!* SCANNER ON', '!* UDP 91.121.40.10 80 120'],
    });
    return h.sc.records;
  },
  /** Dead C2: from 30 s the camera retries 185.244.25.11:6667 and the plug 91.92.243.17:5555, every 60-120 s, nobody answers. */
  'dead-c2-retries': () => {
    const h = quietHome(37);
    deadC2Retries(h.sc, h.camera, '185.244.25.11', 6667, at(30), 14);
    deadC2Retries(h.sc, h.plug, '91.92.243.17', 5555, at(45), 14);
    return h.sc.records;
  },
  /** Mirai's download folder (10 architectures) over one keep-alive HTTP connection from a bare IP, at 60 s. */
  'mirai-folder-keepalive': () => {
    const h = home(120, 41);
    miraiFolderKeepAlive(h.sc, h.camera, h.sc.remote('103.136.43.7'), at(60));
    return h.sc.records;
  },
  /** JAWS /shell exploit from the internet against the camera's forwarded port 80 at 60 s, then the download it ordered. */
  'jaws-exploit-download': () => {
    const h = home(160, 43);
    const end = jawsExploit(h.sc, h.sc.remote('141.98.11.23'), h.camera, at(60), '141.98.11.30');
    jawsFollowUp(h.sc, h.camera, h.sc.remote('141.98.11.30'), end + 1.5 * S);
    return h.sc.records;
  },
  /** The same JAWS exploit and download as seen by a sensor fed by a switch's ERSPAN II mirror session (the real capture of issue #11 was). */
  'jaws-exploit-download-erspan': () => SCENARIOS['jaws-exploit-download']!().map((r, i) => ({ ts: r.ts, data: wrapErspanII(r.data, { seq: i + 1, sessionId: 7, id: i & 0xffff }) })),
  /** Gafgyt without wget: at 60 s the camera fetches a MIPS ELF over TFTP from the internet, then its C2 on port 666. */
  'gafgyt-tftp-c2': () => {
    const h = home(200, 53);
    const end = tftpFetch(h.sc, h.camera, h.sc.remote('94.156.8.50'), at(60), 'mips', elfImage('mips', h.sc.rand, 2000));
    gafgytC2(h.sc, h.camera, h.sc.remote('94.156.8.51'), end + 3 * S, { dport: 666, arch: 'MIPS', pings: 3, pingEvery: 20, orders: [[70, '!* UDP 91.121.40.10 80 60 32 0 10']] });
    return h.sc.records;
  },
  /** Vertical scans of the router's ports (120 ports, 0.2 s apart): by the camera from 20 s, by the laptop (nmap) from 60 s. */
  'vertical-scan-by-kind': () => {
    const h = quietHome(61);
    for (const [dev, t0] of [[h.camera, 20], [h.laptop, 60]] as const) {
      const sport = h.sc.ephemeral();
      for (let i = 0; i < 120; i++) {
        h.sc.at(at(t0) + i * 200_000, tcpFrame(dev.mac, h.router.mac, dev.ip, h.router.ip, {
          sport, dport: 1 + i * 37, seq: h.sc.rand(), flags: TCP.SYN, window: 1024, options: Uint8Array.of(2, 4, 5, 0xb4),
        }, undefined, 64, h.sc.rand() & 0xffff));
      }
    }
    return h.sc.records;
  },
  /** An exposed camera/DVR gets one request of each exploit IoT botnets carry (from 60 s, 20 s apart); none works. */
  'exploit-sweep': () => {
    const h = home(260, 59);
    exploitSweep(h.sc, h.camera, at(60), '45.148.10.99');
    return h.sc.records;
  },
  /** Mozi: from 60 s the camera sends DHT queries to 30 internet nodes; the laptop runs a torrent client's DHT too. */
  'mozi-dht': () => {
    const h = home(140, 47);
    const peers = (n: number): string[] => Array.from({ length: n }, () => h.sc.publicIp());
    moziDht(h.sc, h.camera, at(60), peers(30));
    moziDht(h.sc, h.laptop, at(62), peers(30));
    return h.sc.records;
  },
  // Ladders (suricata-verify style): counts just below and at each threshold.
  ...ladder('ladder-seq-probes', [2, 3], (n) => () => { const h = quietHome(); probes(h, 20, n); return h.sc.records; }),
  ...ladder('ladder-telnet-scan', [9, 10], (n) => () => { const h = quietHome(); connectScan(h, 20, n, 23); return h.sc.records; }),
  ...ladder('ladder-variant-scan', [24, 25], (n) => () => { const h = quietHome(); connectScan(h, 20, n, 37215, 100_000); return h.sc.records; }),
  ...ladder('ladder-bruteforce', [4, 5], (n) => () => {
    const h = quietHome();
    telnetBruteForce(h.sc, h.sc.remote('45.95.147.236'), h.camera, at(20), MIRAI_CREDS.slice(0, n), { successLast: false });
    return h.sc.records;
  }),
  // Unanswered attempts to an IRC port, 90 s apart (the C2-port rule needs 3).
  ...ladder('ladder-dead-c2-port', [2, 3], (n) => () => { const h = quietHome(); deadC2Retries(h.sc, h.camera, '185.244.25.11', 6667, at(20), n, 90, 90); return h.sc.records; }),
  // DHT queries from the camera to n distinct internet nodes (the DHT rule needs 5).
  ...ladder('ladder-dht-peers', [4, 5], (n) => () => { const h = quietHome(); moziDht(h.sc, h.camera, at(20), Array.from({ length: n }, () => h.sc.publicIp())); return h.sc.records; }),
  // 250 pps of 512-byte UDP for 1 or 2 whole seconds (the rule needs 2 seconds at >= 200/s).
  ...ladder('ladder-udp512-seconds', [1, 2], (n) => () => { const h = quietHome(); udpFlood(h.sc, h.camera, '203.0.114.77', at(20.05), n - 0.1, 250); return h.sc.records; }),
};
