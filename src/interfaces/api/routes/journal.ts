import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ApiContext } from '../context.js';
import { errorResponses } from '../schemas.js';

const VerifySchema = z.union([
  z.object({ ok: z.literal(true), entries: z.number().int(), head: z.object({ seq: z.number().int(), hash: z.string() }) }),
  z.object({ ok: z.literal(false), entries: z.number().int(), firstBadSeq: z.number().int(), problem: z.string(), detail: z.string() }),
]);

/** `autonomic audit verify` over HTTP: 200 either way, the body says whether the chain is intact. */
export const journalRoutes: FastifyPluginAsyncZod<{ ctx: ApiContext }> = async (app, { ctx }) => {
  app.get('/api/journal/verify', {
    config: { access: 'viewer' },
    schema: { summary: 'Recompute the journal hash chain', tags: ['journal'], response: { 200: VerifySchema, ...errorResponses } },
  }, async () => ctx.store.journal.verify());
};
