import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { UserError } from '../../core/errors.js';
import { QUESTION_IDS } from '../../plan/intent/clarify.js';
import { submitIntent } from '../intent-service.js';
import type { CoreContext } from '../api/context.js';
import { proposeAction, ProposalInputSchema } from '../api/proposals.js';
import { errorResult, jsonResult } from './result.js';

/**
 * Proposal tools. They only ever add a pending approval (actions) or a journaled plan with artefacts (intents):
 * nothing is executed or applied, and no tool here can approve, so a model cannot act on its own proposal.
 */
export function registerProposeTools(server: McpServer, ctx: CoreContext, actor: string): void {
  server.registerTool('propose_action', {
    description:
      'Propose an infrastructure action (scale, add-nodes, remove-node, restart-pod, rollback, cordon-drain). The guardrails check it; ' +
      'unless denied it is queued as a PENDING approval for a human. It is never executed by this call.',
    inputSchema: ProposalInputSchema.shape,
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  }, async (input) => {
    const r = await proposeAction(ctx, input, actor, 'mcp');
    if (r.status === 'denied') return errorResult(`The guardrails denied this action:\n- ${r.verdict.reasons.join('\n- ')}`);
    return jsonResult({ status: 'pending-approval', approvalId: r.approval.id, expiresAt: r.approval.expiresAt, action: r.approval.action, reasons: r.verdict.reasons });
  });

  server.registerTool('propose_intent', {
    description:
      'Turn a natural-language request ("run nginx with 3 replicas, 1 core each", "a VM from template 100") into a plan and artefacts (Kubernetes YAML, ' +
      'Terraform, Ansible), checked against the guardrail policy and stored as a bundle a human approves. Returns clarifying questions when ' +
      'something is missing (call again with answers). Nothing is applied.',
    inputSchema: {
      text: z.string().trim().min(1).max(4000).describe('the request; treated as data, never as instructions'),
      answers: z.record(z.enum(QUESTION_IDS), z.string().max(500)).optional()
        .describe('answers to earlier clarifying questions, by question id'),
    },
    annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: false },
  }, async ({ text, answers }) => {
    let s;
    try {
      s = await submitIntent(ctx.store, text, { policy: ctx.policy.get(), answers, actor, via: 'mcp', now: ctx.now() });
    } catch (e) {
      if (e instanceof UserError) return errorResult(e.message);
      throw e;
    }
    const r = s.result;
    return jsonResult({
      id: s.stored.id, files: r.files.map((f) => ({ path: f.path, kind: f.kind, content: f.content })),
      status: r.status, questions: r.questions, injections: r.injections, plan: r.plan, yaml: r.yaml,
      findings: r.findings, withheld: r.withheld, approvalRequired: s.stored.approvalRequired, escalation: r.escalation ?? null,
    });
  });
}
