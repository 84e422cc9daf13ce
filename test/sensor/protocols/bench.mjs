// Parser throughput on the real fixtures (parses per CPU-second, one core): `node test/sensor/protocols/bench.mjs`.
// Not a test: figures for the report. Bundles the TypeScript parsers with esbuild in memory.
import { build } from 'esbuild';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../../..');
const entry = `
export { parseDhcp } from './sensor/protocols/dhcp/parse.ts';
export { parseDns } from './sensor/protocols/dns/parse.ts';
export { parseNetbiosNs } from './sensor/protocols/netbios/parse.ts';
export { parseSsdp } from './sensor/protocols/ssdp/parse.ts';
export { parseTlsClientHello } from './sensor/protocols/tls/parse.ts';
export { parseHttpRequest, parseHttpResponse } from './sensor/protocols/http/parse.ts';
export { parseTelnetData } from './sensor/protocols/telnet/parse.ts';
export { parseQuicInitial } from './sensor/protocols/quic/parse.ts';
`;
const dir = mkdtempSync(path.join(tmpdir(), 'waakhond-bench-'));
const outfile = path.join(dir, 'parsers.cjs');
await build({
  stdin: { contents: entry, resolveDir: ROOT, loader: 'ts' }, bundle: true, platform: 'node', format: 'cjs', outfile,
  logLevel: 'error',
});
const p = createRequire(import.meta.url)(outfile);
rmSync(dir, { recursive: true });

const load = (name) => JSON.parse(readFileSync(path.join(HERE, 'fixtures', `${name}.json`), 'utf8')).fixtures
  .map((f) => Uint8Array.from(Buffer.from(f.hex, 'hex')));

/** CPU time of this process in ms (on a shared machine wall time mostly measures the neighbours). */
function cpuMs() {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

function bench(label, fn, inputs, ms = 500) {
  let n = 0;
  let bytes = 0;
  const w = cpuMs();
  while (cpuMs() - w < 100) for (const b of inputs) fn(b); // warm up
  const t1 = cpuMs();
  let t = t1;
  while (t - t1 < ms) {
    for (let r = 0; r < 20; r++) for (const b of inputs) { fn(b); n++; bytes += b.length; }
    t = cpuMs();
  }
  const s = (t - t1) / 1000;
  console.log(`${label.padEnd(38)} ${String(Math.round(n / s)).padStart(10)} parses/CPU-s ${(bytes / s / 1e6).toFixed(0).padStart(5)} MB/s  (${inputs.length} inputs, avg ${Math.round(bytes / n)} B)`);
}

const dns = load('dns');
bench('dns (all fixtures)', (b) => p.parseDns(b), dns);
bench('dns (small queries/responses <120 B)', (b) => p.parseDns(b), dns.filter((b) => b.length < 120));
bench('dns (mDNS announcements >300 B)', (b) => p.parseDns(b), dns.filter((b) => b.length > 300));
bench('dhcp', (b) => p.parseDhcp(b), load('dhcp'));
bench('tls client hello (JA3+JA4)', (b) => p.parseTlsClientHello(b), load('tls'));
bench('quic client initial (decrypt+JA4)', (b) => p.parseQuicInitial(b), load('quic').slice(0, 4));
bench('quic on short-header/1-RTT bytes', (b) => p.parseQuicInitial(b), load('quic').map((b) => { const c = b.slice(); c[0] = 0x40; return c; }));
bench('ssdp', (b) => p.parseSsdp(b), load('ssdp'));
bench('netbios-ns', (b) => p.parseNetbiosNs(b), load('netbios'));
const http = load('http');
bench('http request+response', (b) => p.parseHttpRequest(b) ?? p.parseHttpResponse(b), http);
bench('http on non-HTTP payload (TLS bytes)', (b) => p.parseHttpRequest(b) ?? p.parseHttpResponse(b), load('tls'));
bench('telnet', (b) => p.parseTelnetData(b), load('telnet'));
