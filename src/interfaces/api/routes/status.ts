import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { ApiContext } from '../context.js';
import { errorResponses } from '../schemas.js';
import { readStatus, StatusSchema } from '../status.js';

export const statusRoutes: FastifyPluginAsyncZod<{ ctx: ApiContext }> = async (app, { ctx }) => {
  app.get('/api/status', {
    config: { access: 'viewer' },
    schema: { summary: 'Journal head, pending approvals, runs and policy at a glance', tags: ['status'], response: { 200: StatusSchema, ...errorResponses } },
  }, async () => readStatus(ctx));
};
