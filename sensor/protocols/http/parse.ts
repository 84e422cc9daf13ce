// HTTP/1.x parser for the first segment of a message (RFC 9112): request line, Host, User-Agent; status line, Server, Content-Type.
import type { Endpoints, HttpRequestEvent, HttpResponseEvent } from '../../events.js';
import { netText, printableText } from '../bytes.js';
import { isTchar, lineEnd, MAX_HEADER_LINES, readHeaders } from './lines.js';

/** The header fields the request and response parsers read (readHeaders skips the text of the rest). */
const REQUEST_FIELDS: readonly string[] = ['host', 'user-agent'];
const RESPONSE_FIELDS: readonly string[] = ['server', 'content-type'];

type PipelineOwned = 'type' | 'ts' | keyof Endpoints | 'src_port' | 'dst_port';
export type HttpRequestFields = Omit<HttpRequestEvent, PipelineOwned>;
export type HttpResponseFields = Omit<HttpResponseEvent, PipelineOwned>;

export const HTTP_LIMITS = { method: 24, uri: 2048, body: 512 } as const;

/**
 * Parse an HTTP/1.x request head from the first segment of a client's stream.
 * Null unless it starts with "METHOD SP request-target SP HTTP/d.d" and that line ends in this segment.
 * Cheap on non-HTTP: the first byte must be an upper-case letter (every registered method starts so).
 */
export function parseHttpRequest(payload: Uint8Array): HttpRequestFields | null {
  const b = payload;
  if (b.length < 14 || b[0] < 0x41 || b[0] > 0x5a) return null;
  // RFC 9112 3: method = token
  let p = 0;
  while (p < b.length && p <= HTTP_LIMITS.method && isTchar(b[p])) p++;
  if (p === 0 || p > HTTP_LIMITS.method || b[p] !== 0x20) return null;
  const method = String.fromCharCode.apply(null, b.subarray(0, p) as unknown as number[]);
  const lf = lineEnd(b, p);
  if (lf < 0) return null; // request line cut by the segment end
  let end = lf;
  if (b[end - 1] === 0x0d) end--;
  // "HTTP/d.d" ends the line; the request-target is between (RFC 9112 3.2, no SP inside).
  const vStart = end - 8;
  if (vStart <= p + 1 || b[vStart - 1] !== 0x20 || !isVersion(b, vStart)) return null;
  const version = String.fromCharCode.apply(null, b.subarray(vStart, end) as unknown as number[]);
  const uri = netText(b, p + 1, vStart - 1, HTTP_LIMITS.uri);
  let host: string | null = null;
  let user_agent: string | null = null;
  readHeaders(b, lf + 1, (name, value) => {
    if (name === 'host' && host === null) host = value;
    else if (name === 'user-agent' && user_agent === null) user_agent = value;
    return host !== null && user_agent !== null;
  }, REQUEST_FIELDS);
  // The body's printable start, if the head ends in this segment and a body follows it (RFC 9112 6.3:
  // Content-Length bounds it; without one a request has no body, unless chunked).
  let body: string | null = null;
  const head = httpHead(b, lf + 1);
  if (head !== null && head.end < b.length && (head.contentLength > 0 || head.chunked)) {
    const end = head.contentLength > 0 ? Math.min(b.length, head.end + head.contentLength) : b.length;
    body = printableText(b, head.end, end, HTTP_LIMITS.body);
  }
  return { method, uri, version, host, user_agent, body };
}

/** Where a message head ends and how its body is framed (RFC 9112 6.1-6.3). */
export interface HttpHead {
  /** Offset just after the empty line that ends the head. */
  end: number;
  /** Content-Length, or -1 when absent or not a number. */
  contentLength: number;
  /** Transfer-Encoding ends in chunked: the length is not known up front. */
  chunked: boolean;
  /** A Content-Encoding other than identity (RFC 9110 8.4): the body bytes are a compressed representation, not the file's own first bytes. */
  encoded: boolean;
}

