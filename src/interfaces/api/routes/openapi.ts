import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { ApiContext } from '../context.js';

/** The OpenAPI 3 document, generated from the routes' zod schemas; public, it holds no data. */
export const openApiRoutes: FastifyPluginAsyncZod<{ ctx: ApiContext }> = async (app) => {
  app.get('/openapi.json', { config: { access: 'public' }, schema: { summary: 'This OpenAPI document', tags: ['status'] } }, async () => app.swagger());
};
