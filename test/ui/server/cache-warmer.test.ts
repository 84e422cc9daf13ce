// The warm-up makes every device's cards and list rows ahead of the first request, in slices with turns of
// the event loop between them, and again after a change that dropped everything.
import { describe, expect, it } from 'vitest';
import { loadAdviceBook } from '../../../rules/advice/book.js';
import { CacheWarmer } from '../../../ui/server/cache-warmer.js';
import { Store } from '../../../ui/server/store/store.js';
import { Views } from '../../../ui/server/views.js';
import { scratchDir } from '../../helpers/scratch.js';
import { device, miraiAlert } from './fixture.js';

function home(n: number) {
  const store = new Store({ dataDir: scratchDir('waakhond-warm-'), fsync: false });
  store.load();
  for (let i = 0; i < n; i++) {
    const mac = `02:00:00:00:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`;
    store.upsertDevice(device(mac, { vendor: 'Acme', category: i % 2 ? 'camera' : 'smart-plug', confidence: 0.8 }));
    if (i % 3 === 0) store.upsertAlert({ ...miraiAlert(mac), id: `a|${mac}` });
  }
  const views = new Views(store, loadAdviceBook());
  return { store, views };
}

describe('CacheWarmer', () => {
  it('leaves nothing for the first requests to make, and lets the event loop turn meanwhile', async () => {
    const { store, views } = home(120);
    // sliceMs 0: one step per slice, so the turns between them are certain, not a matter of machine speed.
    const warmer = new CacheWarmer(store, views, { sliceMs: 0 });
    let turns = 0;
    const tick = setInterval(() => { turns++; }, 0);
    warmer.request();
    await warmer.idle();
    clearInterval(tick);
    expect(warmer.stats.runs).toBe(1);
    expect(warmer.stats.slices).toBeGreaterThanOrEqual(120);
    expect(turns).toBeGreaterThan(5);
    const misses = views.cache.stats.misses;
    const made = views.bodies.stats.made;
    for (const lang of ['en', 'nl'] as const) { views.devicesBody(lang); views.alertsBody(lang, null, 500); }
    views.counts();
    expect(views.cache.stats.misses).toBe(misses);
    expect(views.bodies.stats.made).toBe(made);
    warmer.stop();
  });

  it('warms again after a change that dropped everything, no sooner than minGapMs after the last run began', async () => {
    const { store, views } = home(30);
    const warmer = new CacheWarmer(store, views, { minGapMs: 50 });
    const t0 = performance.now();
    warmer.request();
    await warmer.idle();
    store.removeDevice(Object.keys(store.data.devices)[0]); // a deletion: kind 'all'
    await warmer.idle();
    expect(warmer.stats.runs).toBe(2);
    // The second run began at least 50 ms after the first (timers round to the millisecond).
    expect(performance.now() - t0).toBeGreaterThanOrEqual(48);
    const misses = views.cache.stats.misses;
    views.devicesBody('nl');
    expect(views.cache.stats.misses).toBe(misses);
    warmer.stop();
  });

  it('does not warm again after a reset while nobody would read it (wanted false)', async () => {
    const { store, views } = home(20);
    let open = false;
    const warmer = new CacheWarmer(store, views, { minGapMs: 0, wanted: () => open });
    warmer.request();
    await warmer.idle();
    expect(warmer.stats.runs).toBe(1);
    store.removeDevice(Object.keys(store.data.devices)[0]);
    await new Promise((r) => setTimeout(r, 30));
    await warmer.idle();
    expect(warmer.stats.runs).toBe(1);
    open = true;
    store.removeDevice(Object.keys(store.data.devices)[0]);
    await new Promise((r) => setTimeout(r, 0));
    await warmer.idle();
    expect(warmer.stats.runs).toBe(2);
    warmer.stop();
  });
});
