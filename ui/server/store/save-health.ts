// Whether saving a file works, for /api/health and the dashboard: one failure episode from the first failed save to
// the next good one, logged once when it starts and once when it ends (a full disk retried every few seconds must
// not fill the log too), with a back-off for the retries.

/** What a person is told, by errno: the first four keep the old file and are retried. */
const REASONS: Record<string, string> = {
  ENOSPC: 'disk full',
  EDQUOT: 'disk quota exceeded',
  EIO: 'disk error',
  EROFS: 'disk is read-only',
  EACCES: 'no permission',
  EPERM: 'no permission',
  ENOENT: 'data folder missing',
};

export interface SaveProblem {
  /** The file that cannot be saved. */
  file: string;
  /** errno name (ENOSPC, EIO, ...) or "error". */
  code: string;
  /** In words: "disk full", "disk error", ... */
  reason: string;
  message: string;
  /** Wall-clock ms of the first failure of this episode. */
  since: number;
  /** Failed attempts in this episode. */
  failures: number;
}

export class SaveHealth {
  problem: SaveProblem | null = null;
  /** Failure episodes so far (each logged once). */
  episodes = 0;
  private readonly what: string;
  private readonly log: (msg: string) => void;
  private readonly maxBackoffMs: number;

  constructor(what: string, log: (msg: string) => void, maxBackoffMs = 300_000) {
    this.what = what;
    this.log = log;
    this.maxBackoffMs = maxBackoffMs;
  }

  /** Records a failed save; logs only the first of an episode. */
  failed(file: string, err: unknown): SaveProblem {
    const code = (err as NodeJS.ErrnoException)?.code ?? 'error';
    const message = (err as Error)?.message ?? String(err);
    if (this.problem) {
      this.problem.failures++;
      this.problem.code = code;
      this.problem.reason = REASONS[code] ?? 'write error';
      this.problem.message = message;
      return this.problem;
    }
    this.episodes++;
    this.problem = { file, code, reason: REASONS[code] ?? 'write error', message, since: Date.now(), failures: 1 };
    this.log(`${this.what}: cannot save ${file}: ${this.problem.reason} (${message}); the previous file is kept, retrying with back-off (logged once until it works again)`);
    return this.problem;
  }

  /** Records a good save; logs the end of an episode. */
  ok(): void {
    if (!this.problem) return;
    const p = this.problem;
    this.problem = null;
    this.log(`${this.what}: saving works again (${p.failures} failed attempt(s) since ${new Date(p.since).toISOString()})`);
  }

  /** The wait before the next retry: base doubled per failure, at most maxBackoffMs. */
  retryDelay(baseMs: number): number {
    const n = this.problem?.failures ?? 0;
    return Math.min(this.maxBackoffMs, Math.max(baseMs, 1000) * 2 ** Math.min(16, Math.max(0, n - 1)));
  }
}
