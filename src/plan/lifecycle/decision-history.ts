import { emptyDesiredState, foldDesiredState, type DesiredState, type JournalRecord } from './applied-state.js';

/** The journal as drift detection reads it (knowledge/journal.ts Journal implements it). */
export interface DecisionReader {
  list(q: { runId?: string; kind?: string; afterSeq?: number; limit?: number }): Promise<JournalRecord[]>;
}

const PAGE = 5000;

/**
 * Every decision entry, optionally of one run, paged by seq so a large journal is read in bounded steps. A
 * simulation's decisions acted on a simulated twin: pass the live loop's run id, or they count as applied too.
 */
export async function readDecisions(journal: DecisionReader, runId?: string): Promise<JournalRecord[]> {
  const out: JournalRecord[] = [];
  let afterSeq = 0;
  for (;;) {
    const page = await journal.list({ kind: 'decision', afterSeq, limit: PAGE, ...(runId !== undefined ? { runId } : {}) });
    out.push(...page);
    if (page.length < PAGE) return out;
    afterSeq = page[page.length - 1].seq;
  }
}

/** Which decisions count: one run (filtered by the store), or any runs a predicate accepts (e.g. every live `run`). */
export type DecisionScope = { runId?: string; includeRun?: (runId: string | null) => boolean };

/**
 * The desired state folded page by page, so a long journal is never held in memory at once. A live system is usually
 * driven by several `autonomic run` processes over time: pass `includeRun` accepting all of them (and no simulation).
 */
export async function readDesiredState(journal: DecisionReader, scope: string | DecisionScope = {}): Promise<DesiredState> {
  const { runId, includeRun } = typeof scope === 'string' ? { runId: scope, includeRun: undefined } : scope;
  const state = emptyDesiredState();
  let afterSeq = 0;
  for (;;) {
    const page = await journal.list({ kind: 'decision', afterSeq, limit: PAGE, ...(runId !== undefined ? { runId } : {}) });
    foldDesiredState(state, includeRun ? page.filter((e) => includeRun(e.runId ?? null)) : page);
    if (page.length < PAGE) return state;
    afterSeq = page[page.length - 1].seq;
  }
}
