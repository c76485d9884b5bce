import type { Action } from './action.js';

/** A planner's suggestion: the action plus why, so every decision can be explained to a human. */
export interface Proposal {
  action: Action;
  /** Name of the policy, model or playbook that proposed it. */
  source: string;
  /** One sentence a human can read. */
  rationale: string;
  /** The numbers the decision was based on. */
  evidence: Record<string, number | string | boolean>;
  /** What should happen if it is executed. */
  expectedEffect: string;
}

export type VerdictOutcome = 'allow' | 'clamp' | 'needs-approval' | 'deny';

/** The guardrails' answer to a proposal. `action` is the (possibly clamped) action to execute. */
export interface Verdict {
  outcome: VerdictOutcome;
  action: Action;
  reasons: string[];
}

/** What a provider reports after trying an action. */
export interface Outcome {
  ok: boolean;
  message: string;
}
