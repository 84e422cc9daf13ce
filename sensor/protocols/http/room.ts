// The HTTP room: every request and response head of a connection (keep-alive, pipelining), on any port,
// up to a per-flow byte budget, and the first bytes of each response body as a file_transfer event.
import type { RoomDescriptor, RoomHost, TcpHandler } from '../room.js';
import { classifyFile } from '../file/classify.js';
import { fileTransferEvent } from '../file/event.js';
import { lineEnd } from './lines.js';
import { httpHead, isVersion, parseHttpRequest, parseHttpResponse } from './parse.js';

/**
 * Client bytes of one connection looked at for requests. A request head is 100-800 bytes (curl/wget/
 * busybox wget send ~100-200), so 64 KiB follows a keep-alive connection through hundreds of requests:
 * Mirai's whole bins folder (bins.sh and a dozen architectures) is ~3 KB of requests. A big upload
 * (client body) uses the budget up and the flow then skips the parsers at the cost of one compare.
 */
export const HTTP_CLIENT_BUDGET = 64 * 1024;
/** Responses are looked for at the start of the first server segments even with no request seen (capture started mid-connection). */
const HTTP_UNSOLICITED_SEGMENTS = 4;
/** Requests awaiting their response, kept per flow (uri and host for the file event), and flows with such a queue. */
export const HTTP_QUEUE_DEPTH = 16;
export const HTTP_QUEUE_FLOWS = 4096;
/** A response head cut by a segment end is kept (at most this many bytes, for this many flows at once) and read with the next segment. */
export const HTTP_CARRY_MAX = 4096;
// (the same bounds serve request heads cut by a segment end: a request line split from its headers, or "POST " alone)
export const HTTP_CARRY_FLOWS = 256;
/** Messages read from one segment (pipelined requests, small responses back to back). */
const HTTP_MESSAGES_PER_SEGMENT = 16;

interface Pending {
  uri: string;
  host: string | null;
  head: boolean;
}

interface BodyStart {
  uri: string | null;
  host: string | null;
  content_type: string | null;
  /** The body's first bytes that were in the head's segment (fewer than HTTP_FILE_HEAD). */
  prefix: Uint8Array;
  chunked: boolean;
  encoded: boolean;
}

/** Body bytes wanted before a file is classified (the ELF header's e_machine is at 18-19): fewer at a segment end wait for the next segment. */
export const HTTP_FILE_HEAD = 64;

class HttpHandler implements TcpHandler {
  /** Client payload bytes seen (saturating). */
  private readonly clientBytes: Uint32Array;
  /** Requests with no response yet (saturating at 255). */
  private readonly waiting: Uint8Array;
  /** Content-Length of a body whose first bytes are the next server segment (see bodyNext); once those
   *  are classified the rest goes to the flow table's respSkip, which the pipeline counts off. */
  private readonly bodyLeft: Float64Array;
  /** Requests awaiting their responses, per flow (bounded: HTTP_QUEUE_FLOWS x HTTP_QUEUE_DEPTH). */
  private readonly queue = new Map<number, Pending[]>();
  /** Responses whose body had fewer than HTTP_FILE_HEAD bytes in the head's segment: classified with the next server segment. */
  private readonly bodyNext = new Map<number, BodyStart>();
  /** Start of a response head cut by the end of its segment, per flow. */
  private readonly carry = new Map<number, Uint8Array>();
  /** Start of a request head cut by the end of its segment, per flow. */
  private readonly reqCarry = new Map<number, Uint8Array>();
  /** Requests whose uri/host could not be queued (table or queue full): their file events carry null names. */
  dropped = 0;

  constructor(private readonly h: RoomHost) {
    const cap = h.flows.capacity;
    this.clientBytes = new Uint32Array(cap);
    this.waiting = new Uint8Array(cap);
    this.bodyLeft = new Float64Array(cap);
  }

