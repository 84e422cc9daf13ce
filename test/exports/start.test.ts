// The daemon's lazy way in to the exports: nothing configured -> exporters that do nothing (and say so once);
// a configured section -> the real exporters; a bad section -> the same error as startExports.
import { describe, expect, it } from 'vitest';
import { startConfiguredExports } from '../../ui/server/exports/start.js';
import { sampleAlert, sampleDevice } from './helpers/samples.js';

describe('startConfiguredExports', () => {
  it('with no section hands back no-op exporters and logs it once', async () => {
    const logs: string[] = [];
    const ex = await startConfiguredExports({ site_id: 'home-1' }, (m) => logs.push(m));
    ex.deviceChanged(sampleDevice(), 'ok');
    ex.alert(sampleAlert(), 'raised');
    expect(ex.counters()).toEqual({});
    expect(ex.none).toBe(true); // the daemon then skips building export views per event
    await ex.close();
    expect(logs).toEqual(['exports: none configured, nothing is sent']);
  });

  it('with a section starts the configured exporter', async () => {
    const logs: string[] = [];
    const ex = await startConfiguredExports({ site_id: 'home-1', webhooks: [{ url: 'http://127.0.0.1:9/hook', retries: 0 }] }, (m) => logs.push(m));
    expect(Object.keys(ex.counters())).toEqual(['webhook0']);
    expect(ex.none).toBeFalsy();
    await ex.close();
    expect(logs).not.toContain('exports: none configured, nothing is sent');
  });

  it('refuses a bad configuration like startExports does', async () => {
    await expect(startConfiguredExports({ site_id: 'home 1' }, () => undefined)).rejects.toThrow(/site_id/);
  });
});
