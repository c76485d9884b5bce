import type { Snapshot } from '../../core/snapshot.js';
import type { Outcome, Proposal, Verdict } from '../../core/proposal.js';
import type { Finding } from '../../analyze/assessment.js';

export interface PlanContext {
  snapshot: Snapshot;
  /** Seconds since the epoch (simulated or real). */
  now: number;
  /** What the Analyze stage found this tick (forecasts, anomalies, faults); empty when no analyzer runs. */
  findings?: Finding[];
  /**
   * What became of the previous tick's proposals (and of approved actions run then): planners that carry out
   * multi-step work (remediation) learn here whether a step ran, was queued for approval or was refused.
   */
  outcomes?: readonly PlanOutcome[];
  /**
   * Replica floors, one per service, shared by every planner of a tick: a planner earlier in priority order may
   * set one (remediation holding a scale-out while it is verified); the controller drops other planners'
   * scale-downs below it.
   */
  floors?: Map<string, ReplicaFloor>;
  /** Journal entries a planner wants recorded this tick beside its proposals (remediation's diagnosis, verification...). */
  notes?: PlanNote[];
}

/** A proposal the controller decided on, and what happened to it. */
export interface PlanOutcome {
  proposal: Proposal;
  verdict: Verdict;
  /** null: not executed (denied, queued for approval, or the mode does not execute). */
  outcome: Outcome | null;
  approvalId?: string;
}

export interface ReplicaFloor {
  replicas: number;
  /** The planner source that holds it (its own proposals are not held back by it). */
  holder: string;
  reason: string;
}

/** One journal entry from a planner: `kind` is the entry kind (`diagnosis`, `verification`, ...). */
export interface PlanNote {
  kind: string;
  actor: string;
  summary: string;
  payload: Record<string, unknown>;
}

/**
 * A scaling policy turns one snapshot into proposals. Policies may keep state between calls
 * (the HPA's stabilisation window, for instance) but do no I/O.
 */
export interface ScalingPolicy {
  readonly name: string;
  decide(ctx: PlanContext): Proposal[];
}
