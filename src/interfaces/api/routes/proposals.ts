import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { identityOf } from '../auth/authenticate.js';
import type { ApiContext } from '../context.js';
import { ApiError } from '../errors.js';
import { proposeAction, ProposalInputSchema } from '../proposals.js';
import { ApprovalSchema, errorResponses } from '../schemas.js';

const VerdictSchema = z.object({ outcome: z.string(), action: z.unknown(), reasons: z.array(z.string()) });

/** Operators propose; the guardrails judge; a human approves. Nothing here executes anything. */
export const proposalRoutes: FastifyPluginAsyncZod<{ ctx: ApiContext }> = async (app, { ctx }) => {
  app.post('/api/proposals', {
    config: { access: 'operator' },
    schema: {
      summary: 'Propose an action: checked by the guardrails, then queued as a pending approval (422 when denied)',
      tags: ['approvals'],
      body: ProposalInputSchema,
      response: { 201: z.object({ verdict: VerdictSchema, approval: ApprovalSchema }), ...errorResponses },
    },
  }, async (req, reply) => {
    const who = identityOf(req);
    const r = await proposeAction(ctx, req.body, who.name, 'api');
    if (r.status === 'denied') throw new ApiError(422, 'denied-by-guardrails', 'the guardrails denied this action', { reasons: r.verdict.reasons });
    reply.status(201);
    return { verdict: r.verdict, approval: r.approval };
  });
};
