import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ApiContext } from '../context.js';
import { ApiError } from '../errors.js';
import { errorResponses, IdParam, RunSchema, RunSummarySchema } from '../schemas.js';

/** Recorded runs (simulations, the demo, live loops), as `autonomic runs list/report` shows them. */
export const runRoutes: FastifyPluginAsyncZod<{ ctx: ApiContext }> = async (app, { ctx }) => {
  app.get('/api/runs', {
    config: { access: 'viewer' },
    schema: {
      summary: 'Runs, newest first',
      tags: ['runs'],
      querystring: z.strictObject({
        status: z.enum(['running', 'completed', 'failed', 'interrupted']).optional(),
        limit: z.coerce.number().int().min(1).max(1000).default(50),
      }),
      response: { 200: z.object({ items: z.array(RunSummarySchema) }), ...errorResponses },
    },
  }, async (req) => ({ items: await ctx.store.runs.list({ status: req.query.status, limit: req.query.limit }) }));

  app.get('/api/runs/:id', {
    config: { access: 'viewer' },
    schema: { summary: 'One run with its configuration and result', tags: ['runs'], params: z.strictObject({ id: IdParam }), response: { 200: RunSchema, ...errorResponses } },
  }, async (req) => {
    const run = await ctx.store.runs.get(req.params.id);
    if (!run) throw new ApiError(404, 'not-found', `no run with id "${req.params.id}"`);
    return run;
  });
};
