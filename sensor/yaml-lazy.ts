// The YAML parser, loaded on the first parse rather than at start-up. The loaders read fingerprints, rule packs,
// advice and the baseline from the build's parsed cache (docs-cache.ts) and need the parser only for a file that
// changed since the build, a user's own rule folder, `waakhond check` or a config file: a run that needs none of
// these no longer evaluates the parser's ~160 kB (about 3 ms of every start, and its heap).
import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';

let mod: typeof Yaml | undefined;

/** The yaml package, loaded now if it was not yet. */
export function yaml(): typeof Yaml {
  // In the bundle, esbuild compiles require('yaml') into a module run on this first call (its banner defines
  // require); from source (tests, tools) the package is required from node_modules.
  mod ??= (typeof require === 'function' ? require('yaml') : createRequire(import.meta.url)('yaml')) as typeof Yaml;
  return mod;
}
