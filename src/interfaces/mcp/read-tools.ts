import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { ApprovalQueue } from '../../govern/approvals.js';
import { ModelRegistry } from '../../knowledge/model-registry.js';
import type { CoreContext } from '../api/context.js';
import { explainEntry } from '../api/explain.js';
import { readStatus } from '../api/status.js';
import { errorResult, jsonResult } from './result.js';

const kind = z.string().min(1).max(64).regex(/^[A-Za-z0-9._-]+$/);
const page = {
  run: z.string().min(1).max(128).optional().describe('only entries of this run id'),
  since: z.number().finite().optional().describe('only entries at or after this time (seconds)'),
  after: z.number().int().min(0).optional().describe('cursor: only entries after this sequence number'),
  limit: z.number().int().min(1).max(200).default(20),
};

/** Read-only tools: what the loop sees, decided and is waiting on. None of them writes anything. */
export function registerReadTools(server: McpServer, ctx: CoreContext): void {
  const readOnly = { readOnlyHint: true, openWorldHint: false };

  server.registerTool('status', {
    description: 'Journal size and head, approvals pending, runs, and the guardrail policy fingerprint.',
    annotations: readOnly,
  }, async () => jsonResult(await readStatus(ctx)));

  server.registerTool('list_decisions', {
    description: 'Journal entries of one kind (default "decision"), oldest first. Each has the actor, a one-sentence rationale and its payload (verdict, reasons, inputs).',
    inputSchema: { kind: kind.default('decision'), ...page },
    annotations: readOnly,
  }, async (a) => {
    const items = await ctx.store.journal.list({ runId: a.run, kind: a.kind, since: a.since, afterSeq: a.after, limit: a.limit });
    return jsonResult({ items, nextAfter: items.length === a.limit ? items[items.length - 1].seq : null });
  });

  server.registerTool('explain_decision', {
    description: 'Why the loop did something: one journal entry by sequence number, with the guardrail verdict, reasons, expected effect and approval.',
    inputSchema: { seq: z.number().int().min(1).describe('the journal sequence number') },
    annotations: readOnly,
  }, async ({ seq }) => {
    const entry = await ctx.store.journal.get(seq);
    if (!entry) return errorResult(`no journal entry #${seq}`);
    return jsonResult({ entry, explanation: await explainEntry(ctx, entry) });
  });

  server.registerTool('approvals_pending', {
    description: 'High-risk actions waiting for a human, with why they were proposed and why they need approval. Approving is for people (the API or CLI), not for this server.',
    annotations: readOnly,
  }, async () => {
    const now = ctx.now();
    const pending = await new ApprovalQueue(ctx.store.approvals).list('pending');
    return jsonResult({ items: pending.filter((a) => a.expiresAt > now) });
  });

  server.registerTool('list_anomalies', {
    description: 'Anomalies the analyzers journaled (entries of kind "anomaly"), oldest first.',
    inputSchema: page,
    annotations: readOnly,
  }, async (a) => jsonResult({ items: await ctx.store.journal.list({ runId: a.run, kind: 'anomaly', since: a.since, afterSeq: a.after, limit: a.limit }) }));

  server.registerTool('forecast_models', {
    description: 'The active forecasting model per series with its backtest scores (MASE at 1 h and 24 h) and age. Forecast values themselves are not stored.',
    annotations: readOnly,
  }, async () => {
    const now = ctx.now();
    const models = await new ModelRegistry(ctx.store.db).history({ status: 'active' });
    return jsonResult({
      items: models.map((m) => ({ series: m.seriesKey, kind: m.kind, version: m.version, scores: m.scores, trainedUntil: m.trainEnd, ageSeconds: Math.max(0, Math.round(now - m.createdAt)) })),
    });
  });
}
