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
