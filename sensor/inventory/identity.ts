// Evidence -> identity: vendor, model, category, friendly name and confidence, specific before generic.
import type { Category, Evidence } from './types.js';
import type { VendorInfo } from './fingerprints.js';
import { KIND_NOUN, PRIVATE_WORDS } from '../i18n/kinds.js';
import type { Lang } from '../i18n/langs.js';
import { compareText } from '../text-order.js';

export interface Identity {
  vendor: string | null;
  model: string | null;
  category: Category;
  name: string | null;
  confidence: number;
}

/** Weight of a vendor's typical-category prior: below any evidence that names a category itself. */
const PRIOR_WEIGHT = 0.15;
/** Evidence naming another vendor than the chosen one still counts for category, at this share. */
const OTHER_VENDOR_SHARE = 0.5;
/** Below this total a category is not shown (a vendor prior alone, 0.15, is just enough). */
const MIN_CATEGORY = 0.15;


/** Vendor names, aliases and OUI organisation patterns from vendors.yaml. */
/** Organisation names whose vendor VendorIndex.fromOui keeps (the IEEE registry has ~50k; a home meets dozens). */
const OUI_ANSWERS_MAX = 4096;

export class VendorIndex {
  private readonly byName = new Map<string, VendorInfo>();
  private readonly ouiAnswers = new Map<string, { readonly vendor: string; readonly module_maker: boolean }>();

  constructor(private readonly vendors: VendorInfo[]) {
    for (const v of vendors) {
      this.byName.set(v.name.toLowerCase(), v);
      for (const a of v.aliases) this.byName.set(a.toLowerCase(), v);
    }
  }

  /** The known vendor an evidence name refers to, if any. */
  info(name: string): VendorInfo | undefined {
    return this.byName.get(name.toLowerCase());
  }

  /** Canonical display name for a vendor named in evidence. */
  canonical(name: string): string {
    return this.info(name)?.name ?? name;
  }

  /**
   * IEEE organisation name -> vendor (known brand or the cleaned organisation name). Answers are kept
   * per name (bounded): a home has a few dozen makers, but a flood of spoofed MACs asks for one on every
   * packet, and each question tested every vendor's expressions.
   */
  fromOui(org: string): { readonly vendor: string; readonly module_maker: boolean } {
    let a = this.ouiAnswers.get(org);
    if (a === undefined) {
      a = this.resolveOui(org);
      if (this.ouiAnswers.size >= OUI_ANSWERS_MAX) this.ouiAnswers.clear();
      this.ouiAnswers.set(org, a);
    }
    return a;
  }

  private resolveOui(org: string): { readonly vendor: string; readonly module_maker: boolean } {
    for (const v of this.vendors) {
      if (v.oui.some((re) => re.test(org))) return Object.freeze({ vendor: v.name, module_maker: v.module_maker });
    }
    return Object.freeze({ vendor: cleanOrg(org), module_maker: false });
  }
}

/** "Hon Hai Precision Ind. Co.,Ltd." -> "Hon Hai Precision Ind.": legal suffixes say nothing to a household. */
export function cleanOrg(org: string): string {
  let s = org.trim();
  for (let i = 0; i < 3; i++) {
    s = s.replace(/[,\s]+(inc\.?|incorporated|corp\.?|corporation|co\.?,?\s*ltd\.?|co\.|ltd\.?|limited|gmbh( & co\.? kg)?|ag|s\.?a\.?|b\.?v\.?|llc|l\.l\.c\.|s\.r\.l\.|oy|ab|pte\.? ltd\.?|plc|kg)$/i, '').trim();
  }
  return s || org.trim();
}

function noisyOr(ws: number[]): number {
  return 1 - ws.reduce((p, w) => p * (1 - Math.min(1, Math.max(0, w))), 1);
}