  segment(f: number, payload: Uint8Array, fromClient: boolean, segs: number): boolean {
    if (fromClient) {
      const seen = this.clientBytes[f];
      if (seen < HTTP_CLIENT_BUDGET) {
        this.clientBytes[f] = Math.min(seen + payload.length, 0xffffffff);
        this.requests(f, payload);
      }
    } else {
      this.responses(f, payload, segs);
    }
    if (this.clientBytes[f] >= HTTP_CLIENT_BUDGET && this.waiting[f] === 0 && !this.bodyNext.has(f)) {
      this.end(f);
      return false;
    }
    return true;
  }

  end(f: number): void {
    this.clientBytes[f] = 0;
    this.waiting[f] = 0;
    this.bodyLeft[f] = 0;
    if (this.queue.size > 0) this.queue.delete(f);
    if (this.bodyNext.size > 0) this.bodyNext.delete(f);
    if (this.carry.size > 0) this.carry.delete(f);
    if (this.reqCarry.size > 0) this.reqCarry.delete(f);
  }

  held(): number {
    return this.queue.size + this.bodyNext.size + this.carry.size + this.reqCarry.size;
  }

  private requests(f: number, seg: Uint8Array): void {
    const h = this.h;
    const p = h.p;
    let b = seg;
    // A request head cut by the previous segment's end ("POST " alone, or the headers): joined with this one.
    const carried = this.reqCarry.size > 0 ? this.reqCarry.get(f) : undefined;
    if (carried !== undefined) {
      this.reqCarry.delete(f);
      b = new Uint8Array(carried.length + seg.length);
      b.set(carried);
      b.set(seg, carried.length);
    }
    let off = 0;
    for (let n = 0; n < HTTP_MESSAGES_PER_SEGMENT && off < b.length; n++) {
      const m = off === 0 ? b : b.subarray(off);
      if (startsLikeRequest(m)) {
        const sl = lineEnd(m, 0);
        if ((sl < 0 || httpHead(m, sl + 1) === null) && m.length < HTTP_CARRY_MAX) {
          if (this.reqCarry.size < HTTP_CARRY_FLOWS) { this.reqCarry.set(f, m.slice()); return; }
          this.dropped++; // table full: read what this segment has
        }
      }
      const req = parseHttpRequest(m);
      if (req === null) return;
      h.emit({
        type: 'http_request', ts: p.ts, src_mac: h.srcMac(), dst_mac: h.dstMac(), src_ip: h.ipSrc(), dst_ip: h.ipDst(),
        direction: h.direction(), src_port: p.srcPort, dst_port: p.dstPort,
        method: req.method, uri: req.uri, version: req.version, host: req.host, user_agent: req.user_agent, body: req.body,
      });
      if (this.waiting[f] < 255) this.waiting[f]++;
      this.enqueue(f, { uri: req.uri, host: req.host, head: req.method === 'HEAD' });
      // The next pipelined request starts after this one's head and Content-Length body (RFC 9112 6.3).
      const head = httpHead(m, lineEnd(m, 0) + 1);
      if (head === null || head.chunked) return;
      off += head.end + Math.max(0, head.contentLength);
    }
  }

