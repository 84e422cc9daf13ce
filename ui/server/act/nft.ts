// Runs `nft -f -` with a script on stdin: one netlink transaction, so a refused script changes nothing.
import { spawn } from 'node:child_process';

export type NftResult = { ok: true } | { ok: false; error: string };

export interface NftRunner {
  (script: string, opts?: { check?: boolean }): Promise<NftResult>;
}

export function nftRunner(bin = 'nft', timeoutMs = 10_000): NftRunner {
  return (script, opts = {}) => new Promise<NftResult>((resolve) => {
    const args = opts.check ? ['--check', '-f', '-'] : ['-f', '-'];
    let child;
    try {
      child = spawn(bin, args, { stdio: ['pipe', 'ignore', 'pipe'] });
    } catch (err) {
      resolve({ ok: false, error: `cannot run ${bin}: ${(err as Error).message}` });
      return;
    }
    let err = '';
    const timer = setTimeout(() => { child.kill('SIGKILL'); }, timeoutMs);
    child.stderr.on('data', (d: Buffer) => { if (err.length < 4096) err += d.toString(); });
    child.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ ok: false, error: e.code === 'ENOENT' ? `${bin} (nftables) is not installed` : `cannot run ${bin}: ${e.message}` });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve({ ok: true });
      else resolve({ ok: false, error: signal ? `${bin} killed (${signal}) after ${timeoutMs} ms` : firstError(err) || `${bin} exited ${code}` });
    });
    child.stdin.on('error', () => { /* the close handler reports */ });
    child.stdin.end(script);
  });
}

/** nft's first "Error:" line is the reason a person can act on ("Operation not permitted", "No such file"). */
function firstError(stderr: string): string {
  const line = stderr.split('\n').find((l) => l.includes('Error:'));
  return (line ?? stderr.split('\n')[0] ?? '').replace(/^\/dev\/stdin:\d+:\d+-\d+: /, '').trim().slice(0, 300);
}
