// The store document's JSON in pieces: joined, they are byte for byte what JSON.stringify(value) gives, but no
// string of the whole document is ever made (a 2-4 MB store as one string, plus its bytes, was the daemon's memory
// peak: issue #15).
//
// The document and its tables are walked here, and arrays one level further (the baseline's profiles); everything
// below (one device, one alert, one device's history, one profile) is a single JSON.stringify call, so a piece is
// at most one entry. A timed save writes off the event loop between chunks, so the tables may change while they
// are walked: an entry deleted before it is reached is left out, and entries added to a table while it was walked
// are written at its end. An entry moved within a table (a folded device's name, advice or answer) is therefore
// never missing from the file: it is written at its old key if that was reached first, else at its new one.
// A synchronous walk (nothing changes meanwhile) gives exactly JSON.stringify's text (test/ui/server/json-pieces.test.ts).

/** Objects are walked above this depth (the document is 0, its tables 1): their entries are pieces. */
const OBJECT_DEPTH = 2;
/** Arrays are walked above this depth (the baseline's profile list is 2): their elements are pieces. */
const ARRAY_DEPTH = 3;
/** Chunks are at least this many UTF-16 units (each ends at a piece boundary, so a surrogate pair is never split). */
export const CHUNK_CHARS = 64 * 1024;

/** JSON.stringify(value) as pieces (none for a value JSON.stringify gives undefined for). */
export function* jsonPieces(value: unknown): Generator<string, void, undefined> {
  if (walkable(value, 0)) yield* walk(value as object, 0);
  else {
    const s = leaf(value, '');
    if (s !== undefined) yield s;
  }
}

/** The pieces joined into chunks of about `chunkChars` (the unit a save hashes, counts and writes). */
export function* jsonChunks(value: unknown, chunkChars = CHUNK_CHARS): Generator<string, void, undefined> {
  let acc = '';
  for (const p of jsonPieces(value)) {
    acc += p;
    if (acc.length >= chunkChars) {
      yield acc;
      acc = '';
    }
  }
  if (acc !== '') yield acc;
}

function hasToJSON(v: unknown): boolean {
  return (typeof v === 'object' && v !== null) || typeof v === 'bigint'
    ? typeof (v as { toJSON?: unknown }).toJSON === 'function'
    : false;
}

/** Plain objects and arrays near the top are walked; anything with a toJSON, a class instance or a boxed value is a piece. */
function walkable(v: unknown, depth: number): boolean {
  if (typeof v !== 'object' || v === null || hasToJSON(v)) return false;
  if (Array.isArray(v)) return depth < ARRAY_DEPTH;
  const proto = Object.getPrototypeOf(v) as unknown;
  return depth < OBJECT_DEPTH && (proto === Object.prototype || proto === null);
}

/**
 * One value's JSON, or undefined where JSON.stringify leaves a property out. A value with a toJSON is given its own
 * key, as JSON.stringify does (a Date ignores it; an object of ours could not).
 */
function leaf(v: unknown, key: string): string | undefined {
  if (!hasToJSON(v)) return JSON.stringify(v);
  const q = JSON.stringify(key);
  const wrapped = JSON.stringify({ [key]: v });
  // "{}" when toJSON gave undefined (the property is left out); else {"key":...}.
  return wrapped.length === 2 ? undefined : wrapped.slice(q.length + 2, -1);
}

function* walk(v: object, depth: number): Generator<string, void, undefined> {
  if (Array.isArray(v)) {
    yield '[';
    // The length is read again at each step: an array that shrinks while a timed save waits is not read past its end.
    for (let i = 0; i < v.length; i++) {
      const sep = i === 0 ? '' : ',';
      const e: unknown = v[i];
      if (walkable(e, depth + 1)) {
        yield sep;
        yield* walk(e as object, depth + 1);
      } else {
        yield sep + (leaf(e, String(i)) ?? 'null');
      }
    }
    yield ']';
    return;
  }
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o);
  let first = true;
  yield '{';
  for (const k of keys) first = yield* property(o, k, first, depth);
  // Entries added while this table was walked (only a timed save, which waits between chunks, can see any).
  const now = Object.keys(o);
  if (now.length !== keys.length || now.some((k, i) => k !== keys[i])) {
    const seen = new Set(keys);
    for (const k of now) if (!seen.has(k)) first = yield* property(o, k, first, depth);
  }
  yield '}';
}

/** One "key":value of an object; returns whether the object is still without a property written. */
function* property(o: Record<string, unknown>, k: string, first: boolean, depth: number): Generator<string, boolean, undefined> {
  const e = o[k];
  if (walkable(e, depth + 1)) {
    yield `${first ? '' : ','}${JSON.stringify(k)}:`;
    yield* walk(e as object, depth + 1);
    return false;
  }
  // A key deleted meanwhile reads undefined and is left out, like a property whose value is undefined.
  const s = leaf(e, k);
  if (s === undefined) return first;
  yield `${first ? '' : ','}${JSON.stringify(k)}:${s}`;
  return false;
}
