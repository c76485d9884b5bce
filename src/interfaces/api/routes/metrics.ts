import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ApiContext } from '../context.js';
import { errorResponses } from '../schemas.js';

/** Prometheus exposition of Autonomic's own metrics; scrape it with a viewer token (authorization.credentials). */
export const metricsRoutes: FastifyPluginAsyncZod<{ ctx: ApiContext }> = async (app, { ctx }) => {
  app.get('/metrics', {
    config: { access: 'viewer' },
    schema: { summary: 'Prometheus metrics', tags: ['status'], response: { 200: z.string().describe('Prometheus text format'), ...errorResponses } },
  }, async (_req, reply) => {
    const body = await ctx.metrics.registry.metrics();
    reply.type(ctx.metrics.registry.contentType);
    return body;
  });
};
