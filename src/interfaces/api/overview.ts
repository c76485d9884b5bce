import { z } from 'zod';
import { LatestStateStore, LoopStateSchema } from '../../knowledge/latest-state.js';
import type { CoreContext } from './context.js';
import { ApiError } from './errors.js';

/** How old the latest state may be before the overview calls it stale, unless the request says otherwise. */
export const DEFAULT_STALE_AFTER_SECONDS = 60;

export const OverviewSchema = z.object({
  runId: z.string(),
  /** The run that recorded the state (null if its row is gone). */
  run: z.object({ command: z.string(), status: z.string(), createdAt: z.number() }).nullable(),
  /** Wall-clock seconds of the last write, and how long ago that was. */
  updatedAt: z.number(),
  ageSeconds: z.number().nonnegative(),
  /** True when the run no longer runs or has not written for `staleAfterSeconds`: the view is not live. */
  stale: z.boolean(),
  staleAfterSeconds: z.number(),
  state: LoopStateSchema,
});
export type Overview = z.infer<typeof OverviewSchema>;

/**
 * The latest state a loop recorded (knowledge/latest-state.ts): of `runId`, or of the newest running run (else the
 * newest of any), with its age so a client can tell a live view from a stale one.
 */
export async function readOverview(ctx: Pick<CoreContext, 'store' | 'now'>, o: { runId?: string; staleAfterSeconds?: number } = {}): Promise<Overview> {
  const states = new LatestStateStore(ctx.store.db);
  const stored = o.runId !== undefined ? await states.get(o.runId) : await states.newest();
  if (!stored) {
    throw o.runId !== undefined
      ? new ApiError(404, 'not-found', `run "${o.runId}" has recorded no state (only loops record it: run, demo, simulate)`)
      : new ApiError(404, 'no-state', 'no loop has recorded its state yet: start `autonomic run`, `demo` or `simulate` on this store');
  }
  const run = await ctx.store.runs.get(stored.runId);
  const staleAfterSeconds = o.staleAfterSeconds ?? DEFAULT_STALE_AFTER_SECONDS;
  const ageSeconds = Math.max(0, Math.round((ctx.now() - stored.updatedAt) * 10) / 10);
  return {
    runId: stored.runId,
    run: run ? { command: run.command, status: run.status, createdAt: run.createdAt } : null,
    updatedAt: stored.updatedAt,
    ageSeconds,
    stale: run?.status !== 'running' || ageSeconds > staleAfterSeconds,
    staleAfterSeconds,
    state: stored.state,
  };
}
