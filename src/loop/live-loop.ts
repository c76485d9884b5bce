import type { Controller, TickResult } from './controller.js';
import { sleep } from '../core/sleep.js';

export interface LiveLoopOptions {
  /** Wall-clock seconds between tick starts (a slow tick delays the next, ticks never overlap). */
  intervalSeconds: number;
  /** Stop after this many ticks; undefined runs until `signal` aborts. */
  maxTicks?: number;
  signal?: AbortSignal;
  onTick?: (r: TickResult, n: number) => void | Promise<void>;
  /** A tick that throws (the source is down past its stale budget): reported, and the loop carries on. */
  onError?: (e: unknown, n: number) => void | Promise<void>;
}

export interface LiveLoopSummary {
  ticks: number;
  failedTicks: number;
  stoppedBy: 'ticks' | 'signal';
}

/** Runs a controller against the wall clock: the loop of a real deployment (simulations step their own clock). */
export async function runLiveLoop(controller: Controller, o: LiveLoopOptions): Promise<LiveLoopSummary> {
  let ticks = 0;
  let failedTicks = 0;
  while (!o.signal?.aborted && (o.maxTicks === undefined || ticks < o.maxTicks)) {
    const started = performance.now();
    ticks++;
    try {
      const r = await controller.tick();
      await o.onTick?.(r, ticks);
    } catch (e) {
      failedTicks++;
      await o.onError?.(e, ticks);
    }
    if (o.maxTicks !== undefined && ticks >= o.maxTicks) break;
    const wait = Math.max(0, o.intervalSeconds * 1000 - (performance.now() - started));
    await sleep(wait, o.signal);
  }
  return { ticks, failedTicks, stoppedBy: o.signal?.aborted ? 'signal' : 'ticks' };
}
