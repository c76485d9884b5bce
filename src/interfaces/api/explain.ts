import { z } from 'zod';
import type { JournalEntry, JsonValue } from '../../knowledge/journal.js';
import type { CoreContext } from './context.js';
import { ApprovalSchema } from './schemas.js';

export const ExplanationSchema = z.object({
  text: z.string(),
  verdict: z.string().nullable(),
  reasons: z.array(z.string()),
  expectedEffect: z.string().nullable(),
  approval: ApprovalSchema.nullable(),
});
export type Explanation = z.infer<typeof ExplanationSchema>;

type JsonObject = { [key: string]: JsonValue };
const isObject = (v: JsonValue): v is JsonObject => v !== null && typeof v === 'object' && !Array.isArray(v);
const str = (o: JsonObject, k: string): string | null => (typeof o[k] === 'string' ? (o[k] as string) : null);

/**
 * "Why did it do that?" for one journal entry: the rationale, the guardrails' verdict and reasons, the expected
 * effect, and the approval it went through. Built from the entry as recorded; nothing is re-derived.
 */
export async function explainEntry(ctx: CoreContext, e: JournalEntry): Promise<Explanation> {
  const p = isObject(e.payload) ? e.payload : {};
  const verdict = str(p, 'verdict');
  const reasons = Array.isArray(p.reasons) ? p.reasons.filter((r): r is string => typeof r === 'string') : [];
  const expectedEffect = str(p, 'expectedEffect');
  const approvalId = str(p, 'approvalId');
  const approval = approvalId ? ((await ctx.store.approvals.get(approvalId)) ?? null) : null;
  const lines = [`#${e.seq} (${e.kind}) by ${e.actor} at ${new Date(e.at * 1000).toISOString()}${e.runId ? ` in run ${e.runId}` : ''}: ${e.summary}`];
  if (verdict) lines.push(`Guardrail verdict: ${verdict}.`);
  for (const r of reasons) lines.push(`- ${r}`);
  if (expectedEffect) lines.push(`Expected effect: ${expectedEffect}.`);
  if (isObject(p.inputs ?? null)) lines.push(`Inputs: ${JSON.stringify(p.inputs)}.`);
  if (approval) lines.push(`Approval ${approval.id}: ${approval.status}${approval.decidedBy ? ` by ${approval.decidedBy}` : ''}.`);
  return { text: lines.join('\n'), verdict, reasons, expectedEffect, approval };
}
