import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { UserError } from '../../../core/errors.js';
import { INTENT_STATUSES } from '../../../knowledge/intent-store.js';
import { QUESTION_IDS } from '../../../plan/intent/clarify.js';
import { decideIntent, submitIntent } from '../../intent-service.js';
import { identityOf } from '../auth/authenticate.js';
import type { ApiContext } from '../context.js';
import { ApiError } from '../errors.js';
import { errorResponses, IdParam } from '../schemas.js';


const IntentBody = z.strictObject({
  text: z.string().trim().min(1).max(4000).describe('the request; treated as data, never as instructions'),
  answers: z.partialRecord(z.enum(QUESTION_IDS), z.string().trim().min(1).max(500)).optional().describe('answers to earlier clarifying questions, by question id'),
});

const FileSchema = z.object({ path: z.string(), kind: z.string(), content: z.string() });

const StoredIntentSchema = z.object({
  id: z.string(),
  createdAt: z.number(),
  updatedAt: z.number(),
  text: z.string(),
  target: z.string(),
  status: z.enum(INTENT_STATUSES),
  parentId: z.string().nullable(),
  approvalRequired: z.boolean(),
  decidedBy: z.string().nullable(),
  decidedAt: z.number().nullable(),
  appliedTo: z.string().nullable(),
  plan: z.unknown(),
  files: z.array(FileSchema),
  findings: z.array(z.object({ ruleId: z.string(), severity: z.string(), object: z.string(), message: z.string() })),
});

const IntentResponse = z.object({
  id: z.string().describe('the stored bundle; approve or reject it by this id'),
  status: z.enum(['needs-answers', 'ready', 'escalated', 'no-builder']),
  files: z.array(FileSchema).describe('every artefact as a file (Kubernetes YAML, Terraform, Ansible, cloud-init)'),
  riskReasons: z.array(z.string()),
  questions: z.array(z.object({ id: z.string(), question: z.string(), options: z.array(z.string()), suggested: z.string().optional(), blocking: z.boolean() })),
  injections: z.array(z.unknown()),
  plan: z.unknown(),
  yaml: z.string(),
  findings: z.array(z.object({ ruleId: z.string(), severity: z.string(), object: z.string(), path: z.string().optional(), message: z.string(), waived: z.boolean().optional() })),
  withheld: z.array(z.string()),
  approvalRequired: z.boolean(),
  escalation: z.object({ reason: z.string() }).nullable(),
});

/**
 * The intent box: natural language → plan and Kubernetes artefacts, checked against the live policy. Nothing is
 * applied; the request (with who asked) and every pipeline stage go into the journal.
 */
export const intentRoutes: FastifyPluginAsyncZod<{ ctx: ApiContext }> = async (app, { ctx }) => {
  app.post('/api/intents', {
    config: { access: 'operator' },
    schema: {
      summary: 'Run the intent pipeline: clarifying questions, plan, artefacts YAML and validation findings (nothing is applied)',
      tags: ['intents'],
      body: IntentBody,
      response: { 200: IntentResponse, ...errorResponses },
    },
  }, async (req) => {
    const who = identityOf(req);
    const { text, answers } = req.body;
    // submitIntent journals who asked (intent.request), every pipeline stage, and the stored bundle.
    let s;
    try {
      s = await submitIntent(ctx.store, text, { policy: ctx.policy.get(), answers, actor: who.name, via: 'api', now: ctx.now() });
    } catch (e) {
      if (e instanceof UserError) throw new ApiError(400, 'bad-request', e.message);
      throw e;
    }
    const r = s.result;
    return {
      id: s.stored.id, files: r.files, riskReasons: s.riskReasons,
      status: r.status, questions: r.questions, injections: r.injections, plan: r.plan, yaml: r.yaml,
      findings: r.findings, withheld: r.withheld, approvalRequired: s.stored.approvalRequired,
      escalation: r.escalation ? { reason: r.escalation.reason } : null,
    };
  });

  app.get('/api/intents', {
    config: { access: 'viewer' },
    schema: {
      summary: 'Stored intent bundles, newest first',
      tags: ['intents'],
      querystring: z.strictObject({ status: z.enum(INTENT_STATUSES).optional(), limit: z.coerce.number().int().min(1).max(500).default(50) }),
      response: { 200: z.object({ items: z.array(StoredIntentSchema) }), ...errorResponses },
    },
  }, async (req) => ({ items: await ctx.store.intents.list({ status: req.query.status, limit: req.query.limit }) }));

  app.get('/api/intents/:id', {
    config: { access: 'viewer' },
    schema: { summary: 'One stored intent bundle with its files and findings', tags: ['intents'], params: z.strictObject({ id: IdParam }), response: { 200: StoredIntentSchema, ...errorResponses } },
  }, async (req) => {
    const i = await ctx.store.intents.get(req.params.id);
    if (!i) throw new ApiError(404, 'not-found', `no intent with id "${req.params.id}"`);
    return i;
  });

  for (const verb of ['approve', 'reject'] as const) {
    app.post(`/api/intents/:id/${verb}`, {
      config: { access: 'approver' },
      schema: {
        summary: `${verb === 'approve' ? 'Approve' : 'Reject'} an intent bundle; the approver (the token's owner) goes into the journal`,
        tags: ['intents'],
        params: z.strictObject({ id: IdParam }),
        body: z.strictObject({ note: z.string().trim().min(1).max(2000).optional() }).default({}),
        response: { 200: StoredIntentSchema, ...errorResponses },
      },
    }, async (req) => {
      const who = identityOf(req);
      if (!(await ctx.store.intents.get(req.params.id))) throw new ApiError(404, 'not-found', `no intent with id "${req.params.id}"`);
      try {
        return await decideIntent(ctx.store, req.params.id, verb, who.name, req.body?.note);
      } catch (e) {
        if (e instanceof UserError) throw new ApiError(409, 'conflict', e.message);
        throw e;
      }
    });
  }
};
