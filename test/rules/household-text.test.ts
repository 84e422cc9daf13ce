// Every rule speaks the household's languages: `check` refuses a rule without Dutch or English text,
// and every alert the own captures raise reads in both with nothing left unfilled and no English in
// the Dutch (brands and protocol names aside, sensor/i18n/names.ts).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { analyzeFiles, type Report } from '../../sensor/analyze.js';
import { validateRulePacks, loadRulePacks } from '../../rules/engine/engine.js';
import { loadBaselineConfig, parseBaselineText, defaultBaselineFile } from '../../rules/engine/baseline-config.js';
import { LANGS, type Lang } from '../../sensor/i18n/langs.js';
import { alertText, evidenceText, placeholders } from '../../sensor/i18n/alert-text.js';
import { englishWords } from '../../sensor/i18n/names.js';
import { friendlyName } from '../../sensor/inventory/identity.js';
import type { Category } from '../../sensor/inventory/types.js';
import { SCENARIOS } from '../gen/scenarios.js';
import { writePcap } from '../gen/pcap.js';
import { PROJECT_ROOT, describeShared, pcap } from '../helpers/shared.js';
import { readCase } from '../cases/expect.js';
import { readdirSync } from 'node:fs';
import { fillTexts } from '../../sensor/i18n/alert-text.js';
import { formatReport, main } from '../../sensor/cli.js';
import { alertMessage } from '../../ui/server/exports/messages.js';
import { AlertMessageSchema } from '../../ui/server/exports/event-schema.js';

