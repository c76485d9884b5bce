import type { Writable } from 'node:stream';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyInstance } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Snapshot } from '../../core/snapshot.js';
import type { GuardrailPolicy } from '../../govern/policy.js';
import type { Store } from '../../knowledge/store.js';
import { installAuth } from './auth/authenticate.js';
import type { TokenVerifier } from './auth/tokens.js';
import type { ApiContext } from './context.js';
import { ApiError, handleError } from './errors.js';
import { ApiMetrics } from './metrics.js';
import { PolicyHolder } from './policy-holder.js';
import { approvalRoutes } from './routes/approvals.js';
import { decisionRoutes } from './routes/decisions.js';
import { eventRoutes } from './routes/events.js';
import { journalRoutes } from './routes/journal.js';
import { metricsRoutes } from './routes/metrics.js';
import { openApiRoutes } from './routes/openapi.js';
import { policyRoutes } from './routes/policy.js';
import { proposalRoutes } from './routes/proposals.js';
import { runRoutes } from './routes/runs.js';
import { intentRoutes } from './routes/intents.js';
import { telemetryRoutes } from './routes/telemetry.js';
import { statusRoutes } from './routes/status.js';
import { overviewRoutes } from './routes/overview.js';
import { mcpRoutes } from './routes/mcp.js';
import { KeyedSerial } from './serial.js';
import { webRoutes } from '../web/routes.js';

export interface ApiServerOptions {
  store: Store;
  tokens: TokenVerifier;
  policy: GuardrailPolicy;
  /** The policy file PUT /api/policy rewrites; without one a new policy lives in memory only. */
  policyFile?: string;
  snapshot?: () => Promise<Snapshot | undefined>;
  now?: () => number;
  /** Largest accepted request body, bytes (default 64 KiB: a policy or a note, never more). */
  bodyLimit?: number;
  /** Requests per client address per minute (default 600). */
  rateLimitPerMinute?: number;
  eventPollMs?: number;
  /** Where JSON log lines go (default stdout); false for no logging. */
  log?: { level?: string; stream?: Writable } | false;
}

export interface ApiServer {
  app: FastifyInstance;
  ctx: ApiContext;
}

/** Never logged, whatever a serializer or a future log call includes. */
const REDACT = ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization', 'authorization', 'token'];

/**
 * The HTTP API: fastify with zod-validated input, one auth hook (every route declares its least role), a body
 * limit, per-client rate limiting, and an OpenAPI document generated from the same zod schemas.
 */
export async function buildApiServer(o: ApiServerOptions): Promise<ApiServer> {
  const now = o.now ?? (() => Date.now() / 1000);
  const ctx: ApiContext = {
    store: o.store,
    policy: new PolicyHolder(o.policy, o.policyFile),
    tokens: o.tokens,
    metrics: new ApiMetrics(o.store, now),
    decisions: new KeyedSerial(),
    now,
    snapshot: o.snapshot,
    eventPollMs: o.eventPollMs ?? 1000,
    startedAt: now(),
  };
  const app = Fastify({
    bodyLimit: o.bodyLimit ?? 64 * 1024,
    logger: o.log === false ? false : {
      level: o.log?.level ?? 'info',
      ...(o.log?.stream ? { stream: o.log.stream } : {}),
      redact: { paths: REDACT, censor: '[redacted]' },
      serializers: {
        // Headers are logged (user agent, forwarding) with the credentials redacted above.
        req: (req: { method: string; url: string; ip?: string; headers: Record<string, unknown> }) => ({
          method: req.method, url: req.url, remoteAddress: req.ip, headers: req.headers,
        }),
      },
    },
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(handleError);
  app.setNotFoundHandler((req, reply) => {
    reply.status(404).send({ error: 'not-found', message: `no route ${req.method} ${req.url.split('?')[0]}` });
  });
  // Responses are data, never markup: a browser must not sniff or render them.
  app.addHook('onSend', async (_req, reply) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('content-security-policy', "default-src 'none'; frame-ancestors 'none'");
    reply.header('cache-control', 'no-store');
  });

  await app.register(swagger, {
    openapi: {
      info: { title: 'Autonomic API', version: '0.1.0', description: 'Watch the MAPE-K loop, decide approvals, propose actions, manage the guardrail policy.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(rateLimit, {
    global: true,
    max: o.rateLimitPerMinute ?? 600,
    timeWindow: 60_000,
    errorResponseBuilder: (_req, c) => new ApiError(429, 'rate-limited', `too many requests: at most ${c.max} per minute; retry in ${Math.ceil(c.ttl / 1000)} s`),
  });
  installAuth(app, ctx.tokens);

  for (const routes of [statusRoutes, overviewRoutes, runRoutes, decisionRoutes, journalRoutes, approvalRoutes, proposalRoutes, intentRoutes, telemetryRoutes, policyRoutes, eventRoutes, metricsRoutes, mcpRoutes, openApiRoutes]) {
    await app.register(routes, { ctx });
  }
  await app.register(webRoutes);
  return { app, ctx };
}
