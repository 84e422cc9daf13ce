// Load rule files (YAML or JSON) from pack folders: validate each, report file/line/reason, keep the good ones.
import { readdirSync, readFileSync, statSync, type Dirent } from 'node:fs';
import path from 'node:path';
import type { Document, LineCounter, Node } from 'yaml';
import { yaml } from '../../sensor/yaml-lazy.js';
import type { ZodIssue } from 'zod';
import { RuleDoc } from './schema.js';
import { fieldKnown } from './fields.js';
import { holdErrors } from './hold.js';
import { DocsCache } from '../../sensor/docs-cache.js';
import { fastSafeParse } from '../../sensor/zod-fast.js';
import type { Rule, RuleMatch } from './types.js';
import { LANGS, LANG_NAMES } from '../../sensor/i18n/langs.js';
import { ENGINE_VARS, placeholders } from '../../sensor/i18n/alert-text.js';

export interface RuleLoadError {
  file: string;
  line: number | null;
  reason: string;
}

const RULE_EXT = new Set(['.yaml', '.yml', '.json']);
/** A rule file larger than this is refused (rules are small documents). */
const MAX_RULE_BYTES = 64 * 1024;

/** Every rule file under the folders, sorted (deterministic order), skipping dot-files. */
export function listRuleFiles(dirs: string[]): { files: string[]; errors: RuleLoadError[] } {
  const files: string[] = [];
  const errors: RuleLoadError[] = [];
  // The folder's entries say file or folder themselves: only a symbolic link (or a file system that does not say)
  // costs a stat. Paths are joined by hand below a normalised top: path.join per entry was ~1 ms of every start.
  const walk = (dir: string, depth: number): void => {
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (err) {
      errors.push({ file: dir, line: null, reason: `cannot read folder: ${(err as Error).message}` });
      return;
    }
    entries.sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
    const prefix = dir === '.' ? '' : dir.endsWith(path.sep) ? dir : dir + path.sep;
    for (const e of entries) {
      const name = e.name;
      if (name.startsWith('.')) continue;
      const p = prefix + name;
      let isDir = e.isDirectory();
      if (!isDir && !e.isFile()) {
        try {
          isDir = statSync(p).isDirectory();
        } catch {
          continue;
        }
      }
      if (isDir) {
        if (depth < 4) walk(p, depth + 1);
      } else if (RULE_EXT.has(path.extname(name).toLowerCase())) {
        files.push(p);
      }
    }
  };
  for (const d of dirs) walk(path.normalize(d), 0);
  return { files, errors };
}

function lineOf(doc: Document.Parsed, lc: LineCounter, p: (string | number)[]): number | null {
  // Walk down as far as the path exists; a missing key is reported at its parent.
  for (let n = p.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(p.slice(0, n), true);
    if (yaml().isNode(node) && (node as Node).range) return lc.linePos((node as Node).range![0]).line;
  }
  return null;
}

function issueReason(i: ZodIssue): string {
  const where = i.path.length ? i.path.join('.') + ': ' : '';
  if (i.code === 'unrecognized_keys') return `${where}unknown field(s) ${i.keys.map((k) => `"${k}"`).join(', ')}`;
  if (i.code === 'invalid_union') {
    // Report the closest branch's first complaint instead of "Invalid input".
    const inner = i.unionErrors.map((e) => e.issues[0]).filter(Boolean) as ZodIssue[];
    const best = inner.sort((a, b) => b.path.length - a.path.length)[0];
    if (best) return `${where}${best.message}`;
  }
  return `${where}${i.message}`;
}

/**
 * The household's text: every language present, and only placeholders the alert can fill (those of the
 * technical summary, plus the engine's own: device, count, events, window, threshold, distinct).
 * Shared with the baseline's alerts (baseline-config.ts).
 */
