import { z } from 'zod';

/**
 * The guardrail policy's `drift:` section: what the loop does when the live system no longer matches what it last
 * applied. `report-only` (the default) journals the drift and leaves it; `auto` proposes putting it back, and those
 * proposals then pass the guardrails like any other.
 */
export const DriftPolicySchema = z.strictObject({
  reconcile: z.enum(['report-only', 'auto']).default('report-only'),
  /** Resources never reconciled (still reported): `service/batch-*`, `node/*`; `*` matches any run of characters. */
  ignore: z.array(z.string().min(1)).default([]),
});
export type DriftPolicy = z.output<typeof DriftPolicySchema>;
export type DriftPolicyInput = z.input<typeof DriftPolicySchema>;

export const DEFAULT_DRIFT_POLICY: DriftPolicy = DriftPolicySchema.parse({});
