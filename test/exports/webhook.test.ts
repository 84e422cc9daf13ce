// Webhooks against local HTTP receivers: signed JSON per alert, retries with exponential back-off, timeouts,
// giving up, a bounded queue, filters, and the ntfy text mode.
import { afterEach, describe, expect, it } from 'vitest';
import { startExports } from '../../ui/server/exports/index.js';
import { headerText, signPayload, verifySignature } from '../../ui/server/exports/webhook.js';
import type { WebhookConfig } from '../../ui/server/exports/schema.js';
import { Receiver } from './helpers/http.js';
import { waitFor } from './helpers/broker.js';
import { assertValid } from './helpers/validate.js';
import { sampleAlert } from './helpers/samples.js';

const SECRET = 'a-long-shared-secret-for-tests';
let cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const f of cleanup.reverse()) await f().catch(() => undefined);
  cleanup = [];
});

async function setup(hook: Partial<WebhookConfig> = {}) {
  const rx = await Receiver.start();
  const logs: string[] = [];
  const ex = startExports({ site_id: 'home-1', alert_update_interval_s: 0, webhooks: [{ url: rx.url, secret: SECRET, ...hook }] }, (m) => logs.push(m));
  cleanup.push(() => rx.close(), () => ex.close());
  return { rx, ex, logs, c: () => ex.counters().webhook0! };
}