const PACKS = path.join(PROJECT_ROOT, 'rules', 'packs');
const tmp = mkdtempSync(path.join(tmpdir(), 'waakhond-i18n-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const packRules = loadRulePacks([PACKS]).rules;
const baselineRules = Object.values(loadBaselineConfig().config!.rules);
const allRules = [...packRules, ...baselineRules];

describe('rule texts', () => {
  it('every pack rule and baseline alert has a title and summary in each language', () => {
    expect(packRules.length).toBe(65);
    expect(baselineRules.length).toBe(4);
    for (const r of allRules) {
      for (const l of LANGS) {
        expect(r.text?.[l]?.title, `${r.id} ${l} title`).toBeTruthy();
        expect(r.text?.[l]?.summary, `${r.id} ${l} summary`).toBeTruthy();
      }
      expect(r.text.nl.summary, `${r.id}: the Dutch is not the English`).not.toBe(r.text.en.summary);
    }
  });

  it('the Dutch texts hold no English words (allowed names aside), the household texts no MAC or address placeholder', () => {
    const bad: string[] = [];
    for (const r of allRules) {
      for (const part of ['title', 'summary'] as const) {
        const w = englishWords(r.text.nl[part].replace(/\{[a-z_0-9]+\}/g, ''));
        if (w.length) bad.push(`${r.id} nl.${part}: ${w.join(', ')}`);
        for (const l of LANGS) {
          for (const f of placeholders(r.text[l][part])) {
            if (/(_ip|_mac|_port|^uri$|^host$|^text$|^qname)/.test(f)) bad.push(`${r.id} ${l}.${part}: technical placeholder {${f}}`);
          }
        }
      }
    }
    expect(bad).toEqual([]);
  });
});

describe('check refuses a rule without both languages', () => {
  const source = readFileSync(path.join(PACKS, 'mirai', 'scan-seq-equals-dst.yaml'), 'utf8');

  function withText(name: string, text: string): string {
    const dir = mkdtempSync(path.join(tmp, `${name}-`));
    writeFileSync(path.join(dir, `${name}.yaml`), text);
    return dir;
  }

  /** The rule's text block with one language's lines taken out. */
  function without(lang: Lang): string {
    const lines = source.split('\n');
    const i = lines.findIndex((l) => l === `  ${lang}:`);
    expect(i, `${lang} block in the source`).toBeGreaterThan(0);
    lines.splice(i, 3);
    return lines.join('\n');
  }

  it('the untouched rule passes', () => {
    const v = validateRulePacks([withText('ok', source)]);
    expect(v.lines).toEqual(['1 rule(s) valid in 1 file(s), 0 error(s)']);
    expect(v.ok).toBe(true);
  });

  for (const [lang, name] of [['nl', 'Dutch'], ['en', 'English']] as const) {
    it(`no ${name}: refused with file, rule id and the missing language`, () => {
      const dir = withText(`no-${lang}`, without(lang));
      const v = validateRulePacks([dir]);
      expect(v.ok).toBe(false);
      expect(v.rules).toBe(0);
      expect(v.errors).toHaveLength(1);
      const line = v.lines[0]!;
      expect(line).toContain(path.join(dir, `no-${lang}.yaml`));
      expect(line).toContain('"mirai.scan.seq-equals-dst"');
      expect(line).toContain(`${name} (${lang})`);
      expect(line).toContain(`text.${lang}`);
      expect(v.errors[0]!.line).toBeGreaterThan(1);
    });
  }

  it('no text at all: both languages are named', () => {
    const lines = source.split('\n');
    const i = lines.findIndex((l) => l === 'text:');
    lines.splice(i, 7);
    const v = validateRulePacks([withText('no-text', lines.join('\n'))]);
    expect(v.ok).toBe(false);
    expect(v.errors.map((e) => e.reason).join('\n')).toMatch(/Dutch \(nl\)[\s\S]*English \(en\)/);
  });

  it('a placeholder the alert cannot fill is refused', () => {
    const v = validateRulePacks([withText('bad-ph', source.replace('({events} pogingen)', '({pogingen})'))]);
    expect(v.ok).toBe(false);
    expect(v.lines[0]).toContain('text.nl.summary uses {pogingen}');
  });

  it('a baseline alert without Dutch is refused too', () => {
    const text = readFileSync(defaultBaselineFile(), 'utf8');
    const i = text.indexOf('        title: "Nieuw apparaat');
    expect(i).toBeGreaterThan(0);
    const cut = text.slice(0, text.lastIndexOf('      nl:', i)) + text.slice(text.indexOf('      en:', i));
    const r = parseBaselineText('baseline.yaml', cut);
    expect(r.config).toBeNull();
    expect(r.errors.map((e) => e.reason).join('\n')).toContain('rule "baseline.new-device" has no Dutch (nl) household text');
  });
});

/** The device's name as the dashboard would give it before the household names it. */
function nameIn(r: Report, mac: string | null, lang: Lang): string | null {
  const d = mac ? r.devices.find((x) => x.mac === mac || x.seen_as.includes(mac)) : undefined;
  return d ? friendlyName(d.vendor, d.model, d.category as Category, d.private_mac, lang) ?? d.hostname ?? d.mac : null;
}

describe('real alerts render in both languages', () => {
  const seen = new Set<string>();
  const problems: string[] = [];

  async function renderAll(name: string, file: string, opts: Parameters<typeof analyzeFiles>[1] = {}): Promise<number> {
    const r = await analyzeFiles([file], opts);
    for (const a of r.alerts) {
      seen.add(a.rule);
      if (!a.text) { problems.push(`${name} ${a.rule}: no text`); continue; }
      for (const l of LANGS) {
        const t = alertText(a, l, nameIn(r, a.device, l));
        const all = `${t.title}\n${t.summary}`;
        if (!t.translated) problems.push(`${name} ${a.rule} ${l}: not translated`);
        if (/\{[a-z_0-9]+\}/.test(all)) problems.push(`${name} ${a.rule} ${l}: placeholder left: ${all}`);
        if (/(^|\s)\?(\s|$|[.,)])/.test(all)) problems.push(`${name} ${a.rule} ${l}: unfilled value: ${all}`);
        if (a.device && all.includes(a.device)) problems.push(`${name} ${a.rule} ${l}: names the MAC: ${all}`);
        if (l === 'nl') {
          const w = englishWords(all);
          if (w.length) problems.push(`${name} ${a.rule} nl: English ${w.join(', ')}: ${all}`);
          for (const e of a.evidence) {
            if (e.kind !== 'counters' && e.kind !== 'severity') continue;
            const line = evidenceText(e, 'nl');
            const ew = englishWords(line);
            if (ew.length || line === e.detail) problems.push(`${name} ${a.rule} nl evidence: ${line}`);
          }
        }
      }
    }
    return r.alerts.length;
  }

  it('the demo capture (with a short baseline learning, so baseline alerts come too)', async () => {
    const n = await renderAll('demo', path.join(PROJECT_ROOT, 'firmware-scripts', 'demo', 'demo-home.pcap'), { baselineLearningUs: 20e6 });
    expect(n).toBeGreaterThan(15);
    expect(seen.has('mirai.scan.seq-equals-dst')).toBe(true);
    expect([...seen].some((r) => r.startsWith('baseline.'))).toBe(true);
    expect(problems).toEqual([]);
  }, 60_000);

  it('every generated scenario', async () => {
    for (const [name, gen] of Object.entries(SCENARIOS)) {
      if (name === 'demo') continue;
      const file = path.join(tmp, `${name}.pcap`);
      writePcap(file, gen());
      await renderAll(name, file, { baselineLearningUs: 20e6 });
    }
    expect(problems).toEqual([]);
    // How many of the 69 rules a real alert rendered (reported, and bounded below so that a silent
    // drop in coverage shows).
    console.log(`household text: ${seen.size} of ${allRules.length} rules rendered from real alerts: ${[...seen].sort().join(' ')}`);
    expect(seen.size).toBeGreaterThan(30);
  }, 240_000);

  describeShared('the test cases on ../shared captures', () => {
    it('every shared-capture case', async () => {
      const dir = path.join(PROJECT_ROOT, 'test', 'cases');
      for (const name of readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort()) {
        const spec = readCase(path.join(dir, name, 'expect.yaml'));
        if (!('shared' in spec.capture)) continue;
        await renderAll(name, pcap(spec.capture.shared), { localNets: spec.local_nets });
      }
      expect(problems).toEqual([]);
      console.log(`household text: with ../shared, ${seen.size} of ${allRules.length} rules rendered from real alerts; not reached: ${allRules.map((r) => r.id).filter((id) => !seen.has(id)).join(' ')}`);
    }, 300_000);
  });

  it('rules no capture here raises still fill every placeholder (values as the engine gives them)', () => {
    // For the rules above that no capture reached: numbers where the engine gives numbers, text elsewhere.
    for (const r of allRules) {
      const t = fillTexts(r.text, (f) => (f === 'kind' ? 'camera' : 12345), 600e6);
      for (const l of LANGS) {
        const txt = alertText({ title: r.title, summary: r.summary, text: t }, l, 'Slimme stekker');
        const all = `${txt.title}\n${txt.summary}`;
        expect(all, r.id).not.toMatch(/\{[a-z_0-9]+\}|(^|\s)\?(\s|$|[.,)])/);
        if (l === 'nl') expect(englishWords(all), r.id).toEqual([]);
      }
    }
  });
});

