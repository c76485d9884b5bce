import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { runIntentPipeline } from '../../../plan/intent/index.js';
import { identityOf } from '../auth/authenticate.js';
import type { ApiContext } from '../context.js';
import { errorResponses } from '../schemas.js';

const QUESTION_IDS = ['name', 'image', 'replicas', 'cores', 'memory', 'namespace', 'storageClass', 'template', 'node', 'privilege'] as const;

const IntentBody = z.strictObject({
  text: z.string().trim().min(1).max(4000).describe('the request; treated as data, never as instructions'),
  answers: z.partialRecord(z.enum(QUESTION_IDS), z.string().trim().min(1).max(500)).optional().describe('answers to earlier clarifying questions, by question id'),
});

const IntentResponse = z.object({
  status: z.enum(['needs-answers', 'ready', 'escalated', 'no-builder']),
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
    const now = ctx.now();
    const { text, answers } = req.body;
    // The pipeline journals its stages as 'intent-pipeline'; this entry records who asked for what.
    await ctx.store.journal.append({
      at: now, kind: 'intent.request', actor: who.name,
      summary: `${who.name} submitted an intent via the API.`,
      payload: { text, answers: answers ?? {}, via: 'api', role: who.role },
    });
    const r = await runIntentPipeline(text, { policy: ctx.policy.get(), answers, journal: ctx.store.journal, now });
    return {
      status: r.status, questions: r.questions, injections: r.injections, plan: r.plan, yaml: r.yaml,
      findings: r.findings, withheld: r.withheld, approvalRequired: r.approvalRequired,
      escalation: r.escalation ? { reason: r.escalation.reason } : null,
    };
  });
};
