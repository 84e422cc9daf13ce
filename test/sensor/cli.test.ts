// CLI habits: --help on every command (never running it), --version, exit codes documented in the help and the README.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../sensor/cli.js';
import { VERSION } from '../../sensor/version.js';
import { PROJECT_ROOT } from '../helpers/shared.js';

/** Runs the CLI in-process and captures what it writes. */
async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((b: string | Uint8Array) => { out += b.toString(); return true; });
  vi.spyOn(process.stderr, 'write').mockImplementation((b: string | Uint8Array) => { err += b.toString(); return true; });
  try {
    const code = await main(argv);
    return { code, out, err };
  } finally {
    vi.restoreAllMocks();
  }
}

afterEach(() => { vi.restoreAllMocks(); });

describe('waakhond command line', () => {
  it('--version prints the package version', async () => {
    const pkg = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(VERSION).toBe(pkg.version);
    for (const flag of ['--version', '-V', 'version']) {
      const r = await cli(flag);
      expect(r.code, flag).toBe(0);
      expect(r.out).toBe(`waakhond ${pkg.version}\n`);
    }
  });

  it('--help on every command prints its usage with exit codes and does not run it', async () => {
    for (const cmd of ['analyze', 'run', 'lookup', 'check']) {
      for (const flag of ['--help', '-h']) {
        const r = await cli(cmd, flag);
        expect(r.code, `${cmd} ${flag}`).toBe(0);
        expect(r.out, `${cmd} ${flag}`).toMatch(new RegExp(`usage: waakhond ${cmd}`));
        expect(r.out, `${cmd} ${flag}`).toMatch(/exit (codes|status)/);
        // check --help used to run the check: its results go to stdout/stderr, the usage does not mention them.
        expect(r.err, `${cmd} ${flag}`).toBe('');
      }
    }
    const top = await cli('--help');
    expect(top.code).toBe(0);
    expect(top.out).toMatch(/exit codes:\n\s+0 .*\n[\s\S]*\n\s+2 +usage error/);
  });

  it('usage errors exit 2 with a reason', async () => {
    expect((await cli('bogus')).code).toBe(2);
    const a = await cli('analyze', '--bogus', 'x.pcap');
    expect(a.code).toBe(2);
    expect(a.err).toMatch(/Unknown option '--bogus'/);
    expect((await cli('analyze')).code).toBe(2);
    const c = await cli('check', '--strict');
    expect(c.code).toBe(2);
    expect(c.err).toMatch(/unknown argument --strict/);
  });

  it('run --stdin from a terminal (nothing piped in) is a usage error, not a silent wait', async () => {
    const had = Object.getOwnPropertyDescriptor(process.stdin, 'isTTY');
    Object.defineProperty(process.stdin, 'isTTY', { value: true, configurable: true });
    try {
      const r = await cli('run', '--stdin', '--port', '0');
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/--stdin wants a pcap stream piped in/);
    } finally {
      if (had) Object.defineProperty(process.stdin, 'isTTY', had);
      else delete (process.stdin as { isTTY?: boolean }).isTTY;
    }
  });

  it('analyze of a missing file exits 1', async () => {
    const r = await cli('analyze', '--json', '/nonexistent/none.pcap');
    expect(r.code).toBe(1);
  });

  it('the README documents the exit codes', () => {
    const readme = readFileSync(path.join(PROJECT_ROOT, 'README.md'), 'utf8');
    const section = /^#+ Exit codes\n([\s\S]*?)(?=^#+ )/m.exec(readme);
    expect(section, 'README section "Exit codes"').not.toBeNull();
    for (const cmd of ['analyze', 'run', 'lookup', 'check']) expect(section![1]).toContain(`waakhond ${cmd}`);
    for (const code of ['0', '1', '2']) expect(section![1]).toMatch(new RegExp(`\\|\\s*${code}\\s*\\|`));
  });
});