  private responses(f: number, seg: Uint8Array, segs: number): void {
    const h = this.h;
    let b = seg;
    let off = 0;
    // A head cut by the previous segment's end: read it joined with this segment.
    const carried = this.carry.size > 0 ? this.carry.get(f) : undefined;
    if (carried !== undefined) {
      this.carry.delete(f);
      b = new Uint8Array(carried.length + seg.length);
      b.set(carried);
      b.set(seg, carried.length);
    }
    const fl = this.h.flows;
    // A body whose head ended with the previous segment starts here.
    const next = this.bodyNext.size > 0 ? this.bodyNext.get(f) : undefined;
    if (next !== undefined) {
      this.bodyNext.delete(f);
      let body = b;
      if (next.prefix.length > 0) {
        body = new Uint8Array(next.prefix.length + Math.min(b.length, 1024));
        body.set(next.prefix);
        body.set(b.subarray(0, body.length - next.prefix.length), next.prefix.length);
      }
      this.file(body, next.host, next.uri, next.content_type, next.chunked, next.encoded);
      const left = this.bodyLeft[f];
      this.bodyLeft[f] = 0;
      // The rest of a body of known length is counted off by the pipeline; the next head follows it.
      if (left >= b.length) { fl.respSkip[f] = left - b.length; return; }
      off = left;
    } else {
      // The pipeline passed every segment wholly inside the previous body; this one holds its end.
      const left = fl.respSkip[f];
      if (left > 0) { off = left; fl.respSkip[f] = 0; }
    }
    for (let n = 0; n < HTTP_MESSAGES_PER_SEGMENT && off < b.length; n++) {
      if (this.waiting[f] === 0 && segs > HTTP_UNSOLICITED_SEGMENTS) return;
      const m = off === 0 ? b : b.subarray(off);
      // Most server segments are body bytes: a look at the first 9 bytes, before any line is searched.
      if (!startsLikeStatusLine(m)) return;
      const sl = lineEnd(m, 0);
      const head = sl >= 0 ? httpHead(m, sl + 1) : null;
      if (head === null) {
        // The head continues in the next segment (pipelined responses rarely end on a segment boundary).
        if (m.length <= HTTP_CARRY_MAX && this.carry.size < HTTP_CARRY_FLOWS) this.carry.set(f, m.slice());
        else this.dropped++;
        return;
      }
      const res = parseHttpResponse(m);
      if (res === null) return;
      const p = h.p;
      h.emit({
        type: 'http_response', ts: p.ts, src_mac: h.srcMac(), dst_mac: h.dstMac(), src_ip: h.ipSrc(), dst_ip: h.ipDst(),
        direction: h.direction(), src_port: p.srcPort, dst_port: p.dstPort,
        status: res.status, server: res.server, content_type: res.content_type,
      });
      // RFC 9110 15.2: 1xx responses are interim; the request's final response follows.
      const final = res.status >= 200;
      let req: Pending | undefined;
      if (final) {
        if (this.waiting[f] > 0) this.waiting[f]--;
        req = this.dequeue(f);
      }
      const start = off + head.end;
      // RFC 9112 6.3: no body after HEAD, 1xx, 204 and 304; Content-Length 0 is an empty body.
      const hasBody = final && res.status !== 204 && res.status !== 304 && req?.head !== true && head.contentLength !== 0;
      if (hasBody) {
        const avail = b.length - start;
        const want = head.contentLength >= 0 ? Math.min(HTTP_FILE_HEAD, head.contentLength) : HTTP_FILE_HEAD;
        if (avail >= want || this.bodyNext.size >= HTTP_QUEUE_FLOWS) this.file(b.subarray(start), req?.host ?? null, req?.uri ?? null, res.content_type, head.chunked, head.encoded);
        else this.bodyNext.set(f, { uri: req?.uri ?? null, host: req?.host ?? null, content_type: res.content_type, prefix: b.slice(start), chunked: head.chunked, encoded: head.encoded });
      }
      if (!hasBody) { off = start; continue; }
      if (head.contentLength < 0) return; // chunked or until close: later heads only at segment starts
      const after = start + head.contentLength;
      if (after >= b.length) {
        if (this.bodyNext.has(f)) this.bodyLeft[f] = after - b.length;
        else fl.respSkip[f] = after - b.length;
        return;
      }
      off = after;
    }
  }

  /**
   * One file_transfer per response body. Bodies that are not executables, scripts or archives are
   * reported only when the server calls them a download (no Content-Type, application/octet-stream,
   * application/x-... other than x-javascript): web pages and images are not file transfers worth a
   * rule's attention. A body sent with a Content-Encoding (gzip-compressed pages) starts with the
   * encoding's bytes, not the file's: it is reported only as a download, never classified from them.
   */
  private file(data: Uint8Array, host: string | null, uri: string | null, contentType: string | null, chunked: boolean, encoded: boolean): void {
    let body = data;
    if (chunked) {
      // RFC 9112 7.1: a chunked body starts with the chunk size in hex and CRLF; the file follows.
      const lf = body.indexOf(0x0a);
      if (lf > 0 && lf < 24) body = body.subarray(lf + 1);
    }
    if (body.length === 0) return;
    const ct = contentType === null ? null : contentType.toLowerCase();
    const download = ct === null || ct.startsWith('application/octet-stream') || (ct.startsWith('application/x-') && !ct.startsWith('application/x-javascript'));
    if (encoded && !download) return;
    const c = classifyFile(body);
    if (c.file_type === 'other' && !download) return;
    this.h.emit(fileTransferEvent(this.h, c, 'http', false, host, uri, contentType));
  }

