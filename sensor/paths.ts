// Where the data files live at run time: the project root, whether running from source
// (sensor/paths.ts) or from the bundle (dist/waakhond.mjs): both sit one folder below it.
import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** Root of the installation (or the checkout); WAAKHOND_HOME overrides. */
export function projectRoot(): string {
  return process.env.WAAKHOND_HOME ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
}

/** A path under the installation root, e.g. projectPath('rules', 'packs'). */
export function projectPath(...parts: string[]): string {
  return path.join(projectRoot(), ...parts);
}
