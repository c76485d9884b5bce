import { z } from 'zod';
import type { CoreContext } from './context.js';

export const StatusSchema = z.object({
  version: z.string(),
  uptimeSeconds: z.number(),
  journal: z.object({ entries: z.number().int(), headHash: z.string() }),
  approvalsPending: z.number().int(),
  runs: z.object({
    running: z.number().int(),
    latest: z.object({ id: z.string(), command: z.string(), status: z.string(), createdAt: z.number() }).nullable(),
  }),
  policy: z.object({ source: z.enum(['file', 'built-in']), sha256: z.string() }),
  liveSnapshot: z.boolean(),
});
export type Status = z.infer<typeof StatusSchema>;

/** One glance, for GET /api/status and the MCP `status` tool: is the journal growing, what waits, what runs. */
export async function readStatus(ctx: CoreContext): Promise<Status> {
  const now = ctx.now();
  const [head, pending, running, latest] = await Promise.all([
    ctx.store.journal.head(),
    ctx.store.approvals.list({ status: 'pending' }),
    ctx.store.runs.list({ status: 'running' }),
    ctx.store.runs.list({ limit: 1 }),
  ]);
  const last = latest[0];
  return {
    version: '0.1.0',
    uptimeSeconds: Math.round(now - ctx.startedAt),
    journal: { entries: head.seq, headHash: head.hash },
    // Overdue ones are not listed as waiting even before something marks them expired.
    approvalsPending: pending.filter((a) => a.expiresAt > now).length,
    runs: { running: running.length, latest: last ? { id: last.id, command: last.command, status: last.status, createdAt: last.createdAt } : null },
    policy: { source: ctx.policy.file ? 'file' : 'built-in', sha256: ctx.policy.digest() },
    liveSnapshot: ctx.snapshot !== undefined,
  };
}