describe('webhooks', () => {
  it('POSTs each alert as signed waakhond.event/1 JSON, in order', async () => {
    const { rx, ex, c } = await setup();
    for (let i = 1; i <= 3; i++) ex.alert(sampleAlert(i), 'raised');
    ex.alert(sampleAlert(1), 'cleared');
    await waitFor(() => rx.hits.length === 4, 5000, '4 posts');
    expect(rx.hits.map((h) => JSON.parse(h.body).alert.count)).toEqual([1, 2, 3, 1]);
    expect(rx.hits.map((h) => h.headers['x-waakhond-event'])).toEqual(['alert.raised', 'alert.raised', 'alert.raised', 'alert.cleared']);
    for (const h of rx.hits) {
      expect(h.headers['content-type']).toBe('application/json');
      assertValid(JSON.parse(h.body));
      const ts = h.headers['x-waakhond-timestamp'] as string;
      const sig = h.headers['x-waakhond-signature'] as string;
      expect(sig).toMatch(/^sha256=[0-9a-f]{64}$/);
      expect(verifySignature(SECRET, ts, h.body, sig)).toBe(true);
      // The signature covers the timestamp and the body: a changed body, a wrong key or a replay later fail.
      expect(verifySignature(SECRET, ts, h.body + ' ', sig)).toBe(false);
      expect(verifySignature('another-secret-of-some-length', ts, h.body, sig)).toBe(false);
      expect(verifySignature(SECRET, ts, h.body, sig, 300, Number(ts) + 301)).toBe(false);
    }
    await waitFor(() => c().sent === 4, 2000, 'acks');
    expect(c()).toMatchObject({ sent: 4, failed: 0, dropped: 0, queued: 0 });
  });

  it('retries 5xx with exponential back-off, keeping the delivery id, re-signing each attempt', async () => {
    const { rx, ex, c } = await setup({ backoff_ms: 80, retries: 5 });
    rx.answer = (n) => (n < 3 ? { status: 503 } : { status: 200 });
    ex.alert(sampleAlert(1), 'raised');
    await waitFor(() => c().sent === 1, 10_000, 'delivered after retries');
    expect(rx.hits).toHaveLength(4);
    const gaps = rx.hits.slice(1).map((h, i) => h.at - rx.hits[i]!.at);
    // 80, 160, 320 ms (+ up to 20% jitter), each at least the back-off and growing.
    gaps.forEach((g, i) => expect(g).toBeGreaterThanOrEqual(80 * 2 ** i - 5));
    expect(gaps[2]!).toBeGreaterThan(gaps[0]! * 2);
    expect(new Set(rx.hits.map((h) => h.headers['x-waakhond-delivery'])).size).toBe(1);
    for (const h of rx.hits) expect(verifySignature(SECRET, h.headers['x-waakhond-timestamp'] as string, h.body, h.headers['x-waakhond-signature'] as string)).toBe(true);
  });

  it('times out a receiver that does not answer and retries', async () => {
    const { rx, ex, c, logs } = await setup({ timeout_ms: 200, backoff_ms: 50 });
    rx.answer = (n) => (n === 0 ? 'hang' : { status: 204 });
    const t0 = performance.now();
    ex.alert(sampleAlert(1), 'raised');
    await waitFor(() => c().sent === 1, 5000, 'delivered after timeout');
    expect(rx.hits).toHaveLength(2);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(240);
    expect(logs).toEqual([]);
  });

  it('gives up after the retries (counted, logged), does not retry 4xx, and goes on with the next alert', async () => {
    const { rx, ex, c, logs } = await setup({ backoff_ms: 20, retries: 2 });
    rx.answer = (_n, hit) => {
      const count = JSON.parse(hit.body).alert.count;
      return count === 1 ? { status: 500 } : count === 2 ? { status: 400 } : { status: 200 };
    };
    ex.alert(sampleAlert(1), 'raised');
    ex.alert(sampleAlert(2), 'raised');
    ex.alert(sampleAlert(3), 'raised');
    await waitFor(() => c().sent === 1 && c().failed === 2, 5000, 'done');
    const counts = rx.hits.map((h) => JSON.parse(h.body).alert.count);
    expect(counts).toEqual([1, 1, 1, 2, 3]);
    expect(logs.join('\n')).toMatch(/not delivered after 3 attempt\(s\): HTTP 500/);
    expect(logs.join('\n')).toMatch(/not delivered after 1 attempt\(s\): HTTP 400/);
  });

  it('retries a refused connection (receiver down) and delivers when it is back', async () => {
    const { rx } = await setup();
    const url = rx.url;
    await rx.close();
    const logs: string[] = [];
    const ex = startExports({ site_id: 'h', webhooks: [{ url, backoff_ms: 30, retries: 3 }] }, (m) => logs.push(m));
    cleanup.push(() => ex.close());
    ex.alert(sampleAlert(1), 'raised');
    await waitFor(() => ex.counters().webhook0!.failed === 1, 5000, 'gave up');
    expect(logs.join('\n')).toMatch(/after 4 attempt\(s\)/);
  });

  it('keeps a bounded queue while the receiver is slow: oldest dropped and counted', async () => {
    const { rx, ex, c } = await setup({ queue_max: 3, timeout_ms: 300, retries: 0 });
    rx.answer = (n) => (n === 0 ? 'hang' : { status: 200 });
    const t0 = performance.now();
    for (let i = 1; i <= 10; i++) ex.alert(sampleAlert(i), 'raised');
    expect(performance.now() - t0).toBeLessThan(100); // never waits on the network
    expect(c()).toMatchObject({ queued: 4, dropped: 6 }); // one in flight + 3 waiting
    await waitFor(() => c().queued === 0, 5000, 'drained');
    expect(rx.hits.map((h) => JSON.parse(h.body).alert.count)).toEqual([1, 8, 9, 10]);
    expect(c()).toMatchObject({ sent: 3, failed: 1, dropped: 6 });
  });

  it('filters by change and minimum severity', async () => {
    const { rx, ex } = await setup({ min_severity: 'high' });
    ex.alert(sampleAlert(1, { severity: 'medium' }), 'raised');
    ex.alert(sampleAlert(2), 'updated'); // not in the default events (raised, cleared)
    ex.alert(sampleAlert(3, { severity: 'high' }), 'raised');
    await waitFor(() => rx.hits.length === 1, 5000, 'one post');
    await new Promise((r) => setTimeout(r, 100));
    expect(rx.hits.map((h) => JSON.parse(h.body).alert.count)).toEqual([3]);
  });

  it('a new device on the network is posted whatever min_severity says, unless new_devices is off', async () => {
    const joined = (n: number) => sampleAlert(n, { rule: 'baseline.new-device', severity: 'info' });
    const on = await setup({ min_severity: 'medium' });
    on.ex.alert(joined(1), 'raised');
    on.ex.alert(sampleAlert(2, { severity: 'info' }), 'raised'); // another info alert stays below the floor
    await waitFor(() => on.rx.hits.length === 1, 5000, 'one post');
    await new Promise((r) => setTimeout(r, 100));
    expect(on.rx.hits.map((h) => JSON.parse(h.body).alert.rule)).toEqual(['baseline.new-device']);
    const off = await setup({ min_severity: 'medium', new_devices: false });
    off.ex.alert(joined(3), 'raised');
    off.ex.alert(sampleAlert(4, { severity: 'high' }), 'raised');
    await waitFor(() => off.rx.hits.length === 1, 5000, 'one post');
    await new Promise((r) => setTimeout(r, 100));
    expect(off.rx.hits.map((h) => JSON.parse(h.body).alert.count)).toEqual([4]);
  });

  it('ntfy mode: plain text body with Title, Priority and Tags headers', async () => {
    const { rx, ex } = await setup({ format: 'ntfy', headers: { Authorization: 'Bearer tk_test' } });
    ex.alert(sampleAlert(1, { title: 'Camera scant het internet — telnet' }), 'raised');
    ex.alert(sampleAlert(2, { severity: 'medium' }), 'raised');
    ex.alert(sampleAlert(1), 'cleared');
    await waitFor(() => rx.hits.length === 3, 5000, 'three posts');
    const [a, b, cl] = rx.hits;
    expect(a!.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(a!.body).toBe('SYNs to 23/tcp of 1 public addresses\nDevice: b8:27:eb:c7:e9:c9\nAdvice: infected-reset');
    expect(a!.headers.title).toBe(headerText('Camera scant het internet — telnet'));
    expect(Buffer.from(String(a!.headers.title).slice(10, -2), 'base64').toString('utf8')).toBe('Camera scant het internet — telnet');
    expect(a!.headers.priority).toBe('5');
    expect(a!.headers.tags).toBe('rotating_light,waakhond');
    expect(a!.headers.authorization).toBe('Bearer tk_test');
    expect(b!.headers.priority).toBe('3');
    expect(b!.headers.tags).toBe('warning,waakhond');
    expect(cl!.headers.title).toBe('Resolved: Device scans the internet for telnet');
    expect(cl!.headers.tags).toBe('white_check_mark,waakhond');
    expect(cl!.body).not.toMatch(/Advice/);
    expect(signPayload(SECRET, Number(a!.headers['x-waakhond-timestamp']), a!.body)).toBe(a!.headers['x-waakhond-signature']);
  });

  it('header text: CR/LF removed (no header injection), ASCII kept', () => {
    expect(headerText('a\r\nX-Evil: 1')).toBe('a X-Evil: 1');
    expect(headerText('plain')).toBe('plain');
  });
});
