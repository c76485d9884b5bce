import { z } from 'zod';
import { ActionSchema, type Action } from '../../core/action.js';

/**
 * What Autonomic itself last applied, per resource: the desired state drift is measured against. Derived only from
 * the journal's executed decisions (kind `decision` whose outcome is ok), so it needs no state of its own and is
 * the same whichever process reads it.
 */

/** The fields of a journal entry this module reads (knowledge/journal.ts JournalEntry has them). */
export interface JournalRecord {
  seq: number;
  at: number;
  kind: string;
  payload: unknown;
  runId?: string | null;
}

/** An executed decision as the controller journals it: `action` is what ran (after clamping), `outcome.ok` that it ran. */
const ExecutedDecisionSchema = z.looseObject({
  action: ActionSchema,
  outcome: z.looseObject({ ok: z.literal(true) }),
});

export interface AppliedAction {
  action: Action;
  /** When it ran, and the journal entry that says so. */
  at: number;
  seq: number;
}

/** Executed actions in journal order; denied, queued, shadowed and failed decisions are not applied and are skipped. */
export function appliedActions(entries: readonly JournalRecord[]): AppliedAction[] {
  const out: AppliedAction[] = [];
  for (const e of [...entries].sort((a, b) => a.seq - b.seq)) {
    if (e.kind !== 'decision') continue;
    const r = ExecutedDecisionSchema.safeParse(e.payload);
    if (r.success) out.push({ action: r.data.action, at: e.at, seq: e.seq });
  }
  return out;
}

export interface DesiredReplicas {
  replicas: number;
  /** When Autonomic set it, and the journal entry that records it (null: learned in this process, journaled later). */
  since: number;
  seq: number | null;
}

export interface DesiredNode {
  /** `cordoned`: drained and unschedulable (no pods should run); `removed`: should not exist. */
  state: 'cordoned' | 'removed';
  since: number;
  seq: number | null;
}

export interface DesiredState {
  services: Map<string, DesiredReplicas>;
  nodes: Map<string, DesiredNode>;
  /** Seq of the newest journal entry considered (0 for none). */
  throughSeq: number;
}

/**
 * Fold the executed actions into the last value Autonomic set for each resource. Actions that leave no lasting
 * state to compare (restart-pod, rollback) or whose result is not named in the action (add-nodes) set nothing.
 */
export function desiredStateFromJournal(entries: readonly JournalRecord[]): DesiredState {
  return foldDesiredState(emptyDesiredState(), entries);
}

export function emptyDesiredState(): DesiredState {
  return { services: new Map(), nodes: new Map(), throughSeq: 0 };
}

/** `state` (mutated and returned) updated with later entries: the journal can be read page by page. */
export function foldDesiredState(state: DesiredState, entries: readonly JournalRecord[]): DesiredState {
  for (const e of entries) state.throughSeq = Math.max(state.throughSeq, e.seq);
  for (const a of appliedActions(entries)) applyToDesiredState(state, a.action, a.at, a.seq);
  return state;
}

/** One executed action into the desired state (mutated). */
export function applyToDesiredState(state: DesiredState, action: Action, at: number, seq: number | null): void {
  switch (action.kind) {
    case 'scale':
      state.services.set(action.service, { replicas: action.to, since: at, seq });
      break;
    case 'cordon-drain':
      // A removed node stays removed: draining it again later cannot bring it back.
      if (state.nodes.get(action.node)?.state !== 'removed') state.nodes.set(action.node, { state: 'cordoned', since: at, seq });
      break;
    case 'remove-node':
      state.nodes.set(action.node, { state: 'removed', since: at, seq });
      break;
    default:
      break;
  }
}
