// "What is this?": asks the household the kind, brand and a name of a device we are unsure of; shows and undoes their answer.
import { useEffect, useState } from 'preact/hooks';
import { CATEGORIES } from '../../../../sensor/inventory/types.js';
import { t } from '../models/lang.js';
import type { AnswerInput, DeviceDetail } from '../models/types.js';

export interface WhatIsThisProps {
  device: DeviceDetail;
  /** The last change can be undone (it replaced `previous`). */
  canUndo: boolean;
  error: string | null;
  onSave: (mac: string, a: AnswerInput) => void;
  onClear: (mac: string) => void;
  onUndo: (mac: string) => void;
}

export function WhatIsThis({ device: d, canUndo, error, onSave, onClear, onUndo }: WhatIsThisProps) {
  const a = d.answer;
  const [kind, setKind] = useState(a?.category ?? d.category);
  const [brand, setBrand] = useState(a?.vendor ?? '');
  const [name, setName] = useState(a?.name ?? '');
  useEffect(() => {
    setKind(a?.category ?? d.inferred.category);
    setBrand(a?.vendor ?? '');
    setName(a?.name ?? '');
  }, [d.mac, a?.category, a?.vendor, a?.name, a?.at_ms]);
  return (
    <details class="card whatis" open={d.ask || !!a}>
      {/* A device we are sure of is not asked "what is this?": the household may still correct us. */}
      <summary><h2 id="wit-h">{t(d.ask || a ? 'whatis.title' : 'whatis.wrong')}</h2></summary>
      {a ? <p class="said" data-testid="said">✓ {t('whatis.said')}</p> : <p class="muted">{d.ask ? t('whatis.ask') : t('whatis.correct')}</p>}
      <form aria-labelledby="wit-h" onSubmit={(e) => {
        e.preventDefault();
        onSave(d.mac, { category: kind, vendor: brand.trim() || null, name: name.trim() || null });
      }}>
        <label for="wit-kind">{t('whatis.kind')}</label>
        <select id="wit-kind" value={kind} onChange={(e) => setKind((e.target as HTMLSelectElement).value as typeof kind)}>
          {CATEGORIES.map((c) => <option value={c}>{t(`kind.${c}`)}</option>)}
        </select>
        <label for="wit-brand">{t('whatis.brand')}</label>
        <input id="wit-brand" maxLength={64} value={brand} placeholder={d.inferred.vendor ?? ''} onInput={(e) => setBrand((e.target as HTMLInputElement).value)} />
        <label for="wit-name">{t('whatis.name')}</label>
        <input id="wit-name" maxLength={64} value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
        <div class="actions">
          <button type="submit" class="primary">{t('whatis.save')}</button>
          {a && <button type="button" onClick={() => onClear(d.mac)}>{t('whatis.clear')}</button>}
          {canUndo && <button type="button" onClick={() => onUndo(d.mac)}>{t('whatis.undo')}</button>}
        </div>
        {error && <p class="error" role="alert">{error}</p>}
      </form>
    </details>
  );
}
