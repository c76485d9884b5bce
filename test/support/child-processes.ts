import type { ChildProcess } from 'node:child_process';

/**
 * Polls fn every 250 ms until it returns a value. `fatal` names a reason to stop at once (a child process died), so
 * a test fails with that reason instead of waiting out the deadline.
 */
export async function until<T>(what: string, deadlineMs: number, fn: () => Promise<T | undefined>, fatal?: () => string | undefined): Promise<T> {
  const end = performance.now() + deadlineMs;
  let last: unknown;
  while (performance.now() < end) {
    const dead = fatal?.();
    if (dead) throw new Error(`${dead} while waiting for ${what}`);
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}${last instanceof Error ? ` (last error: ${last.message})` : ''}`);
}

/** SIGTERM, then SIGKILL after 5 s if the child has not exited; resolves once it has. */
export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}
