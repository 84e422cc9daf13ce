// For tests that build their own network namespaces: run a command and keep its output, and ask whether
// this process may create namespaces at all (root, or CAP_NET_ADMIN + CAP_SYS_ADMIN).
import { spawnSync } from 'node:child_process';

export function sh(cmd: string, args: string[]): { ok: boolean; out: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return { ok: r.status === 0, out: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? r.error.message : ''}` };
}

/** null when a namespace named `probe` could be made (and was removed again), else why not. */
export function cannotNetns(probe: string): string | null {
  const r = sh('ip', ['netns', 'add', probe]);
  if (!r.ok) return r.out.trim() || 'ip netns add failed';
  sh('ip', ['netns', 'del', probe]);
  return null;
}

/** One end of a veth pair for vethPairSteps: its namespace, interface name and IPv4 address (a /30). */
export interface VethEnd { ns: string; veth: string; addr: string }

/**
 * The `ip` commands that make two namespaces joined by a veth pair, addressed and up (loopback too), for
 * a test to run with sh() and report; the test removes the namespaces afterwards.
 */
export function vethPairSteps(a: VethEnd, b: VethEnd): [string, string[]][] {
  return [
    ['ip', ['netns', 'add', a.ns]],
    ['ip', ['netns', 'add', b.ns]],
    ['ip', ['link', 'add', a.veth, 'netns', a.ns, 'type', 'veth', 'peer', 'name', b.veth, 'netns', b.ns]],
    ...[a, b].flatMap((e): [string, string[]][] => [
      ['ip', ['-n', e.ns, 'addr', 'add', `${e.addr}/30`, 'dev', e.veth]],
      ['ip', ['-n', e.ns, 'link', 'set', e.veth, 'up']],
      ['ip', ['-n', e.ns, 'link', 'set', 'lo', 'up']],
    ]),
  ];
}
