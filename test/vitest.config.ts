// Vitest configuration: all tests live under test/, run from the project root.
import { fileURLToPath } from 'node:url';
import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  root: fileURLToPath(new URL('..', import.meta.url)),
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    // test/.cache holds downloads (a Debian rootfs for the Pi test): never crawl it for tests.
    exclude: [...configDefaults.exclude, 'test/.cache/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
