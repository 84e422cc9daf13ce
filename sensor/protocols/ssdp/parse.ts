// SSDP parser (UPnP Device Architecture 2.0, 1): NOTIFY, M-SEARCH and search responses -> the fields of an SsdpEvent.
import type { Endpoints, SsdpEvent } from '../../events.js';
import { isVersion } from '../http/parse.js';
import { isTchar, lineEnd, readHeaders } from '../http/lines.js';

export type SsdpFields = Omit<SsdpEvent, 'type' | 'ts' | keyof Endpoints | 'src_port' | 'dst_port'>;

/** Other headers kept per message (names lower-cased, values at most 512 characters). */
export const SSDP_MAX_OTHER_HEADERS = 32;

const KNOWN = new Set(['server', 'user-agent', 'st', 'nt', 'nts', 'usn', 'location']);

/**
 * Parse an SSDP datagram (UDP 1900). Start lines: "NOTIFY * HTTP/1.1", "M-SEARCH * HTTP/1.1",
 * "HTTP/1.1 200 OK" (a search response); another "METHOD target HTTP/d.d" is OTHER.
 * Null when the datagram does not start with an HTTP-style start line.
 */
export function parseSsdp(payload: Uint8Array): SsdpFields | null {
  const b = payload;
  if (b.length < 12) return null;
  const lf = lineEnd(b, 0);
  if (lf < 0) return null;
  let end = lf;
  if (end > 0 && b[end - 1] === 0x0d) end--;
  let method: SsdpFields['method'];
  if (isVersion(b, 0)) {
    if (b[8] !== 0x20) return null;
    method = 'RESPONSE';
  } else {
    let p = 0;
    while (p < end && p < 24 && isTchar(b[p])) p++;
    if (p === 0 || b[p] !== 0x20 || end < 8 || !isVersion(b, end - 8)) return null;
    const m = String.fromCharCode.apply(null, b.subarray(0, p) as unknown as number[]);
    method = m === 'NOTIFY' ? 'NOTIFY' : m === 'M-SEARCH' ? 'M-SEARCH' : 'OTHER';
  }
  const f: SsdpFields = {
    method, server: null, user_agent: null, st: null, nt: null, nts: null, usn: null, location: null, headers: {},
  };
  let others = 0;
  readHeaders(b, lf + 1, (name, value) => {
    if (KNOWN.has(name)) {
      switch (name) {
        case 'server': f.server ??= value; break;
        case 'user-agent': f.user_agent ??= value; break;
        case 'st': f.st ??= value; break;
        case 'nt': f.nt ??= value; break;
        case 'nts': f.nts ??= value; break;
        case 'usn': f.usn ??= value; break;
        default: f.location ??= value; break;
      }
      return;
    }
    // First value wins; "__proto__" would set the prototype of a plain object: not kept.
    if (others >= SSDP_MAX_OTHER_HEADERS || name === '__proto__' || Object.hasOwn(f.headers, name)) return;
    f.headers[name] = value;
    others++;
  });
  return f;
}