export function resolveIdentity(evidence: Evidence[], privateMac: boolean, vendors: VendorIndex): Identity {
  // 1. Vendor: evidence grouped per vendor (best weight per distinct detail), combined as noisy-or.
  const perVendor = new Map<string, number[]>();
  for (const e of evidence) {
    if (!e.vendor) continue;
    const v = vendors.canonical(e.vendor);
    const list = perVendor.get(v) ?? [];
    list.push(e.weight ?? 0);
    perVendor.set(v, list);
  }
  // A vendor family: "Philips" evidence supports "Philips Hue" when that is also named (not a rival).
  for (const short of [...perVendor.keys()]) {
    const longer = [...perVendor.keys()].filter((l) => l.toLowerCase().startsWith(`${short.toLowerCase()} `));
    if (longer.length === 1) {
      perVendor.get(longer[0])!.push(...perVendor.get(short)!);
      perVendor.delete(short);
    }
  }
  const scored = [...perVendor.entries()].map(([v, ws]) => ({
    v, score: noisyOr(ws), max: Math.max(...ws), module: vendors.info(v)?.module_maker ?? false,
  }));
  // A module maker (Espressif, Hi-Flying...) is the answer only when nothing names the brand.
  const brands = scored.filter((s) => !s.module);
  const pool = brands.length ? brands : scored;
  pool.sort((a, b) => b.score - a.score || b.max - a.max || compareText(a.v, b.v));
  const top = pool[0];
  const vendor = top?.v ?? null;
  const same = (e: Evidence) => {
    if (!e.vendor) return true;
    if (vendor === null) return false;
    const c = vendors.canonical(e.vendor);
    return c === vendor || vendor.toLowerCase().startsWith(`${c.toLowerCase()} `);
  };

  // 2. Model: the most specific (heaviest) model from evidence that agrees with the vendor.
  let model: string | null = null;
  let modelW = -1;
  for (const e of evidence) {
    if (!e.model || !same(e)) continue;
    const w = e.weight ?? 0;
    if (w > modelW || (w === modelW && model !== null && e.model.length > model.length)) { model = e.model; modelW = w; }
  }

  // 3. Category: weighted vote; the vendor's typical category is a weak prior.
  const cat = new Map<Category, number>();
  for (const e of evidence) {
    if (!e.category || e.category === 'other') continue;
    const w = (e.weight ?? 0) * (same(e) ? 1 : OTHER_VENDOR_SHARE);
    cat.set(e.category, (cat.get(e.category) ?? 0) + w);
  }
  const prior = vendor ? vendors.info(vendor)?.category : undefined;
  if (prior) cat.set(prior, (cat.get(prior) ?? 0) + PRIOR_WEIGHT);
  let category: Category = 'other';
  let best = 0;
  // A lone weak hint (one mDNS browse) is not enough to name a kind of device.
  for (const [c, w] of cat) if (w > best && w >= MIN_CATEGORY) { category = c; best = w; }

  // 4. Confidence: support for the vendor, lowered by strong evidence for another brand.
  let confidence = top ? top.score : 0;
  const rival = pool[1];
  if (rival && !rival.module) confidence *= 1 - rival.score / 2;
  if (!vendor && category !== 'other') confidence = Math.min(0.5, best);

  return { vendor, model, category, name: friendlyName(vendor, model, category, privateMac), confidence: Math.round(confidence * 100) / 100 };
}

/**
 * "D-Link DCS-935L camera", "Philips Hue Bridge hub", "private address of a phone/laptop"; in Dutch
 * "TP-Link HS110 slimme stekker" (the kind's noun from sensor/i18n/kinds.ts). The inventory stores the
 * English one; the dashboard asks again in the household's language.
 */
export function friendlyName(vendor: string | null, model: string | null, category: Category, privateMac: boolean, lang: Lang = 'en'): string | null {
  const parts: string[] = [];
  if (vendor) parts.push(vendor);
  if (model) {
    // "Philips Hue" + "Hue Bridge" -> "Philips Hue Bridge"
    const vWords = (vendor ?? '').toLowerCase().split(/\s+/);
    const mWords = model.split(/\s+/);
    while (mWords.length > 1 && vWords.includes(mWords[0].toLowerCase())) mWords.shift();
    if (!(mWords.length === 1 && vWords.includes(mWords[0].toLowerCase()))) parts.push(mWords.join(' '));
  }
  const noun = KIND_NOUN[lang][category];
  if (noun && !parts.join(' ').toLowerCase().includes(noun.toLowerCase())) parts.push(noun);
  const priv = PRIVATE_WORDS[lang];
  if (privateMac) return parts.length ? `${parts.join(' ')} (${priv.suffix})` : priv.alone;
  return parts.length ? parts.join(' ') : null;
}
