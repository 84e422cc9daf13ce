// shellcheck on every shipped script: POSIX sh for what busybox ash runs on OpenWrt, bash for the rest.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, FW, OPENWRT_FILES, ash, have, run } from './helpers.js';

const ASH_SCRIPTS = [
  path.join(OPENWRT_FILES, 'waakhond.init'),
  path.join(OPENWRT_FILES, 'uci2json.sh'),
  path.join(OPENWRT_FILES, 'waakhond-run.sh'),
  path.join(OPENWRT_FILES, 'waakhond.defaults'),
  path.join(FW, 'openwrt', 'waakhond', 'stage.sh'),
  path.join(FW, 'remote-capture.sh'),
  path.join(FIXTURES, 'openwrt', 'functions.sh'),
  path.join(FIXTURES, 'openwrt', 'procd-stub.sh'),
];
const BASH_SCRIPTS = [
  path.join(FW, 'pi', 'install.sh'),
  path.join(FW, 'openwrt', 'build-ipk.sh'),
];

describe('shellcheck', () => {
  it('is installed (apt-get install shellcheck)', () => {
    expect(have('shellcheck')).toBe(true);
  });

  it.each(ASH_SCRIPTS.map((f) => [path.relative(FW, f), f]))('%s passes in POSIX sh mode', (_n, f) => {
    const r = run('shellcheck', ['-s', 'sh', '-S', 'style', f]);
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it.each(BASH_SCRIPTS.map((f) => [path.relative(FW, f), f]))('%s passes in bash mode', (_n, f) => {
    const r = run('shellcheck', ['-s', 'bash', '-S', 'style', f]);
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('finds a real problem (the check is live)', () => {
    const r = run('shellcheck', ['-s', 'sh', '-'], { input: '#!/bin/sh\nlocal x=1\necho $x\n[[ -n $x ]]\n' });
    expect(r.status).not.toBe(0);
  });

  it.each(ASH_SCRIPTS.map((f) => [path.relative(FW, f), f]))('%s parses in ash', (_n, f) => {
    const [sh, ...pre] = ash();
    const r = run(sh, [...pre, '-n', f]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
