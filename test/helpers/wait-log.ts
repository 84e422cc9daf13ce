// Waiting for a line in a child process's log: the match, or an error with the log so far. `fatal`
// names a line that means the wait can never succeed (the process said it could not start).
export async function waitForLog(log: () => string, re: RegExp, ms = 30_000, fatal?: RegExp): Promise<RegExpMatchArray> {
  const t0 = Date.now();
  for (;;) {
    const text = log();
    const m = re.exec(text);
    if (m) return m;
    if (fatal?.test(text)) throw new Error(`the process did not start:\n${text}`);
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${re}; stderr:\n${text}`);
    await new Promise((res) => setTimeout(res, 50));
  }
}
