// Nobody on the LAN can lock the owner out: wrong passwords from many loopback addresses (127.0.0.x,
// the daemon listening on 127.0.0.1) spend the global allowance, and the owner's correct password from
// another address still logs in, during the attack and after it. The limiter's table stays bounded.
import { request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRunArgs } from '../../ui/server/config.js';
import { DEMO_PCAP, startDaemon } from '../../ui/server/daemon.js';
import type { Daemon } from '../../ui/server/daemon.js';
import { RateLimiter, clientKey } from '../../ui/server/auth/rate-limit.js';
import { PROJECT_ROOT } from '../helpers/shared.js';

const PASSWORD = 'the-owners-password';
let daemon: Daemon;
let dataDir: string;
const logs: string[] = [];

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'waakhond-lockout-'));
  process.env.WAAKHOND_PASSWORD = PASSWORD;
  const opts = parseRunArgs(['--pcap', path.join(PROJECT_ROOT, DEMO_PCAP), '--host', '127.0.0.1', '--port', '0', '--data', dataDir]);
  const d = await startDaemon(opts, (m) => logs.push(m));
  if (!d) throw new Error(`daemon did not start:\n${logs.join('\n')}`);
  daemon = d;
  await daemon.captureDone;
}, 60_000);

afterAll(async () => {
  await daemon?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** POST /api/login from a chosen loopback source address. */
function login(from: string, password: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({ password });
    const req = request({
      host: '127.0.0.1', port: daemon.port, path: '/api/login', method: 'POST', localAddress: from,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), host: `127.0.0.1:${daemon.port}` },
    }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode ?? 0)); });
    req.on('error', reject);
    req.end(body);
  });
}

describe('login limits per client address', () => {
  it('80 attacking addresses cannot make the owner get 429, and are themselves held back', async () => {
    const attackers = Array.from({ length: 80 }, (_, i) => `127.0.0.${10 + i}`);
    const codes: number[] = [];
    const owner: number[] = [];
    // Three rounds of one wrong guess per attacker, 8 at a time; the owner logs in between rounds.
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < attackers.length; i += 8) {
        codes.push(...await Promise.all(attackers.slice(i, i + 8).map((a) => login(a, `guess-${round}-${a}`))));
      }
      owner.push(await login('127.0.0.250', PASSWORD));
    }
    expect(owner).toEqual([200, 200, 200]);
    expect(codes.filter((c) => c !== 401 && c !== 429)).toEqual([]);
    // The global ceiling bit: of 240 guesses, at most its burst (30) plus about one per address (80) were
    // checked (plus a few refilled while scrypt ran); the rest were refused without trying them.
    const tried = codes.filter((c) => c === 401).length;
    expect(tried).toBeGreaterThanOrEqual(80);
    expect(tried).toBeLessThan(30 + 80 + 40);
    expect(codes.filter((c) => c === 429).length).toBeGreaterThan(60);
    // An attacker that failed is refused even with the right password while the global allowance is spent.
    // It refills one guess every 2 s, so on a slow, busy machine it may hold some again by now (a CI run
    // failed here twice): half the attackers spend it once more, and the last one tries right after.
    const again = await Promise.all(attackers.slice(0, 40).map((a) => login(a, `again-${a}`)));
    expect(again.filter((c) => c !== 401 && c !== 429)).toEqual([]);
    expect(await login(attackers[attackers.length - 1]!, PASSWORD)).toBe(429);
    // The owner from yet another address, after the attack.
    expect(await login('127.0.0.251', PASSWORD)).toBe(200);
    // /metrics tells the operator it happened.
    const pw = await new Promise<string>((resolve, reject) => {
      const body = JSON.stringify({ password: PASSWORD });
      const req = request({ host: '127.0.0.1', port: daemon.port, path: '/api/login', method: 'POST', localAddress: '127.0.0.252',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => { res.resume(); resolve(String(res.headers['set-cookie']?.[0] ?? '').split(';')[0]); });
      req.on('error', reject);
      req.end(body);
    });
    const metrics = await (await fetch(`http://127.0.0.1:${daemon.port}/metrics`, { headers: { cookie: pw } })).text();
    expect(Number(/^waakhond_login_refused_total (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThan(60);
    expect(Number(/^waakhond_login_admitted_under_attack_total (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThan(0);
  }, 120_000);
});

describe('RateLimiter', () => {
  it('a client that never failed is admitted when the global allowance is spent; one that failed waits', () => {
    let t = 0;
    const l = new RateLimiter({ burst: 3, refillMs: 10_000, globalBurst: 4, globalRefillMs: 5_000, now: () => t });
    for (const a of ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4']) { expect(l.take(a)).toBe(0); l.failed(a); }
    expect(l.take('10.0.0.1')).toBeGreaterThan(0); // failed, global spent
    expect(l.take('10.0.0.9')).toBe(0); // never failed
    l.reset('10.0.0.9');
    t += 5_000; // one global token back
    expect(l.take('10.0.0.1')).toBe(0);
  });

  it('a client gets its burst of attempts, then waits for its own refill', () => {
    let t = 0;
    const l = new RateLimiter({ burst: 2, refillMs: 10_000, now: () => t });
    expect([l.take('a'), l.take('a'), l.take('a')].map((w) => w > 0)).toEqual([false, false, true]);
    t += 10_000;
    expect(l.take('a')).toBe(0);
  });

  it('keeps at most maxKeys clients', () => {
    const l = new RateLimiter({ maxKeys: 100 });
    for (let i = 0; i < 1000; i++) { l.take(`10.1.${i >> 8}.${i & 255}`); l.failed(`10.1.${i >> 8}.${i & 255}`); }
    expect(l.size).toBe(100);
  });

  it('counts an IPv6 client by its /64 and an IPv4-mapped one by its IPv4 address', () => {
    expect(clientKey('2001:db8:1:2:aaaa:bbbb:cccc:dddd')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:db8:1:2::5')).toBe('2001:db8:1:2::/64');
    expect(clientKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(clientKey('::ffff:192.168.1.7')).toBe('192.168.1.7');
    expect(clientKey('192.168.1.7')).toBe('192.168.1.7');
  });
});
