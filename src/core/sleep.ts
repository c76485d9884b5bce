/**
 * Waits `ms`, or less if `signal` aborts; never rejects (unlike timers/promises' setTimeout), so a loop can sleep
 * between ticks and then simply see that it was asked to stop.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
