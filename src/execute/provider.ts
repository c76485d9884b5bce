import type { Action } from '../core/action.js';
import type { Outcome } from '../core/proposal.js';

/** Why an action is being applied, for providers that record it (GitOps puts it in the commit message). */
export interface ApplyContext {
  /** Approval id when a person approved it, else a fresh id the journal entry carries too. */
  decisionId?: string;
  rationale?: string;
  /** The planner, playbook or approver behind it. */
  source?: string;
}

/** Something that can carry out actions: the twin, local processes, Kubernetes, a Git repository (GitOps). */
export interface Provider {
  readonly name: string;
  apply(action: Action, context?: ApplyContext): Promise<Outcome>;
}