describe('waakhond.event/1 carries the household text (additive)', () => {
  it('an exported alert keeps its technical fields and adds text per language with the device name', async () => {
    const r = await analyzeFiles([path.join(PROJECT_ROOT, 'firmware-scripts', 'demo', 'demo-home.pcap')], { baseline: null });
    const ra = r.alerts.find((a) => a.rule === 'mirai.scan.seq-equals-dst')!;
    const alert = { ...ra, first_seen: Date.parse(ra.first_seen) * 1000, last_seen: Date.parse(ra.last_seen) * 1000 };
    const msg = alertMessage('home-1', alert, 'raised', { nl: 'Camera bij de voordeur', en: 'Front door camera' });
    expect(AlertMessageSchema.safeParse(msg).success).toBe(true);
    expect(msg.alert.summary).toBe(ra.summary);
    expect(msg.alert.title).toBe(ra.title);
    expect(msg.alert.text!.nl.title).toBe('Camera bij de voordeur probeert andere apparaten op internet over te nemen');
    expect(msg.alert.text!.en.title).toBe('Front door camera tries to take over other devices on the internet');
    expect(msg.alert.text!.nl.summary).toMatch(/\(\d{1,3}(\.\d{3})* pogingen\)/);
    // Without names (or with only a MAC): "een onbekend apparaat", never a placeholder or hex.
    const bare = alertMessage('home-1', alert, 'raised');
    expect(bare.alert.text!.nl.title).toBe('Een onbekend apparaat probeert andere apparaten op internet over te nemen');
    const hex = alertMessage('home-1', alert, 'raised', { nl: 'c0:56:e3:17:8a:4d', en: 'c0:56:e3:17:8a:4d' });
    expect(hex.alert.text!.en.title).toBe('An unknown device tries to take over other devices on the internet');
    // An alert stored before rules had texts exports as before.
    const { text: _t, ...old } = alert;
    expect('text' in alertMessage('home-1', old, 'raised').alert).toBe(false);
  }, 60_000);
});

describe('analyze --lang', () => {
  it('puts the household title in the language before the technical summary', async () => {
    const r = await analyzeFiles([path.join(PROJECT_ROOT, 'firmware-scripts', 'demo', 'demo-home.pcap')], { baseline: null });
    const nl = formatReport(r, 'nl');
    const en = formatReport(r, 'en');
    expect(nl).toContain('mirai.scan.seq-equals-dst x');
    expect(nl).toContain(': Hikvision DS-2CD2032-I camera probeert andere apparaten op internet over te nemen | c0:56:e3:17:8a:4d sends Mirai scanner probes');
    expect(en).toContain(': Hikvision DS-2CD2032-I camera tries to take over other devices on the internet | c0:56:e3:17:8a:4d sends Mirai scanner probes');
    // Without --lang the output is as before: the technical summary alone.
    expect(formatReport(r)).not.toContain('probeert andere apparaten');
  }, 60_000);

  it('refuses a language it does not have', async () => {
    expect(await main(['analyze', '--lang', 'fr', 'x.pcap'])).toBe(2);
  });
});
