// UPnP device description fetch (UPnP Device Architecture 2.0, 2.1) with the sensor's safety rules, and its parse.
import { XMLParser } from 'fast-xml-parser';
import type { UpnpDescription } from '../inventory/inventory.js';

export interface FetchOptions {
  /** Whole request budget, ms. */
  timeoutMs?: number;
  /** Bytes of description read at most. */
  maxBytes?: number;
  /** True for addresses on the home LAN. */
  isLocal: (ip: string) => boolean;
}

export type FetchResult = { ok: true; description: UpnpDescription } | { ok: false; reason: string };

/**
 * Why a LOCATION must not be fetched, or null when it may: only plain http to the announcing
 * device's own LAN address, so a hostile device cannot turn the sensor into a proxy.
 */
export function locationRefusal(location: string, announcer: string, isLocal: (ip: string) => boolean): string | null {
  let u: URL;
  try {
    u = new URL(location);
  } catch {
    return 'LOCATION is not a URL';
  }
  if (u.protocol !== 'http:') return `scheme ${u.protocol} not allowed`;
  if (u.username || u.password) return 'credentials in LOCATION';
  const host = u.hostname.replace(/^\[|\]$/g, '');
  if (host !== announcer) return `LOCATION host ${host} is not the announcing device ${announcer}`;
  if (!isLocal(host)) return `${host} is not a LAN address`;
  return null;
}

export async function fetchDescription(location: string, announcer: string, opts: FetchOptions): Promise<FetchResult> {
  const refusal = locationRefusal(location, announcer, opts.isLocal);
  if (refusal) return { ok: false, reason: refusal };
  const maxBytes = opts.maxBytes ?? 64 * 1024;
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), opts.timeoutMs ?? 3000);
  try {
    // redirect: 'manual': a redirect could point anywhere; it is a refusal, not followed.
    const res = await fetch(location, { signal: ac.signal, redirect: 'manual', headers: { accept: 'text/xml, application/xml' } });
    if (res.status !== 200) return { ok: false, reason: `HTTP ${res.status}` };
    const declared = Number(res.headers.get('content-length') ?? '0');
    if (declared > maxBytes) {
      void res.body?.cancel().catch(() => {});
      return { ok: false, reason: `description larger than ${maxBytes} bytes` };
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    if (!res.body) return { ok: false, reason: 'no body' };
    let tooBig = false;
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      size += chunk.byteLength;
      if (size > maxBytes) { tooBig = true; break; }
      chunks.push(chunk);
    }
    if (tooBig) {
      ac.abort();
      return { ok: false, reason: `description larger than ${maxBytes} bytes` };
    }
    const text = Buffer.concat(chunks).toString('utf8');
    const description = parseDescription(text);
    return description ? { ok: true, description } : { ok: false, reason: 'not a UPnP device description' };
  } catch (err) {
    return { ok: false, reason: ac.signal.aborted ? 'timed out' : `fetch failed: ${(err as Error).message}` };
  } finally {
    clearTimeout(timer);
  }
}

const FIELDS: [keyof UpnpDescription, string][] = [
  ['manufacturer', 'manufacturer'], ['manufacturer_url', 'manufacturerURL'], ['model_name', 'modelName'],
  ['model_number', 'modelNumber'], ['model_description', 'modelDescription'], ['friendly_name', 'friendlyName'],
  ['device_type', 'deviceType'],
];

/** root/device fields of a description (UDA 2.0, 2.3); null when there is no root device. Entities are not expanded. */
export function parseDescription(xml: string): UpnpDescription | null {
  const parser = new XMLParser({ ignoreAttributes: true, removeNSPrefix: true, processEntities: false, parseTagValue: false, trimValues: true });
  let doc: unknown;
  try {
    doc = parser.parse(xml);
  } catch {
    return null;
  }
  const device = (doc as { root?: { device?: unknown } } | null)?.root?.device;
  if (!device || typeof device !== 'object') return null;
  const out: UpnpDescription = {};
  for (const [k, tag] of FIELDS) {
    const v = (device as Record<string, unknown>)[tag];
    if (typeof v === 'string' && v.trim()) out[k] = v.replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, 200);
  }
  return out;
}
