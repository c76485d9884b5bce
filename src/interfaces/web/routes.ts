import { readFileSync } from 'node:fs';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';

/** The only files served: a fixed list read once at start, so no request path ever reaches the filesystem. */
const FILES: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'style.css': 'text/css; charset=utf-8',
};

/**
 * Same-origin only: the page may load its own script and style and call its own API, nothing else (no inline
 * script, no CDN, no framing), so injected text in the journal has nowhere to run even if it were parsed.
 */
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/** The web dashboard (src/interfaces/web/static): public static files; the data behind them needs a token. */
export const webRoutes: FastifyPluginAsync = async (app) => {
  const dir = new URL('./static/', import.meta.url);
  const files = new Map(Object.entries(FILES).map(([name, type]) => [name, { type, body: readFileSync(new URL(name, dir)) }]));
  // Registered inside this plugin, so it runs after the API-wide hook and only loosens the policy for these routes.
  app.addHook('onSend', async (_req, reply) => {
    reply.header('content-security-policy', CSP);
  });
  const serve = (name: string, reply: FastifyReply): FastifyReply => {
    const f = files.get(name);
    if (!f) return reply.status(404).send({ error: 'not-found', message: `no dashboard file ${name}` });
    return reply.type(f.type).send(f.body);
  };
  // Hidden from the OpenAPI document: it describes the API, not the page.
  app.get('/', { config: { access: 'public' }, schema: { hide: true } }, async (_req, reply) => serve('index.html', reply));
  app.get<{ Params: { file: string } }>('/ui/:file', { config: { access: 'public' }, schema: { hide: true } }, async (req, reply) => serve(req.params.file, reply));
};