/**
 * Finds the end of the header section that starts at off (the line after the start line) and reads
 * Content-Length and Transfer-Encoding. Null when the empty line is not in b (head cut by the segment
 * end) or after MAX_HEADER_LINES lines.
 */
export function httpHead(b: Uint8Array, off: number): HttpHead | null {
  let contentLength = -1;
  let chunked = false;
  let encoded = false;
  for (let n = 0; n <= MAX_HEADER_LINES; n++) {
    if (off >= b.length) return null;
    const lf = lineEnd(b, off);
    if (lf < 0) return null;
    const len = (lf > off && b[lf - 1] === 0x0d ? lf - 1 : lf) - off;
    if (len === 0) return { end: lf + 1, contentLength, chunked, encoded };
    const c = b[off] | 0x20;
    if (c === 0x63 && len > 15 && b[off + 14] === 0x3a && lowerIs(b, off, 'content-length')) {
      let p = off + 15;
      while (p < lf && (b[p] === 0x20 || b[p] === 0x09)) p++;
      let v = 0;
      let digits = 0;
      while (p < lf && b[p] >= 0x30 && b[p] <= 0x39 && digits < 15) { v = v * 10 + (b[p++] - 0x30); digits++; }
      if (digits > 0) contentLength = v;
    } else if (c === 0x74 && len > 18 && b[off + 17] === 0x3a && lowerIs(b, off, 'transfer-encoding')) {
      // RFC 9112 6.1: chunked is the final coding when present.
      const v = netText(b, off + 18, lf, 128).trim().toLowerCase();
      chunked = v.endsWith('chunked');
    } else if (c === 0x63 && len > 17 && b[off + 16] === 0x3a && lowerIs(b, off, 'content-encoding')) {
      const v = netText(b, off + 17, lf, 64).trim().toLowerCase();
      encoded = v !== '' && v !== 'identity';
    }
    off = lf + 1;
  }
  return null;
}

function lowerIs(b: Uint8Array, off: number, name: string): boolean {
  for (let i = 0; i < name.length; i++) if ((b[off + i] | 0x20) !== name.charCodeAt(i) && b[off + i] !== name.charCodeAt(i)) return false;
  return true;
}

/**
 * Parse an HTTP/1.x response head: "HTTP/d.d SP 3DIGIT ...", Server and Content-Type.
 * Null unless the payload starts with the status line.
 */
export function parseHttpResponse(payload: Uint8Array): HttpResponseFields | null {
  const b = payload;
  // RFC 9112 4: status-line = HTTP-version SP status-code SP [ reason-phrase ]
  if (b.length < 12 || b[0] !== 0x48 || !isVersion(b, 0) || b[8] !== 0x20) return null;
  const d0 = b[9] - 0x30;
  const d1 = b[10] - 0x30;
  const d2 = b[11] - 0x30;
  if (d0 < 1 || d0 > 5 || d1 < 0 || d1 > 9 || d2 < 0 || d2 > 9) return null;
  if (b.length > 12 && b[12] !== 0x20 && b[12] !== 0x0d && b[12] !== 0x0a) return null;
  let server: string | null = null;
  let content_type: string | null = null;
  const lf = lineEnd(b, 12);
  if (lf >= 0) {
    readHeaders(b, lf + 1, (name, value) => {
      if (name === 'server' && server === null) server = value;
      else if (name === 'content-type' && content_type === null) content_type = value;
      return server !== null && content_type !== null;
    }, RESPONSE_FIELDS);
  }
  return { status: d0 * 100 + d1 * 10 + d2, server, content_type };
}

/** "HTTP/" DIGIT "." DIGIT at off (RFC 9112 2.3). */
export function isVersion(b: Uint8Array, off: number): boolean {
  return off + 8 <= b.length && b[off] === 0x48 && b[off + 1] === 0x54 && b[off + 2] === 0x54 && b[off + 3] === 0x50
    && b[off + 4] === 0x2f && b[off + 5] >= 0x30 && b[off + 5] <= 0x39 && b[off + 6] === 0x2e
    && b[off + 7] >= 0x30 && b[off + 7] <= 0x39;
}