export function textErrors(
  id: string,
  text: Partial<Record<string, { title: string; summary: string } | undefined>> | undefined,
  summary: string,
  at: (string | number)[] = ['text'],
): { path: (string | number)[]; reason: string }[] {
  const out: { path: (string | number)[]; reason: string }[] = [];
  const known = new Set([...ENGINE_VARS, ...placeholders(summary)]);
  for (const l of LANGS) {
    const t = text?.[l];
    if (!t) {
      out.push({ path: text ? at : [], reason: `rule "${id}" has no ${LANG_NAMES[l]} household text: add ${at.join('.')}.${l} with title and summary` });
      continue;
    }
    for (const part of ['title', 'summary'] as const) {
      for (const f of placeholders(t[part])) {
        if (!known.has(f)) {
          out.push({ path: [...at, l, part], reason: `rule "${id}": ${at.join('.')}.${l}.${part} uses {${f}}, which the alert cannot fill (known: ${[...known].map((k) => `{${k}}`).join(' ')})` });
        }
      }
    }
  }
  return out;
}

/** Checks zod cannot do alone: field names valid for the event type, one event type per sequence key. */
function semanticErrors(r: Omit<Rule, 'source'>): { path: (string | number)[]; reason: string }[] {
  const out: { path: (string | number)[]; reason: string }[] = textErrors(r.id, r.text, r.summary);
  const steps: [RuleMatch, (string | number)[]][] = r.match
    ? [[r.match, ['match']]]
    : r.sequence!.steps.map((s, i) => [s, ['sequence', 'steps', i]] as [RuleMatch, (string | number)[]]);
  for (const [m, at] of steps) {
    for (const [k, cond] of Object.entries(m)) {
      if (k === 'event' || k === 'device_is') continue;
      if (!fieldKnown(m.event, k)) out.push({ path: [...at, k], reason: `unknown field "${k}" for event ${m.event}` });
      if (cond && typeof cond === 'object' && !Array.isArray(cond) && cond.gte_field &&
          !fieldKnown(m.event, cond.gte_field.field)) {
        out.push({ path: [...at, k, 'gte_field'], reason: `unknown field "${cond.gte_field.field}" for event ${m.event}` });
      }
    }
  }
  for (const [i, g] of r.group_by.entries()) {
    for (const [m] of steps) {
      if (!fieldKnown(m.event, g)) out.push({ path: ['group_by', i], reason: `group_by "${g}" is not a field of event ${m.event}` });
    }
  }
  const t = r.threshold as Record<string, unknown>;
  const tf = (t.sum ?? t.distinct) as string | undefined;
  if (tf && r.match && !fieldKnown(r.match.event, tf)) {
    out.push({ path: ['threshold'], reason: `threshold field "${tf}" is not a field of event ${r.match.event}` });
  }
  for (const reason of holdErrors(r)) out.push({ path: ['hold'], reason });
  if (r.sequence && !('count' in t && t.count === 1)) {
    out.push({ path: ['threshold'], reason: 'a sequence rule fires when its last step matches: leave threshold out' });
  }
  return out;
}

/**
 * Parse and validate one rule file's text. With a cache holding this exact text (parsed at build time) a valid
 * rule skips the YAML parser; a refused one is parsed again from YAML so every reason keeps its line.
 */
