import { DeploymentRisk, learnFromJournal, RISK_HISTORY_KINDS, type DeploymentRiskConfigInput, type JournalLike, type JournalReader } from '../govern/deployment-risk.js';
import { ROLLOUT_RESULT_KIND } from '../plan/rollout/rollout-planner.js';
import type { PlanNote } from '../plan/scaling/policy.js';

/** A journal whose entries say which run wrote them (knowledge/journal.ts's Journal). */
export interface RunJournalReader {
  list(q: { kind?: string; since?: number; limit?: number }): Promise<readonly (JournalLike & { runId: string | null })[]>;
}

const HISTORY_KINDS: ReadonlySet<string> = new Set(RISK_HISTORY_KINDS);

/**
 * The deployment-risk model of one loop run (the guardrails' risk raiser): learned at the start from the store's
 * journal, re-learned whenever a rollout of this run finishes. The history is the journal of the other runs (read
 * once) plus this run's own notes as the ticks produce them, not this run's rows in the store: a resumed run then
 * scores its rollouts exactly as the interrupted one did, whatever of it the journal already holds.
 */
export class RunDeploymentRisk {
  readonly risk: DeploymentRisk;
  private readonly others: JournalLike[] = [];
  private readonly own: JournalLike[] = [];
  /** What the last (re)fit used, for the journal and reports. */
  lastFit: ReturnType<DeploymentRisk['learn']> = { model: 'prior', rollouts: 0, failures: 0 };

  private constructor(config: DeploymentRiskConfigInput) {
    this.risk = new DeploymentRisk(config);
  }

  /** Learn from `journal` (absent: no history, the prior model) as of `now`, leaving out entries of `runId`. */
  static async start(journal: RunJournalReader | undefined, now: number, runId: string | null = null, config: DeploymentRiskConfigInput = {}): Promise<RunDeploymentRisk> {
    const r = new RunDeploymentRisk(config);
    if (journal) {
      const reader: JournalReader = {
        list: async (q) => {
          const got = (await journal.list(q)).filter((e) => runId === null || e.runId !== runId);
          r.others.push(...got);
          return got;
        },
      };
      r.lastFit = await learnFromJournal(r.risk, reader, now);
    }
    return r;
  }

  /** This tick's notes join the history; a finished rollout among them re-fits the model. Returns whether it did. */
  observe(at: number, notes: readonly PlanNote[]): boolean {
    let finished = false;
    for (const n of notes) {
      if (!HISTORY_KINDS.has(n.kind)) continue;
      this.own.push({ at, kind: n.kind, payload: n.payload });
      if (n.kind === ROLLOUT_RESULT_KIND) finished = true;
    }
    // A long live run: incidents older than the lookback no longer count (rollout results always do).
    if (this.own.length > 10_000) {
      const since = at - this.risk.config.lookbackDays * 86_400;
      this.own.splice(0, this.own.length, ...this.own.filter((e) => e.kind === ROLLOUT_RESULT_KIND || e.at >= since));
    }
    if (finished) this.lastFit = this.risk.learn([...this.others, ...this.own]);
    return finished;
  }
}
