// Parsed data documents (fingerprints, rule packs, advice) from the build's JSON cache dist/data/docs.json, so the
// daemon does not run the YAML parser at start (on Node 20 that leaves ~6 MB resident: compiled parser code and
// allocator fragmentation). Entries are keyed by the SHA-256 of the file text, so an edited file, a file copied
// with new times or a user's own rule folder simply misses and is parsed from YAML as before (same errors, same lines).
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { projectPath } from './paths.js';

/** Bump with any change to the entry shape (firmware-scripts/build-docs.mjs writes it). */
export const DOCS_CACHE_VERSION = 1;

export interface CachedDoc {
  /** The document as the YAML loaders' toJS() returns it. */
  doc: unknown;
  /** 1-based line of each top-level key's value (mapping documents), for error and source locations. */
  lines: Record<string, number>;
}

/** dist/data/docs.json under the installation root; WAAKHOND_DOCS_CACHE names another file, or "off". */
export function docsCacheFile(): string | null {
  const env = process.env.WAAKHOND_DOCS_CACHE;
  if (env === 'off') return null;
  return env || projectPath('dist', 'data', 'docs.json');
}

/** The SHA-256 of a data file's text, as the cache keys it. */
export function docKey(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * The last parse of each cache file (with the file's size and mtime), held only weakly: the loaders that run one
 * after another at start-up (fingerprints, rule packs, advice) share one JSON.parse (~2 ms each) instead of one
 * each, and nothing keeps it in memory once the garbage collector wants it. The loaders only read what they get.
 */
const recent = new Map<string, { stamp: string; cache: WeakRef<DocsCache> }>();

/** One read of the cache: open it for one load, let it go afterwards (it is not kept in memory). */
export class DocsCache {
  private constructor(private readonly docs: Record<string, CachedDoc>) {}

  /** The cache, or an empty one when it is missing, unreadable, or of another version (the loaders then parse YAML). */
  static open(file: string | null = docsCacheFile()): DocsCache {
    if (!file) return new DocsCache({});
    let stamp: string;
    try {
      const st = statSync(file);
      stamp = `${st.size}:${st.mtimeMs}`;
    } catch {
      return new DocsCache({});
    }
    const prev = recent.get(file);
    const reuse = prev?.stamp === stamp ? prev.cache.deref() : undefined;
    if (reuse) return reuse;
    let cache: DocsCache;
    try {
      const raw = JSON.parse(readFileSync(file, 'utf8')) as { version?: unknown; docs?: unknown };
      if (raw.version !== DOCS_CACHE_VERSION || !raw.docs || typeof raw.docs !== 'object') cache = new DocsCache({});
      else cache = new DocsCache(raw.docs as Record<string, CachedDoc>);
    } catch {
      cache = new DocsCache({});
    }
    if (recent.size > 4) recent.clear();
    recent.set(file, { stamp, cache: new WeakRef(cache) });
    return cache;
  }

  /** The cached parse of exactly this text, or null. */
  get(text: string): CachedDoc | null {
    const key = docKey(text);
    const e = Object.hasOwn(this.docs, key) ? this.docs[key] : undefined;
    if (!e || typeof e !== 'object' || !('doc' in e) || !e.lines || typeof e.lines !== 'object') return null;
    return e;
  }
}
