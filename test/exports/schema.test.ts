// The committed schema.json must be exactly what the zod schemas generate (npm run gen:schema rewrites it; this
// test only compares), and messages must validate against it with ajv, which refuses bad ones.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseExportsConfig, SCHEMA_ID } from '../../ui/server/exports/schema.js';
import { alertMessage, deviceMessage, healthMessage, isoFromMicros } from '../../ui/server/exports/messages.js';
import { SCHEMA_PATH, assertValid, validate } from './helpers/validate.js';
import { generatedSchemaText } from './helpers/schema-text.js';
import { sampleAlert, sampleDevice, sampleStats } from './helpers/samples.js';

describe('waakhond.event/1 schema', () => {
  it('schema.json is generated from the zod schemas', () => {
    // The old write mode made this test compare the file with itself; writing is npm run gen:schema's job.
    if (process.env.WAAKHOND_WRITE_SCHEMA) throw new Error('WAAKHOND_WRITE_SCHEMA is gone: run `npm run gen:schema`, then this test');
    expect(readFileSync(SCHEMA_PATH, 'utf8'), 'schema.json is stale: run `npm run gen:schema` and commit it').toBe(generatedSchemaText());
  });

  it('device, alert and health messages validate and carry the version', () => {
    const msgs = [
      deviceMessage('home-1', sampleDevice(), 'infected', 'seen'),
      alertMessage('home-1', sampleAlert(), 'raised'),
      healthMessage('home-1', { ...sampleStats(), devices: 3, alerts: 1 }, { mqtt: { queued: 0, queued_bytes: 0, dropped: 0, sent: 5, failed: 0 } }),
    ];
    for (const m of msgs) {
      expect(m.schema).toBe(SCHEMA_ID);
      assertValid(m);
    }
  });

  it('refuses messages that break the schema', () => {
    const good = alertMessage('home-1', sampleAlert(), 'raised');
    expect(validate({ ...good, schema: 'waakhond.event/2' }).length).toBeGreaterThan(0);
    expect(validate({ ...good, change: 'exploded' }).length).toBeGreaterThan(0);
    expect(validate({ ...good, extra: 1 }).length).toBeGreaterThan(0);
    expect(validate({ ...good, time: '2026-01-01 10:00' }).length).toBeGreaterThan(0);
    const { alert: _a, ...noAlert } = good;
    expect(validate(noAlert).length).toBeGreaterThan(0);
    const dev = deviceMessage('home-1', sampleDevice(), 'ok', 'seen');
    expect(validate({ ...dev, device: { ...dev.device, mac: 'B8-27-EB-C7-E9-C9' } }).length).toBeGreaterThan(0);
    expect(validate({ ...dev, device: { ...dev.device, status: 'broken' } }).length).toBeGreaterThan(0);
  });

  it('converts capture-time microseconds to ISO-8601 and bounds hostile text', () => {
    expect(isoFromMicros(1_700_000_000_123_456)).toBe('2023-11-14T22:13:20.123Z');
    expect(isoFromMicros(Number.NaN)).toBe('1970-01-01T00:00:00.000Z');
    const d = sampleDevice();
    d.hostname = 'evil\u0000\r\n<script>' + 'x'.repeat(500);
    const m = deviceMessage('s', d, 'ok', 'seen');
    expect(m.device.hostname!.length).toBeLessThanOrEqual(128);
    expect(m.device.hostname).not.toMatch(/[\u0000-\u001f]/);
    assertValid(m);
  });

  it('validates the configuration and names bad fields', () => {
    expect(parseExportsConfig({ site_id: 'home-1' }).webhooks).toEqual([]);
    expect(() => parseExportsConfig({ site_id: 'home 1' })).toThrow(/site_id/);
    expect(() => parseExportsConfig({ site_id: 'a', mqtt: { url: 'http://x' } })).toThrow(/mqtt\.url/);
    expect(() => parseExportsConfig({ site_id: 'a', webhooks: [{ url: 'https://x', secret: 'short' }] })).toThrow(/webhooks\.0\.secret/);
    const c = parseExportsConfig({ site_id: 'a', mqtt: { url: 'mqtt://127.0.0.1:1883' } });
    expect(c.mqtt!.prefix).toBe('waakhond');
    expect(c.mqtt!.homeassistant.enabled).toBe(true);
  });
});
