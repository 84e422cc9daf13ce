// The demo capture: a small home whose Hikvision camera is brute-forced over telnet, infected by Mirai's loader, then scans, phones home and floods.
import { homeBackground, homeStart, makeHome, T0 } from './home.js';
import { MIRAI_CREDS, c2Lookup, c2Session, loaderInfect, reportWorking, scanProbes, telnetBruteForce, udpFlood } from './mirai.js';
import { writePcap, type PcapRecord } from './pcap.js';
import { S } from './scene.js';

/** What happened when (seconds into the capture), for tests and the README. */
export const DEMO_TIMELINE = {
  bruteForceStart: 40,
  loader: 62,
  c2Lookup: 75,
  c2: 76,
  scanStart: 80,
  scanSeconds: 20,
  report: 104,
  floodStart: 150.25,
  floodSeconds: 1.6,
  end: 240,
} as const;

export const DEMO = {
  attacker: '45.95.147.236',
  loader: '45.95.147.240',
  cnc: '45.95.147.250',
  reportServer: '45.95.147.251',
  floodTarget: '203.0.114.77',
};

export function demoRecords(): PcapRecord[] {
  const h = makeHome(7);
  const { sc, camera } = h;
  const T = DEMO_TIMELINE;
  const at = (s: number): number => T0 + s * S;
  homeStart(h, at(0));
  homeBackground(h, at(5), at(T.end - 5));
  // The camera's telnet is forwarded from the internet (UPnP); a Mirai bot finds it and guesses passwords.
  const creds: [string, string][] = [['root', 'xc3511'], ['root', 'vizxv'], ['admin', 'admin'], ['root', '888888'], ['root', 'xmhdipc'], ['root', '12345']];
  telnetBruteForce(sc, sc.remote(DEMO.attacker), camera, at(T.bruteForceStart), creds, { banner: 'DS-2CD2032-I ' });
  loaderInfect(sc, sc.remote(DEMO.loader), camera, at(T.loader), 'root', '12345', 'arm7');
  c2Lookup(sc, camera, at(T.c2Lookup), 'cnc.changeme.com', DEMO.cnc);
  c2Session(sc, camera, sc.remote(DEMO.cnc), at(T.c2), 2);
  scanProbes(sc, camera, at(T.scanStart), T.scanSeconds, { answered: 3 });
  c2Lookup(sc, camera, at(T.report - 0.5), 'report.changeme.com', DEMO.reportServer);
  reportWorking(sc, camera, sc.remote(DEMO.reportServer), at(T.report), '93.184.20.17', 23, 'admin', 'admin');
  udpFlood(sc, camera, DEMO.floodTarget, at(T.floodStart), T.floodSeconds, 400);
  return sc.records;
}

export function writeDemo(path: string): number {
  return writePcap(path, demoRecords());
}
