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

  it('cards: infected first, then "doe je updates" with the exposure as its reason; none for a self-updating Chromecast', () => {
    const cards = book.cardsFor({ mac: 'c0:56:e3:17:8a:4d', vendor: 'Hikvision', category: 'camera', label: 'Hal camera' }, [miraiAlert('c0:56:e3:17:8a:4d')], 'nl', {});
    expect(cards.map((c) => c.advice)).toEqual(['infected-reset', 'update']);
    expect(cards[0].title).toBe('Haal Hal camera van het netwerk en zet hem terug naar fabrieksinstellingen');
    expect(cards[1].title).toBe('Doe je updates: Hal camera');
    expect(cards[1]).toMatchObject({ quiet: false, reason: expect.stringMatching(/^Waarom nu: dit apparaat wordt aangevallen/) });
    expect(AdviceBook.statusOf(cards)).toBe('infected');
    const cc = book.cardsFor({ mac: 'f4:f5:d8:8e:44:10', vendor: 'Google', category: 'media', label: 'Chromecast' }, [], 'en', {});
    expect(cc).toEqual([]);
    expect(AdviceBook.statusOf(cc)).toBe('ok');
  });

  it('"update advised" only with a reason shown: without one it is a quiet tip that sets no status', () => {
    const plug = { mac: '50:c7:bf:2a:91:33', vendor: 'TP-Link', category: 'smart-plug' as const, label: 'plug' };
    const [tip] = book.cardsFor(plug, [], 'nl', {});
    expect(tip).toMatchObject({ advice: 'update', quiet: true, reason: null, title: 'Tip: doe je updates voor plug' });
    expect(AdviceBook.statusOf([tip])).toBe('ok');
    // An alert that asks for updates is a reason.
    const asked = book.cardsFor(plug, [{ ...miraiAlert(plug.mac), advice: 'update', severity: 'medium' }], 'en', {});
    expect(asked[0]).toMatchObject({ quiet: false, reason: expect.stringMatching(/^Why now: Waakhond saw/) });
    expect(AdviceBook.statusOf(asked)).toBe('update-advised');
    // An exposure (telnet open to the internet) is a reason.
    const exposed = book.cardsFor(plug, [{ ...miraiAlert(plug.mac), advice: 'disable-telnet', severity: 'medium' }], 'en', {});
    expect(exposed.find((c) => c.advice === 'update')).toMatchObject({ quiet: false, reason: expect.stringMatching(/reached from outside/) });
    // The maker's end of support is a reason (vendor data with security_updates: "no").
    const fake = new AdviceBook([...book.advice.values()], [{ ...book.vendors[0], vendor: 'Oldco', match: ['oldco'], auto_update: 'no', security_updates: 'no' }], book.generic);
    const old = fake.cardsFor({ ...plug, vendor: 'Oldco' }, [], 'nl', {});
    expect(old[0]).toMatchObject({ quiet: false, reason: 'Waarom nu: Oldco zegt geen beveiligingsupdates te geven voor dit soort apparaten.' });
    expect(AdviceBook.statusOf(old)).toBe('update-advised');
  });

  it('advice fits the kind: a computer or phone is cleaned and its passwords changed, not reset with a button', () => {
    for (const category of ['computer', 'phone'] as const) {
      for (const lang of ['nl', 'en'] as const) {
        const [c] = book.cardsFor({ mac: 'b8:27:eb:00:00:01', vendor: 'Raspberry Pi', category, label: 'Pi' }, [miraiAlert('b8:27:eb:00:00:01')], lang, {});
        expect(c.advice).toBe('infected-reset');
        const all = [c.title, ...c.steps].join(' ');
        expect(all, `${category} ${lang}`).not.toMatch(/resetknop|reset button|hold the reset|10 seconden|10 seconds/i);
        expect(all, `${category} ${lang}`).toMatch(lang === 'nl' ? /wachtwoorden/ : /passwords/);
        expect(c.vendor, 'no firmware card for a computer or phone').toBeNull();
      }
    }
    const [cam] = book.cardsFor({ mac: 'c0:56:e3:17:8a:4d', vendor: 'Hikvision', category: 'camera', label: 'Cam' }, [miraiAlert('c0:56:e3:17:8a:4d')], 'en', {});
    expect(cam.steps.join(' ')).toMatch(/reset button/);
    expect(cam.steps.join(' ')).toMatch(/firmware/);
  });

  it('a device we are sure of is not asked "do you know which device this is?"', () => {
    const alert = { ...miraiAlert('c0:56:e3:17:8a:4d'), advice: 'check-device', severity: 'low' as const };
    const sure = book.cardsFor({ mac: 'c0:56:e3:17:8a:4d', vendor: 'Hikvision', category: 'camera', label: 'Cam', sure: true }, [alert], 'nl', {});
    expect(sure[0].steps.join(' ')).not.toMatch(/Weet je welk apparaat/);
    const unsure = book.cardsFor({ mac: 'c0:56:e3:17:8a:4d', vendor: null, category: 'other', label: 'x', sure: false }, [alert], 'nl', {});
    expect(unsure[0].steps[0]).toMatch(/^Weet je welk apparaat dit is\?/);
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
    // A plug whose telnet is open to the internet: "doe je updates" has a reason, so it sets the status.
    const dev = { mac: '50:c7:bf:2a:91:33', vendor: 'TP-Link', category: 'smart-plug' as const, label: 'plug' };
    const alerts = [{ ...miraiAlert(dev.mac), advice: 'update', severity: 'medium' as const }];
    expect(AdviceBook.statusOf(book.cardsFor(dev, alerts, 'en', {}))).toBe('update-advised');
    expect(AdviceBook.statusOf(book.cardsFor(dev, alerts, 'en', { [`update@${dev.mac}`]: { state: 'done' } }))).toBe('ok');
    const now = Date.now();
    expect(AdviceBook.statusOf(book.cardsFor(dev, alerts, 'en', { [`update@${dev.mac}`]: { state: 'snoozed', until: now + 1000 } }, now))).toBe('ok');
    expect(AdviceBook.statusOf(book.cardsFor(dev, alerts, 'en', { [`update@${dev.mac}`]: { state: 'snoozed', until: now - 1 } }, now))).toBe('update-advised');
  });
});
