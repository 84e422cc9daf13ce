// The advice data: valid, complete in both languages, covering every advice id the rule packs name.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AdviceBook, defaultAdviceDir, loadAdviceBook, validateAdvice } from '../../../rules/advice/book.js';
import { loadRulePacks } from '../../../rules/engine/engine.js';
import { PROJECT_ROOT } from '../../helpers/shared.js';
import { miraiAlert } from '../server/fixture.js';

const book = loadAdviceBook();
const CONTRACT_IDS = ['update', 'change-password', 'disable-telnet', 'disable-upnp', 'infected-reset', 'ask-isp', 'check-device'];

describe('advice data', () => {
  it('has every advice id of the contract, in nl and en', () => {
    for (const id of CONTRACT_IDS) {
      const a = book.advice.get(id);
      expect(a, id).toBeDefined();
      expect(a!.title.nl).not.toBe(a!.title.en);
      expect(a!.steps.nl.length).toBe(a!.steps.en.length);
    }
  });

  it('covers every advice id the rule packs use', () => {
    const { rules, errors } = loadRulePacks([path.join(PROJECT_ROOT, 'rules', 'packs')]);
    expect(errors).toEqual([]);
    const used = new Set(rules.map((r) => (r as { advice?: string | null }).advice).filter((a): a is string => !!a));
    expect(used.size).toBeGreaterThan(0);
    for (const id of used) expect(book.advice.has(id), `rules use advice "${id}"`).toBe(true);
  });

  it('validateAdvice (for waakhond check) reports unknown ids and broken files', () => {
    expect(validateAdvice(defaultAdviceDir(), ['update']).ok).toBe(true);
    const bad = validateAdvice(defaultAdviceDir(), ['update', 'reflash-with-a-hammer']);
    expect(bad.ok).toBe(false);
    expect(bad.lines[0]).toMatch(/reflash-with-a-hammer/);
    const missing = validateAdvice('/nonexistent/advice');
    expect(missing.ok).toBe(false);
    expect(missing.lines[0]).toMatch(/advice\.yaml/);
  });

  it('knows where a vendor\'s updates live, and says unknown for unknown makers', () => {
    expect(book.vendorCard('Hangzhou Hikvision Digital Technology Co.,Ltd.', 'nl')).toMatchObject({ vendor: 'Hikvision', auto_update: 'no' });
    expect(book.vendorCard('Google', 'en')).toMatchObject({ auto_update: 'yes' });
    const u = book.vendorCard('Acme Widgets', 'en');
    expect(u).toMatchObject({ auto_update: 'unknown', security_updates: 'unknown', works_offline: 'unknown', support_period: null, updates_url: null });
    expect(u.where).toMatch(/app/);
  });

  it('cards: infected first, a standing "doe je updates" for a camera, none for a self-updating Chromecast', () => {
    const cards = book.cardsFor({ mac: 'c0:56:e3:17:8a:4d', vendor: 'Hikvision', category: 'camera', label: 'Hal camera' }, [miraiAlert('c0:56:e3:17:8a:4d')], 'nl', {});
    expect(cards.map((c) => c.advice)).toEqual(['infected-reset', 'update']);
    expect(cards[0].title).toBe('Haal Hal camera van het netwerk en zet hem terug naar fabrieksinstellingen');
    expect(cards[1].title).toBe('Doe je updates: Hal camera');
    expect(AdviceBook.statusOf(cards)).toBe('infected');
    const cc = book.cardsFor({ mac: 'f4:f5:d8:8e:44:10', vendor: 'Google', category: 'media', label: 'Chromecast' }, [], 'en', {});
    expect(cc).toEqual([]);
    expect(AdviceBook.statusOf(cc)).toBe('ok');
  });

  it('fills every placeholder in both languages', () => {
    const alerts = [...CONTRACT_IDS].map((id, i) => ({ ...miraiAlert('c0:56:e3:17:8a:4d'), id: `a${i}`, advice: id }));
    for (const lang of ['nl', 'en'] as const) {
      for (const vendor of ['Hikvision', null]) {
        const cards = book.cardsFor({ mac: 'c0:56:e3:17:8a:4d', vendor, category: 'camera', label: 'Cam' }, alerts, lang, {});
        expect(cards.map((c) => c.advice).sort()).toEqual([...CONTRACT_IDS].sort());
        for (const c of cards) expect(JSON.stringify([c.title, c.why, c.steps, c.vendor]), `${lang} ${c.advice}`).not.toMatch(/\{[a-z]+\}/);
      }
    }
  });

  it('the kinds a household names (locks, doorbells, thermostats, energy devices...) get the standing update card; phones and computers do not', () => {
    for (const category of ['lock', 'doorbell', 'thermostat', 'energy', 'vacuum', 'tv', 'game-console', 'voice-assistant'] as const) {
      const cards = book.cardsFor({ mac: '5c:cf:7f:00:00:01', vendor: null, category, label: category }, [], 'en', {});
      expect(cards.map((c) => c.advice), category).toContain('update');
    }
    for (const category of ['phone', 'computer', 'other'] as const) {
      expect(book.cardsFor({ mac: '5c:cf:7f:00:00:01', vendor: null, category, label: category }, [], 'en', {}).map((c) => c.advice), category).not.toContain('update');
    }
  });

  it('done and snoozed cards do not count for the status', () => {
    const dev = { mac: '50:c7:bf:2a:91:33', vendor: 'TP-Link', category: 'smart-plug' as const, label: 'plug' };
    expect(AdviceBook.statusOf(book.cardsFor(dev, [], 'en', {}))).toBe('update-advised');
    expect(AdviceBook.statusOf(book.cardsFor(dev, [], 'en', { [`update@${dev.mac}`]: { state: 'done' } }))).toBe('ok');
    const now = Date.now();
    expect(AdviceBook.statusOf(book.cardsFor(dev, [], 'en', { [`update@${dev.mac}`]: { state: 'snoozed', until: now + 1000 } }, now))).toBe('ok');
    expect(AdviceBook.statusOf(book.cardsFor(dev, [], 'en', { [`update@${dev.mac}`]: { state: 'snoozed', until: now - 1 } }, now))).toBe('update-advised');
  });
});