export function parseRuleText(file: string, text: string, cache?: DocsCache): { rule: Rule | null; errors: RuleLoadError[] } {
  const hit = cache?.get(text);
  if (hit && typeof hit.lines.id === 'number' && hit.doc !== null && typeof hit.doc === 'object' &&
      Object.getPrototypeOf(hit.doc) === Object.prototype) {
    const parsed = fastSafeParse(RuleDoc, hit.doc);
    if (parsed.success) {
      const r = parsed.data as unknown as Omit<Rule, 'source'>;
      if (semanticErrors(r).length === 0) return { rule: { ...r, source: { file, line: hit.lines.id } }, errors: [] };
    }
  }
  const { LineCounter, parseDocument, isMap } = yaml();
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length) {
    return {
      rule: null,
      errors: doc.errors.map((e) => ({ file, line: e.pos ? lc.linePos(e.pos[0]).line : null, reason: `YAML: ${e.message.split('\n')[0]}` })),
    };
  }
  if (!isMap(doc.contents)) return { rule: null, errors: [{ file, line: 1, reason: 'a rule file holds one mapping (id, title, ...)' }] };
  // Valid rules skip zod's machinery (zod-fast.ts, same checks); a refused one gets zod's own issues.
  const parsed = fastSafeParse(RuleDoc, doc.toJS({ maxAliasCount: 10 }));
  if (!parsed.success) {
    return {
      rule: null,
      errors: parsed.error.issues.map((i) => ({ file, line: lineOf(doc, lc, i.path), reason: issueReason(i) })),
    };
  }
  const r = parsed.data as unknown as Omit<Rule, 'source'>;
  const sem = semanticErrors(r);
  if (sem.length) return { rule: null, errors: sem.map((s) => ({ file, line: lineOf(doc, lc, s.path), reason: s.reason })) };
  return { rule: { ...r, source: { file, line: lineOf(doc, lc, ['id']) } }, errors: [] };
}

/**
 * Parsed packs by folder list, reused while no file changed (same names, sizes and mtimes): analysing
 * many small captures one by one must not re-parse the YAML each time. Rules are never mutated.
 */
const cache = new Map<string, { stamp: string; checked: number; rules: Rule[]; errors: RuleLoadError[] }>();
/** Within this many ms of the last check the folders are not even listed again (wall clock). */
const RECHECK_MS = 1000;

function stampOf(files: string[]): string {
  let s = '';
  for (const f of files) {
    try {
      const st = statSync(f);
      s += `${f}\u0000${st.size}\u0000${st.mtimeMs}\n`;
    } catch {
      s += `${f}\u0000missing\n`;
    }
  }
  return s;
}

/** Load every rule under the folders; invalid files and duplicate ids are refused, the rest kept. */
export function loadRulePacks(dirs: string[]): { rules: Rule[]; errors: RuleLoadError[] } {
  const key = JSON.stringify(dirs);
  const now = Date.now();
  const hit = cache.get(key);
  if (hit && now - hit.checked < RECHECK_MS) return { rules: [...hit.rules], errors: [...hit.errors] };
  const listed = listRuleFiles(dirs);
  const stamp = stampOf(listed.files);
  if (hit && hit.stamp === stamp && listed.errors.length === 0) {
    hit.checked = now;
    return { rules: [...hit.rules], errors: [...hit.errors] };
  }
  const res = loadUncached(listed);
  if (cache.size > 16) cache.clear();
  cache.set(key, { stamp, checked: listed.errors.length ? 0 : now, ...res });
  return { rules: [...res.rules], errors: [...res.errors] };
}

function loadUncached(listed: { files: string[]; errors: RuleLoadError[] }): { rules: Rule[]; errors: RuleLoadError[] } {
  const { files } = listed;
  const errors = [...listed.errors];
  const rules: Rule[] = [];
  const seen = new Map<string, string>();
  // Parsed at build time when the text is unchanged: the YAML parser costs the daemon ~6 MB resident.
  const cache = DocsCache.open();
  for (const file of files) {
    let text: string;
    try {
      const st = statSync(file);
      if (st.size > MAX_RULE_BYTES) {
        errors.push({ file, line: null, reason: `file larger than ${MAX_RULE_BYTES} bytes` });
        continue;
      }
      text = readFileSync(file, 'utf8');
    } catch (err) {
      errors.push({ file, line: null, reason: `cannot read: ${(err as Error).message}` });
      continue;
    }
    const res = parseRuleText(file, text, cache);
    errors.push(...res.errors);
    if (!res.rule) continue;
    const prev = seen.get(res.rule.id);
    if (prev) {
      errors.push({ file, line: res.rule.source.line, reason: `duplicate rule id "${res.rule.id}" (first in ${prev})` });
      continue;
    }
    seen.set(res.rule.id, file);
    rules.push(res.rule);
  }
  return { rules, errors };
}
