// Evidence -> identity: vendor, model, category, friendly name and confidence, specific before generic.
import type { Category, Evidence } from './types.js';

export interface Identity {
  vendor: string | null;
  model: string | null;
  category: Category;
  name: string | null;
  confidence: number;
}

export function resolveIdentity(_mac: string, evidence: Evidence[], privateMac: boolean): Identity {
  let vendor: string | null = null;
  let model: string | null = null;
  let category: Category = 'other';
  let best = 0;
  for (const e of evidence) {
    const w = e.weight ?? 0;
    if (e.vendor && w > best) { vendor = e.vendor; best = w; }
    if (e.model && !model) model = e.model;
    if (e.category && category === 'other') category = e.category;
  }
  const name = vendor ? [vendor, model, category !== 'other' ? category : null].filter(Boolean).join(' ')
    : privateMac ? 'private address' : null;
  return { vendor, model, category, name, confidence: best };
}
