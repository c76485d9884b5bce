import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { GuardrailPolicySchema } from '../../../govern/policy.js';
import { identityOf } from '../auth/authenticate.js';
import type { ApiContext } from '../context.js';
import { errorResponses } from '../schemas.js';

const PolicyResponse = z.object({ policy: z.unknown(), sha256: z.string(), source: z.enum(['file', 'built-in']), persisted: z.boolean().optional() });

/** The guardrail policy. Replacing it is admin-only, validated like a policy file, and journaled with both digests. */
export const policyRoutes: FastifyPluginAsyncZod<{ ctx: ApiContext }> = async (app, { ctx }) => {
  const source = () => (ctx.policy.file ? 'file' as const : 'built-in' as const);

  app.get('/api/policy', {
    config: { access: 'viewer' },
    schema: { summary: 'The guardrail policy in force, every default applied', tags: ['policy'], response: { 200: PolicyResponse, ...errorResponses } },
  }, async () => ({ policy: ctx.policy.get(), sha256: ctx.policy.digest(), source: source() }));

  app.put('/api/policy', {
    config: { access: 'admin' },
    schema: {
      summary: 'Replace the guardrail policy (admin); omitted fields take their defaults',
      tags: ['policy'],
      body: GuardrailPolicySchema,
      response: { 200: PolicyResponse, ...errorResponses },
    },
  }, async (req) => {
    const who = identityOf(req);
    const before = ctx.policy.digest();
    const { persisted } = ctx.policy.replace(req.body);
    const after = ctx.policy.digest();
    await ctx.store.journal.append({
      at: ctx.now(), kind: 'policy', actor: who.name,
      summary: `${who.name} replaced the guardrail policy via the API${persisted ? '' : ' (in memory only: the server has no policy file)'}.`,
      payload: { before, after, persisted, policy: req.body },
    });
    req.log.info({ who: who.name, before, after }, 'policy replaced');
    return { policy: ctx.policy.get(), sha256: after, source: source(), persisted };
  });
};
