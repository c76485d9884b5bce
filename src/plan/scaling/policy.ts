import type { Snapshot } from '../../core/snapshot.js';
import type { Proposal } from '../../core/proposal.js';

export interface PlanContext {
  snapshot: Snapshot;
  /** Seconds since the epoch (simulated or real). */
  now: number;
}

/**
 * A scaling policy turns one snapshot into proposals. Policies may keep state between calls
 * (the HPA's stabilisation window, for instance) but do no I/O.
 */
export interface ScalingPolicy {
  readonly name: string;
  decide(ctx: PlanContext): Proposal[];
}