  private enqueue(f: number, r: Pending): void {
    let q = this.queue.get(f);
    if (q === undefined) {
      if (this.queue.size >= HTTP_QUEUE_FLOWS) { this.dropped++; return; }
      q = [];
      this.queue.set(f, q);
    }
    if (q.length >= HTTP_QUEUE_DEPTH) { this.dropped++; return; }
    q.push(r);
  }

  private dequeue(f: number): Pending | undefined {
    if (this.queue.size === 0) return undefined;
    const q = this.queue.get(f);
    if (q === undefined) return undefined;
    const r = q.shift();
    if (q.length === 0) this.queue.delete(f);
    return r;
  }
}

/** The bytes could be the start of a status line: "HTTP/d.d SP" or a prefix of it. */
function startsLikeStatusLine(m: Uint8Array): boolean {
  const n = Math.min(m.length, 5);
  for (let i = 0; i < n; i++) if (m[i] !== 'HTTP/'.charCodeAt(i)) return false;
  return m.length < 9 || isVersion(m, 0);
}

/** The bytes start with a registered method and a space, or are a prefix of one ("POS"). */
function startsLikeRequest(m: Uint8Array): boolean {
  let e = 0;
  while (e < m.length && e < 10 && m[e] >= 0x41 && m[e] <= 0x5a) e++;
  if (e === 0) return false;
  const word = String.fromCharCode.apply(null, m.subarray(0, e) as unknown as number[]);
  if (e === m.length) {
    for (const meth of HTTP_METHODS) if (meth.startsWith(word)) return true;
    return false;
  }
  return m[e] === 0x20 && HTTP_METHODS.has(word);
}

/**
 * Methods of the IANA HTTP Method Registry (RFC 9110 9, RFC 5789 PATCH, RFC 4918 WebDAV) that clients
 * on a home network send: a first segment starting with one of them and a space is HTTP even when the
 * request line continues in the next segment (some clients write "POST " on its own).
 */
export const HTTP_METHODS: ReadonlySet<string> = new Set([
  'GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH',
  'PROPFIND', 'PROPPATCH', 'MKCOL', 'COPY', 'MOVE', 'LOCK', 'UNLOCK', 'REPORT', 'SEARCH',
]);

/**
 * First bytes of a flow that are HTTP: a request line "TOKEN SP target SP HTTP/d.d" ending in this
 * segment (RFC 9112 3), a registered method and a space, or a status line "HTTP/d.d SP" (RFC 9112 4)
 * from the server (capture started mid-connection).
 */
export function looksLikeHttp(b: Uint8Array, fromClient: boolean): boolean {
  if (b.length >= 12 && b[0] === 0x48 && isVersion(b, 0) && b[8] === 0x20) return true;
  if (!fromClient || b.length < 4 || b[0] < 0x41 || b[0] > 0x5a) return false;
  let sp = 1;
  while (sp < b.length && sp < 10 && b[sp] >= 0x41 && b[sp] <= 0x5a) sp++;
  if (b[sp] === 0x20 && HTTP_METHODS.has(String.fromCharCode.apply(null, b.subarray(0, sp) as unknown as number[]))) return true;
  const lf = lineEnd(b, 1);
  if (lf < 10) return false;
  const end = b[lf - 1] === 0x0d ? lf - 1 : lf;
  return end >= 10 && b[end - 9] === 0x20 && isVersion(b, end - 8);
}

export const httpRoom: RoomDescriptor = {
  name: 'http',
  events: ['http_request', 'http_response', 'file_transfer'],
  tcp: {
    sniff: looksLikeHttp,
    firstSpeaker: 'client',
    create: (h: RoomHost): TcpHandler => new HttpHandler(h),
  },
};
