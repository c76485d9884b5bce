/**
 * The risk tier of an intent bundle, for the approval gate. Creating or changing machines outside
 * the cluster (Proxmox VMs, AWS resources, host configuration) costs money and reaches beyond the
 * loop's blast radius, so it always waits for a human; Kubernetes bundles do when the review
 * escalated, elevated access was kept, or the request retires something.
 */
import type { RiskTier } from './policy.js';

export interface IntentRiskInput {
  target: 'kubernetes' | 'proxmox' | 'aws' | 'ansible';
  action: string;
  /** The pipeline's own verdict (escalation, kept privileges). */
  approvalRequired: boolean;
}

export function intentRiskTier(i: IntentRiskInput): { tier: RiskTier; reasons: string[] } {
  const reasons: string[] = [];
  if (i.target === 'proxmox') reasons.push('creates or changes virtual machines');
  if (i.target === 'aws') reasons.push('creates cloud resources that cost money');
  if (i.target === 'ansible') reasons.push('changes the configuration of hosts');
  if (i.action === 'retire') reasons.push('retires a resource');
  if (i.approvalRequired) reasons.push('the review escalated or elevated access was kept');
  return { tier: reasons.length > 0 ? 'high' : 'low', reasons };
}
