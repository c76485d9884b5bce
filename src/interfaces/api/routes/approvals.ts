import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { describeAction } from '../../../core/action.js';
import { UserError } from '../../../core/errors.js';
import { ApprovalQueue } from '../../../govern/approvals.js';
import { identityOf } from '../auth/authenticate.js';
import type { ApiContext } from '../context.js';
import { ApiError } from '../errors.js';
import { ApprovalSchema, errorResponses, IdParam } from '../schemas.js';

const DecideBody = z.strictObject({ note: z.string().trim().min(1).max(2000).optional().describe('why; stored as plain text') }).default({});

/**
 * The approval queue. The approver is whoever the token belongs to (a body cannot claim to be someone else);
 * a decided approval cannot be decided again (409) and an expired one cannot be decided at all (410).
 */
export const approvalRoutes: FastifyPluginAsyncZod<{ ctx: ApiContext }> = async (app, { ctx }) => {
  const queue = () => new ApprovalQueue(ctx.store.approvals, { expirySeconds: ctx.policy.get().approvals.expirySeconds });

  app.get('/api/approvals', {
    config: { access: 'viewer' },
    schema: {
      summary: 'Approvals, oldest first (default: pending ones)',
      tags: ['approvals'],
      querystring: z.strictObject({ status: z.enum(['pending', 'approved', 'rejected', 'expired', 'executed']).default('pending') }),
      response: { 200: z.object({ items: z.array(ApprovalSchema) }), ...errorResponses },
    },
  }, async (req) => {
    const q = queue();
    // Expire what is overdue first, so nobody is shown (and tempted to approve) an action whose world has gone.
    await q.expire(ctx.now());
    return { items: await q.list(req.query.status) };
  });

  for (const verb of ['approve', 'reject'] as const) {
    app.post(`/api/approvals/:id/${verb}`, {
      config: { access: 'approver' },
      schema: {
        summary: `${verb === 'approve' ? 'Approve' : 'Reject'} a pending action; the decision and the approver go into the journal`,
        tags: ['approvals'],
        params: z.strictObject({ id: IdParam }),
        body: DecideBody,
        response: { 200: ApprovalSchema, ...errorResponses },
      },
    }, async (req) => {
      const who = identityOf(req);
      const { id } = req.params;
      const note = req.body?.note;
      return ctx.decisions.run(id, async () => {
        const q = queue();
        const now = ctx.now();
        if (!(await q.get(id))) throw new ApiError(404, 'not-found', `no approval with id "${id}"`);
        let decided;
        try {
          decided = verb === 'approve' ? await q.approve(id, who.name, now, note) : await q.reject(id, who.name, now, note);
        } catch (e) {
          if (!(e instanceof UserError)) throw e;
          const after = await q.get(id);
          if (after?.status === 'expired') throw new ApiError(410, 'expired', e.message);
          throw new ApiError(409, 'already-decided', e.message);
        }
        await ctx.store.journal.append({
          at: now, kind: 'approval', actor: who.name,
          summary: `${who.name} ${decided.status} "${describeAction(decided.action)}" via the API.`,
          payload: { approvalId: decided.id, status: decided.status, action: decided.action, note: note ?? null, via: 'api', role: who.role },
        });
        req.log.info({ who: who.name, approval: id, status: decided.status }, 'approval decided');
        return decided;
      });
    });
  }
};
