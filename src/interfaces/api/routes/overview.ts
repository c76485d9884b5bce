import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ApiContext } from '../context.js';
import { DEFAULT_STALE_AFTER_SECONDS, OverviewSchema, readOverview } from '../overview.js';
import { errorResponses, IdParam } from '../schemas.js';

export const overviewRoutes: FastifyPluginAsyncZod<{ ctx: ApiContext }> = async (app, { ctx }) => {
  app.get('/api/overview', {
    config: { access: 'viewer' },
    schema: {
      summary: 'The live cluster and per-service state the loop saw last (newest running run, or the given one), with its age',
      tags: ['status'],
      querystring: z.strictObject({
        run: IdParam.optional().describe('a run id (default: the newest running run, else the newest run with a state)'),
        staleAfter: z.coerce.number().int().min(1).max(86_400).default(DEFAULT_STALE_AFTER_SECONDS).describe('seconds without a write after which the view is stale'),
      }),
      response: { 200: OverviewSchema, ...errorResponses },
    },
  }, async (req) => readOverview(ctx, { runId: req.query.run, staleAfterSeconds: req.query.staleAfter }));
};
