import type { Snapshot } from '../../core/snapshot.js';
import { findRetirementCandidates, type RetirementCandidate, type RetirementOptionsInput } from './retirement.js';
import type { QueuedRetirement } from './retirement-approval.js';
import { loadRetirementHistory, type HistoryReader } from './retirement-history.js';
import type { ServiceGraph } from './service-graph.js';

/** Read the stored history for the snapshot's inventory and find what can be retired (`autonomic retire`). */
export async function scanRetirements(o: {
  snapshot: Snapshot;
  history: HistoryReader;
  graph?: ServiceGraph;
  options?: RetirementOptionsInput;
}): Promise<RetirementCandidate[]> {
  const history = await loadRetirementHistory(o.history, o.snapshot);
  return findRetirementCandidates({ snapshot: o.snapshot, ...history, dependencies: o.graph?.dependencies, routes: o.graph?.routes }, o.options);
}

/** The candidates for a terminal: one block each, with the impact analysis and, once queued, the approval id. */
export function formatRetirements(items: readonly (RetirementCandidate | QueuedRetirement)[]): string {
  if (items.length === 0) return 'Nothing to retire: every service saw traffic and every node ran pods within the idle windows.';
  const lines: string[] = [];
  let total = 0;
  for (const item of items) {
    const c = 'candidate' in item ? item.candidate : item;
    const i = c.impact;
    total += i.costSavedPerMonth;
    lines.push(`${c.resource}: ${c.reason}`);
    lines.push(`  saves about $${i.costSavedPerMonth.toFixed(2)}/month; ${c.kind === 'service' ? `${i.running} replica(s)` : 'no pods'} now`);
    lines.push(`  ${i.traffic.unit === 'pods' ? 'pods' : 'traffic'} seen: max ${fmt(i.traffic.max)} ${i.traffic.unit}, mean ${fmt(i.traffic.mean)}, over ${Math.round(i.traffic.coverage * 100)} % of the window`);
    if (c.kind === 'service') {
      lines.push(`  depended on by: ${i.dependents.join(', ') || 'nothing declared'}; routed to by: ${i.routedBy === 'unknown' ? 'unknown' : i.routedBy.join(', ') || 'nothing'}`);
    }
    for (const n of i.notes) lines.push(`  - ${n}`);
    if ('candidate' in item) {
      lines.push(item.approvalId
        ? `  queued for approval ${item.approvalId} (${item.verdict.action.kind === 'scale' ? `scale to ${item.verdict.action.to}` : item.verdict.action.kind})`
        : `  not queued: ${item.verdict.reasons.join('; ')}`);
    }
  }
  lines.push(`${items.length} candidate(s), about $${total.toFixed(2)}/month in all. Retirement always waits for a human's approval.`);
  return lines.join('\n');
}

const fmt = (x: number): string => (Number.isInteger(x) ? String(x) : x.toFixed(3));
