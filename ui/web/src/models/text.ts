// Network text as the dashboard shows it: invisible format characters removed from every string the API
// returns, whatever the server stored (a store written before the sensor stripped them, an import).
// The same set as sensor/protocols/bytes.ts INVISIBLE (which cannot be imported here: it uses Buffer).

/** C0/C1 controls except tab and newline (evidence and payload text keep their lines), line/paragraph separators, Unicode Cf except an emoji's ZWJ. */
// eslint-disable-next-line no-control-regex
const INVISIBLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]|(?!(?<=\p{Extended_Pictographic}[\u{FE0F}\u{1F3FB}-\u{1F3FF}]?)\u200d(?=\p{Extended_Pictographic}))\p{Cf}/gu;
// eslint-disable-next-line no-control-regex
const MAYBE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]|\p{Cf}/u;

export function stripInvisible(s: string): string {
  return MAYBE.test(s) ? s.replace(INVISIBLE, '') : s;
}

/** A JSON value with stripInvisible applied to every string in it (keys included), in place where possible. */
export function cleanJson<T>(v: T): T {
  if (typeof v === 'string') return stripInvisible(v) as T;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = cleanJson(v[i]);
    return v;
  }
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    for (const k of Object.keys(o)) {
      const ck = stripInvisible(k);
      const val = cleanJson(o[k]);
      if (ck !== k) delete o[k];
      o[ck] = val;
    }
  }
  return v;
}
