// Model names stay whole on a line: "DS-2CD2032-I" may move to the next line but is never split at its hyphens.
import type { ComponentChildren } from 'preact';

/** Words with a digit and a hyphen (model numbers, "512-byte") in a no-wrap span; the text itself is unchanged. */
export function whole(text: string): ComponentChildren {
  const parts = text.split(/(\S*\d\S*)/);
  if (parts.length === 1) return text;
  return parts.map((p, i) => (i % 2 === 1 && p.includes('-') ? <span class="nobr">{p}</span> : p));
}
