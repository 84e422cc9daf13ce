// Model names stay whole on a line: "DS-2CD2032-I" may move to the next line but is never split at its hyphens,
// and a word longer than a phone's line ends in an ellipsis (the whole word is its title) instead of breaking.
import type { ComponentChildren } from 'preact';

/** Longer than this, a word may not fit a 390 px line in a heading: it is clipped, not broken. */
const LONG = 22;

/** Words with a digit and a hyphen (model numbers, "512-byte") in a no-wrap span; long words clipped; the text is unchanged. */
export function whole(text: string): ComponentChildren {
  const parts = text.split(/(\S+)/);
  if (!parts.some((p, i) => i % 2 === 1 && (p.length > LONG || (/\d/.test(p) && p.includes('-'))))) return text;
  return parts.map((p, i) => {
    if (i % 2 === 0) return p;
    if (p.length > LONG) return <span class="clip" title={p}>{p}</span>;
    return /\d/.test(p) && p.includes('-') ? <span class="nobr">{p}</span> : p;
  });
}
