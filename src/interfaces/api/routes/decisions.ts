import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ApiContext } from '../context.js';
import { ApiError } from '../errors.js';
import { explainEntry, ExplanationSchema } from '../explain.js';
import { errorResponses, IdParam, JournalEntrySchema } from '../schemas.js';

const KindParam = z.string().min(1).max(64).regex(/^[A-Za-z0-9._-]+$/, 'a kind is letters, digits and . _ -');

export const DecisionQuerySchema = z.strictObject({
  run: IdParam.optional(),
  kind: KindParam.default('decision').describe('journal entry kind (decision, approval, proposal, anomaly, policy, ...)'),
  since: z.coerce.number().finite().optional().describe('only entries at or after this time (epoch or simulated seconds)'),
  after: z.coerce.number().int().min(0).optional().describe('cursor: only entries after this sequence number (nextAfter of the previous page)'),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

/** The journal's decisions (or any other kind), paged by sequence number so pages stay cheap on a big journal. */
export const decisionRoutes: FastifyPluginAsyncZod<{ ctx: ApiContext }> = async (app, { ctx }) => {
  app.get('/api/decisions', {
    config: { access: 'viewer' },
    schema: {
      summary: 'Journal entries of one kind (default: decision), oldest first, paginated',
      tags: ['journal'],
      querystring: DecisionQuerySchema,
      response: { 200: z.object({ items: z.array(JournalEntrySchema), nextAfter: z.number().int().nullable() }), ...errorResponses },
    },
  }, async (req) => {
    const q = req.query;
    const rows = await ctx.store.journal.list({ runId: q.run, kind: q.kind, since: q.since, afterSeq: q.after, limit: q.limit + 1 });
    const items = rows.slice(0, q.limit);
    return { items, nextAfter: rows.length > q.limit ? items[items.length - 1].seq : null };
  });

  app.get('/api/decisions/:seq', {
    config: { access: 'viewer' },
    schema: {
      summary: 'One journal entry with a plain-language explanation (and the approval it led to, if any)',
      tags: ['journal'],
      params: z.strictObject({ seq: z.coerce.number().int().min(1) }),
      response: { 200: z.object({ entry: JournalEntrySchema, explanation: ExplanationSchema }), ...errorResponses },
    },
  }, async (req) => {
    const entry = await ctx.store.journal.get(req.params.seq);
    if (!entry) throw new ApiError(404, 'not-found', `no journal entry #${req.params.seq}`);
    return { entry, explanation: await explainEntry(ctx, entry) };
  });
};
