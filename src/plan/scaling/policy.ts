import type { Snapshot } from '../../core/snapshot.js';
import type { Proposal } from '../../core/proposal.js';
import type { Finding } from '../../analyze/assessment.js';

export interface PlanContext {
  snapshot: Snapshot;
  /** Seconds since the epoch (simulated or real). */
  now: number;
  /** What the Analyze stage found this tick (forecasts, anomalies, faults); empty when no analyzer runs. */
  findings?: Finding[];
}

/**
 * A scaling policy turns one snapshot into proposals. Policies may keep state between calls
 * (the HPA's stabilisation window, for instance) but do no I/O.
 */
export interface ScalingPolicy {
  readonly name: string;
  decide(ctx: PlanContext): Proposal[];
}
