#!/usr/bin/env node
// Runs a capture command (ssh ... tcpdump -w -) again and again and splices its pcap streams into one
// endless pcap stream on stdout, so the daemon reading it (`waakhond run --stdin`) lives across reconnects.
//
//   node pcap-splice.mjs [--retry-min S] [--retry-max S] [--max-runs N] -- COMMAND [ARGS...]
//
// Each connection starts with its own pcap global header and may end in the middle of a record.
// Only the first header is written; later ones must have the same link type (else exit 3) and are
// dropped; record headers are rewritten into the first header's byte order and time resolution
// (classic pcap: tcpdump.org "pcap savefile format", magic a1b2c3d4 = microseconds, a1b23c4d =
// nanoseconds); a partial record at a disconnect is dropped and counted, never passed on.
// Plain node, no dependencies: it runs from the bundle (firmware-scripts/) or the repository.
import { spawn } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const MAGIC_US = 0xa1b2c3d4;
const MAGIC_NS = 0xa1b23c4d;
const GLOBAL_HEADER = 24;
const RECORD_HEADER = 16;
/** Larger than any snaplen tcpdump writes (262144): beyond it the stream is corrupt, not a packet. */
const MAX_CAPLEN = 262_144 + 64;

function parseArgs(argv) {
  const o = { retryMin: 1, retryMax: 60, maxRuns: Infinity, cmd: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') { o.cmd = argv.slice(i + 1); break; }
    const v = Number(argv[i + 1]);
    if (a === '--retry-min') o.retryMin = v;
    else if (a === '--retry-max') o.retryMax = v;
    else if (a === '--max-runs') o.maxRuns = v;
    else throw new Error(`unknown option ${a}`);
    if (!Number.isFinite(v) || v < 0) throw new Error(`${a} needs a number`);
    i++;
  }
  if (o.cmd.length === 0) throw new Error('usage: pcap-splice.mjs [--retry-min S] [--retry-max S] [--max-runs N] -- COMMAND [ARGS...]');
  return o;
}

/** Global header fields; null when the magic is not classic pcap. */
export function readGlobalHeader(buf) {
  if (buf.length < GLOBAL_HEADER) return null;
  for (const le of [true, false]) {
    const magic = le ? buf.readUInt32LE(0) : buf.readUInt32BE(0);
    if (magic === MAGIC_US || magic === MAGIC_NS) {
      const u32 = (o) => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
      return { le, nanos: magic === MAGIC_NS, snaplen: u32(16), linktype: u32(20) & 0x0fffffff };
    }
  }
  return null;
}

/** Splices pcap streams; feed(chunk) per connection chunk, endConnection() at each disconnect. */
export class Splicer {
  constructor(write) {
    this.write = write;
    this.out = null; // output header format (from the first connection)
    this.cur = null; // header of the current connection
    this.pending = Buffer.alloc(0);
    this.stats = { connections: 0, records: 0, partial_dropped: 0, bytes: 0 };
  }

  /** Returns an error string when the stream cannot be used (then the caller drops the connection). */
  feed(chunk) {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    if (!this.cur) {
      if (this.pending.length < GLOBAL_HEADER) return null;
      const h = readGlobalHeader(this.pending);
      if (!h) return 'not a classic pcap stream (tcpdump -w - writes one; pcapng is not spliced)';
      if (this.out && h.linktype !== this.out.linktype) return `link type changed from ${this.out.linktype} to ${h.linktype}`;
      this.cur = h;
      this.stats.connections++;
      if (!this.out) {
        this.out = h;
        this.write(Buffer.from(this.pending.subarray(0, GLOBAL_HEADER)));
      }
      this.pending = this.pending.subarray(GLOBAL_HEADER);
    }
    const c = this.cur;
    let off = 0;
    const out = [];
    while (this.pending.length - off >= RECORD_HEADER) {
      const p = this.pending;
      const u32 = (o) => (c.le ? p.readUInt32LE(o) : p.readUInt32BE(o));
      const sec = u32(off);
      let frac = u32(off + 4);
      const caplen = u32(off + 8);
      const origlen = u32(off + 12);
      if (caplen > MAX_CAPLEN) return `corrupt record (caplen ${caplen})`;
      if (this.pending.length - off < RECORD_HEADER + caplen) break;
      if (c.nanos !== this.out.nanos) frac = c.nanos ? Math.floor(frac / 1000) : frac * 1000;
      const rec = Buffer.allocUnsafe(RECORD_HEADER + caplen);
      const w32 = (v, o) => (this.out.le ? rec.writeUInt32LE(v >>> 0, o) : rec.writeUInt32BE(v >>> 0, o));
      w32(sec, 0); w32(frac, 4); w32(caplen, 8); w32(origlen, 12);
      p.copy(rec, RECORD_HEADER, off + RECORD_HEADER, off + RECORD_HEADER + caplen);
      out.push(rec);
      off += RECORD_HEADER + caplen;
      this.stats.records++;
    }
    this.pending = this.pending.subarray(off);
    if (out.length) {
      const b = Buffer.concat(out);
      this.stats.bytes += b.length;
      this.write(b);
    }
    return null;
  }

  endConnection() {
    if (this.pending.length > 0 && this.cur) this.stats.partial_dropped++;
    this.pending = Buffer.alloc(0);
    this.cur = null;
  }
}

function log(msg) {
  process.stderr.write(`remote-capture: ${msg}\n`);
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  let child = null;
  let stopping = false;
  const stop = () => {
    stopping = true;
    if (child) child.kill('SIGTERM');
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // The daemon went away: nothing left to feed.
  process.stdout.on('error', (e) => {
    if (e.code === 'EPIPE') { stop(); process.exit(0); }
  });

  const splicer = new Splicer((b) => {
    if (!process.stdout.write(b) && child) {
      child.stdout.pause();
      process.stdout.once('drain', () => child?.stdout.resume());
    }
  });
  let delay = o.retryMin;
  for (let run = 1; run <= o.maxRuns && !stopping; run++) {
    const started = Date.now();
    const before = splicer.stats.records;
    const code = await new Promise((resolve) => {
      child = spawn(o.cmd[0], o.cmd.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
      child.on('error', (e) => { log(`cannot run ${o.cmd[0]}: ${e.message}`); });
      child.stdout.on('data', (chunk) => {
        const err = splicer.feed(chunk);
        if (err) {
          log(err);
          if (err.startsWith('link type changed')) process.exit(3);
          child.kill('SIGTERM');
        }
      });
      child.on('close', (c, sig) => resolve(sig ?? c));
    });
    child = null;
    splicer.endConnection();
    const secs = Math.round((Date.now() - started) / 1000);
    const got = splicer.stats.records - before;
    if (stopping) break;
    // A connection that ran a while resets the backoff; quick failures back off up to retry-max.
    delay = secs >= 60 || got > 0 ? o.retryMin : Math.min(o.retryMax, Math.max(o.retryMin, delay * 2));
    if (run >= o.maxRuns) { log(`capture ended (${code}) after ${secs} s, ${got} packets; no more runs`); break; }
    log(`capture ended (${code}) after ${secs} s, ${got} packets; reconnecting in ${delay} s`);
    await new Promise((r) => setTimeout(r, delay * 1000));
  }
  const s = splicer.stats;
  log(`done: ${s.connections} connections, ${s.records} packets, ${s.partial_dropped} partial records dropped`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  main().catch((e) => {
    log(e instanceof Error ? e.message : String(e));
    process.exit(2);
  });
}
