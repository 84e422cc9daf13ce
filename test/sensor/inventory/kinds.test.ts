// Every kind of device the inventory can name is shown in words (nl, en), with an icon, and with a noun
// in the friendly name: a kind added to CATEGORIES without them fails here.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CATEGORIES } from '../../../sensor/inventory/types.js';
import { friendlyName } from '../../../sensor/inventory/identity.js';
import { PROJECT_ROOT } from '../../helpers/shared.js';

const web = (...p: string[]) => path.join(PROJECT_ROOT, 'ui', 'web', 'src', ...p);

describe('kinds a household reads', () => {
  it('each kind has a Dutch and an English name', () => {
    for (const lang of ['nl', 'en']) {
      const words = JSON.parse(readFileSync(web('i18n', `${lang}.json`), 'utf8')) as Record<string, string>;
      for (const c of CATEGORIES) expect(words[`kind.${c}`], `${lang} kind.${c}`).toMatch(/\S/);
    }
  });

  it('each kind has its own icon', () => {
    const src = readFileSync(web('components', 'KindIcon.tsx'), 'utf8');
    const keys = new Set([...src.matchAll(/^\s+'?([a-z-]+)'?: 'M/gm)].map((m) => m[1]));
    for (const c of CATEGORIES) expect(keys.has(c), c).toBe(true);
  });

  it('each kind but other has a noun in the friendly name', () => {
    for (const c of CATEGORIES) {
      const name = friendlyName('Acme', null, c, false);
      if (c === 'other') expect(name).toBe('Acme');
      else expect(name, c).toMatch(/^Acme \S/);
    }
    expect(friendlyName('HomeWizard', 'HWE-P1', 'energy', false)).toBe('HomeWizard HWE-P1 energy device');
    expect(friendlyName(null, null, 'game-console', false)).toBe('game console');
  });
});
