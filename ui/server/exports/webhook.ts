// Webhook exporter: one POST per alert (waakhond.event/1 JSON signed with HMAC-SHA256, or ntfy-style plain text),
// sent in order from a bounded queue with a timeout and retries with exponential back-off; never blocks the caller.
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { BoundedQueue } from './queue.js';
import { SEVERITIES } from '../../../rules/engine/types.js';
import type { AlertMessage, DeviceMessage, HealthMessage, WebhookConfig } from './schema.js';
import type { ExportSink } from './index.js';

export const SIGNATURE_HEADER = 'X-Waakhond-Signature';
export const TIMESTAMP_HEADER = 'X-Waakhond-Timestamp';
export const DELIVERY_HEADER = 'X-Waakhond-Delivery';
export const EVENT_HEADER = 'X-Waakhond-Event';

/** "sha256=" + hex HMAC-SHA256(secret, timestamp + "." + body): the timestamp is signed so a captured request cannot be replayed later. */
export function signPayload(secret: string, timestamp: number, body: string): string {
  return 'sha256=' + createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

/** What a receiver does: recompute the signature, compare in constant time, refuse timestamps outside the tolerance. */
export function verifySignature(secret: string, timestampHeader: string, body: string, signatureHeader: string,
  toleranceS = 300, nowS = Math.floor(Date.now() / 1000)): boolean {
  const ts = Number(timestampHeader);
  if (!Number.isInteger(ts) || Math.abs(nowS - ts) > toleranceS) return false;
  const want = Buffer.from(signPayload(secret, ts, body));
  const got = Buffer.from(signatureHeader);
  return want.length === got.length && timingSafeEqual(want, got);
}

// ntfy priorities: 1 min, 2 low, 3 default, 4 high, 5 urgent (https://docs.ntfy.sh/publish/#message-priority).
const NTFY_PRIORITY: Record<string, number> = { info: 1, low: 2, medium: 3, high: 4, critical: 5 };
// ntfy turns tags that are emoji short codes into emoji in the notification.
const NTFY_TAG: Record<string, string> = { info: 'information_source', low: 'information_source', medium: 'warning', high: 'rotating_light', critical: 'rotating_light' };

/** HTTP header values must be ISO-8859-1 without CR/LF; other text goes as RFC 2047 encoded-words (ntfy decodes them). */
export function headerText(s: string): string {
  // eslint-disable-next-line no-control-regex
  const flat = s.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim().slice(0, 200);
  return /^[\x20-\x7e]*$/.test(flat) ? flat : `=?UTF-8?B?${Buffer.from(flat, 'utf8').toString('base64')}?=`;
}

/** The ntfy text form of an alert: body, and Title/Priority/Tags headers. */
export function ntfyRequest(msg: AlertMessage): { body: string; headers: Record<string, string> } {
  const a = msg.alert;
  const cleared = msg.change === 'cleared';
  const lines = [a.summary];
  if (a.device) lines.push(`Device: ${a.device}`);
  if (a.advice && !cleared) lines.push(`Advice: ${a.advice}`);
  return {
    body: lines.join('\n'),
    headers: {
      'Content-Type': 'text/plain; charset=utf-8',
      Title: headerText(cleared ? `Resolved: ${a.title}` : a.title),
      Priority: String(cleared ? 2 : NTFY_PRIORITY[a.severity] ?? 3),
      Tags: cleared ? 'white_check_mark,waakhond' : `${NTFY_TAG[a.severity] ?? 'warning'},waakhond`,
    },
  };
}

interface Job {
  msg: AlertMessage;
  delivery: string;
  attempt: number;
}

/** The baseline's "a device not seen before joined the network" alert (rules/baseline/baseline.yaml). */
const NEW_DEVICE_RULE = 'baseline.new-device';

export class WebhookExporter implements ExportSink {
  readonly name: string;
  private queue: BoundedQueue<Job>;
  private current: Job | null = null;
  private timer: NodeJS.Timeout | null = null;
  private abort: AbortController | null = null;
  private sent = 0;
  private failed = 0;
  private closed = false;
  private readonly minSeverity: number;
  /** Attempts made (first tries and retries), for tests and health. */
  attempts = 0;

  constructor(readonly cfg: WebhookConfig, readonly site: string, readonly log: (msg: string) => void, name = 'webhook') {
    this.name = name;
    this.queue = new BoundedQueue<Job>(cfg.queue_max);
    this.minSeverity = SEVERITIES.indexOf(cfg.min_severity);
  }

  device(_msg: DeviceMessage): void {}
  health(_msg: HealthMessage): void {}

  alert(msg: AlertMessage): void {
    if (this.closed || !this.cfg.events.includes(msg.change)) return;
    const newDevice = this.cfg.new_devices && msg.alert.rule === NEW_DEVICE_RULE;
    if (SEVERITIES.indexOf(msg.alert.severity) < this.minSeverity && !newDevice) return;
    this.queue.push({ msg, delivery: randomUUID(), attempt: 0 }, null, JSON.stringify(msg).length);
    this.pump();
  }

  counters() {
    return { queued: this.queue.length + (this.current ? 1 : 0), queued_bytes: this.queue.bytes, dropped: this.queue.dropped, sent: this.sent, failed: this.failed };
  }

  private pump(): void {
    if (this.current || this.timer || this.closed) return;
    const job = this.queue.shift();
    if (!job) return;
    this.current = job;
    void this.attempt(job);
  }

  private request(job: Job): { body: string; headers: Record<string, string> } {
    const base = this.cfg.format === 'ntfy'
      ? ntfyRequest(job.msg)
      : { body: JSON.stringify(job.msg), headers: { 'Content-Type': 'application/json' } };
    const ts = Math.floor(Date.now() / 1000);
    const headers: Record<string, string> = {
      'User-Agent': 'waakhond',
      [EVENT_HEADER]: `alert.${job.msg.change}`,
      // Same id on every retry of one delivery: receivers deduplicate on it.
      [DELIVERY_HEADER]: job.delivery,
      ...this.cfg.headers,
      ...base.headers,
    };
    if (this.cfg.secret) {
      headers[TIMESTAMP_HEADER] = String(ts);
      headers[SIGNATURE_HEADER] = signPayload(this.cfg.secret, ts, base.body);
    }
    return { body: base.body, headers };
  }

  private async attempt(job: Job): Promise<void> {
    job.attempt++;
    this.attempts++;
    const { body, headers } = this.request(job);
    this.abort = new AbortController();
    const timeout = setTimeout(() => this.abort?.abort(new Error(`timeout after ${this.cfg.timeout_ms} ms`)), this.cfg.timeout_ms);
    let retry = false;
    let retryAfterMs = 0;
    let why = '';
    try {
      const res = await fetch(this.cfg.url, { method: 'POST', body, headers, signal: this.abort.signal, redirect: 'error' });
      await res.arrayBuffer().catch(() => undefined); // drain so the connection can be reused
      if (res.ok) {
        this.sent++;
      } else {
        why = `HTTP ${res.status}`;
        // 408/425/429 and 5xx are worth another try; other 4xx mean the request itself is wrong.
        retry = res.status >= 500 || res.status === 408 || res.status === 425 || res.status === 429;
        const ra = Number(res.headers.get('retry-after'));
        if (Number.isFinite(ra) && ra > 0) retryAfterMs = ra * 1000;
      }
    } catch (err) {
      const e = err as Error & { cause?: Error };
      why = e.name === 'AbortError' || /timeout/.test(String(e.message) + String(e.cause?.message)) ? `timeout after ${this.cfg.timeout_ms} ms` : (e.cause?.message ?? e.message);
      retry = true;
    } finally {
      clearTimeout(timeout);
      this.abort = null;
    }
    if (this.closed) return;
    if (why && retry && job.attempt <= this.cfg.retries) {
      // Exponential back-off with up to 20% jitter, so many homes do not retry in step.
      const base = Math.min(this.cfg.backoff_ms * 2 ** (job.attempt - 1), this.cfg.backoff_max_ms);
      const delay = Math.min(Math.max(base * (1 + Math.random() * 0.2), retryAfterMs), this.cfg.backoff_max_ms);
      this.timer = setTimeout(() => {
        this.timer = null;
        void this.attempt(job);
      }, delay);
      return;
    }
    if (why) {
      this.failed++;
      this.log(`${this.name}: ${job.msg.alert.id} ${job.msg.change} not delivered after ${job.attempt} attempt(s): ${why}`);
    }
    this.current = null;
    this.pump();
  }

  /** Wait a little for the queue to drain, then stop; what is left is counted as failed. */
  async close(timeoutMs = 2000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while ((this.current || this.queue.length > 0) && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.abort?.abort(new Error('closing'));
    const left = this.queue.length + (this.current ? 1 : 0);
    if (left > 0) {
      this.failed += left;
      this.log(`${this.name}: closing with ${left} undelivered alert(s)`);
    }
    this.queue.clear();
    this.current = null;
  }
}
