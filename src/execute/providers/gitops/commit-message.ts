import { describeAction, type Action } from '../../../core/action.js';

/** Why the loop took an action, as the commit records it. */
export interface GitOpsCommitContext {
  /** The decision's id (journal or approval id); a fresh UUID when the caller has none. */
  decisionId?: string;
  /** The proposal's one-sentence rationale. */
  rationale?: string;
  /** The planner, playbook or person behind it. */
  source?: string;
}

/**
 * The commit message: a subject a reviewer can scan in `git log --oneline`, the rationale, what changed in which file,
 * and trailers (`git log --format=%(trailers)`) that tie the commit back to the journal.
 */
export function commitMessage(action: Action, decisionId: string, changes: readonly string[], context: GitOpsCommitContext = {}): string[] {
  const trailers = [`Autonomic-Decision: ${decisionId}`, `Autonomic-Action: ${JSON.stringify(action)}`];
  if (context.source) trailers.push(`Autonomic-Source: ${oneLine(context.source)}`);
  return [
    `autonomic: ${describeAction(action)}`,
    context.rationale ? context.rationale.trim() : `${describeAction(action)} (no rationale was given).`,
    changes.join('\n'),
    trailers.join('\n'),
  ];
}

const oneLine = (s: string): string => s.replace(/\s+/g, ' ').trim();
