import type { Action } from '../core/action.js';
import { actionTarget, describeAction } from '../core/action.js';
import type { Proposal, Verdict, Outcome } from '../core/proposal.js';
import type { Snapshot } from '../core/snapshot.js';
import type { Analyzer, Finding } from '../analyze/assessment.js';
import type { TelemetrySource } from '../monitor/source.js';
import type { PlanContext, PlanNote, PlanOutcome, ScalingPolicy } from '../plan/scaling/policy.js';
import type { Provider } from '../execute/provider.js';
import type { LoopMode } from './mode.js';
import type { TickObserver } from './state-recorder.js';

/** The guardrails as the loop uses them (govern/guardrails.ts implements it). */
export interface GuardrailGate {
  check(proposal: Proposal, snapshot: Snapshot, now: number): Verdict;
  /** Every bound again, not the risk tier: for an action a human approved earlier. */
  recheckApproved(action: Action, snapshot: Snapshot, now: number): Verdict;
  recordExecuted(action: Action, now: number): void;
}

/** An action a human approved, ready to run (after the guardrails recheck it against today's world). */
export interface ApprovedAction {
  id: string;
  action: Action;
  decidedBy: string;
}

/** Where high-risk actions wait for a human (loop/approval-flow.ts implements it over govern/approvals.ts). */
export interface ApprovalSink {
  /** `duplicate`: the same action is already waiting, so nothing new was queued. */
  enqueue(verdict: Verdict, proposal: Proposal, now: number): Promise<{ id: string; duplicate: boolean }>;
  /** Approved actions not yet executed. */
  approved(now: number): Promise<ApprovedAction[]>;
  /** Record the outcome of an approved action (executed, or refused by the recheck). */
  settle(id: string, executed: boolean): Promise<void>;
}

/** One journal entry as the loop writes it (knowledge/journal.ts stores and hash-chains it). */
export interface DecisionEntry {
  at: number;
  runId: string | null;
  kind: string;
  actor: string;
  summary: string;
  payload: Record<string, unknown>;
}

export interface DecisionSink {
  appendBatch(entries: DecisionEntry[]): Promise<unknown>;
}

export interface ControllerOptions {
  source: TelemetrySource;
  provider: Provider;
  /** Planners in priority order: when two propose for the same resource in one tick, the first wins (healing before scaling). */
  policies: ScalingPolicy[];
  analyzers?: Analyzer[];
  guardrails: GuardrailGate;
  approvals?: ApprovalSink;
  journal?: DecisionSink;
  mode: LoopMode;
  runId?: string | null;
  /** Replaying a resumed run: decide and execute as before but do not write the journal again. */
  suppressJournal?: (at: number) => boolean;
  /** Keeps the run's latest state in the store for the live overview (loop/state-recorder.ts). */
  state?: TickObserver;
}

export interface Decision {
  proposal: Proposal;
  verdict: Verdict;
  outcome: Outcome | null;
  approvalId?: string;
  /** Already waiting for approval from an earlier tick: not journaled again. */
  duplicate?: boolean;
}

export interface TickResult {
  at: number;
  proposals: number;
  executed: number;
  clamped: number;
  denied: number;
  /** New entries in the approval queue (an action still waiting from an earlier tick is not counted again). */
  queued: number;
  /** Decided but, because of the mode, neither executed nor queued. */
  shadowed: number;
  findings: Finding[];
  decisions: Decision[];
  /** Planners' journal notes this tick (remediation's detection, diagnosis, verification, recovery, escalation). */
  notes: PlanNote[];
  /** Other planners' scale-downs dropped because they went below a floor an earlier planner holds. */
  heldByFloor: number;
  durationMs: number;
  degraded?: string;
  /** What the loop saw this tick (for reports; the controller keeps no reference). */
  snapshot: Snapshot;
}

/**
 * The MAPE-K controller: one tick = monitor → analyze → plan → govern → execute → record.
 * All I/O goes through the injected source, provider, approvals and journal.
 */
export class Controller {
  /** The last tick's decisions, handed to the planners on the next tick (PlanContext.outcomes). */
  private lastOutcomes: PlanOutcome[] = [];

  constructor(private readonly o: ControllerOptions) {}

  get mode(): LoopMode {
    return this.o.mode;
  }

  async tick(): Promise<TickResult> {
    const started = performance.now();
    const snapshot = await this.o.source.snapshot();
    const now = snapshot.at;

    const findings: Finding[] = [];
    for (const a of this.o.analyzers ?? []) findings.push(...a.analyze(snapshot, now));

    const { proposals: planned, notes, heldByFloor } = this.plan(snapshot, now, findings);
    const result: TickResult = {
      at: now, proposals: 0, executed: 0, clamped: 0, denied: 0, queued: 0, shadowed: 0,
      findings, decisions: [], notes, heldByFloor, durationMs: 0, degraded: snapshot.degraded, snapshot,
    };
    const actedOn = await this.runApproved(snapshot, now, result);
    // A resource an approved action just changed was planned for from a snapshot taken before that change: its
    // proposal is stale (a node removal proposed again would be queued again for a node that is already gone).
    const proposals = planned.filter((p) => !actedOn.has(actionTarget(p.action)));
    result.proposals = proposals.length;

    for (const proposal of proposals) {
      const verdict = this.o.guardrails.check(proposal, snapshot, now);
      const decision: Decision = { proposal, verdict, outcome: null };
      if (verdict.outcome === 'deny') result.denied++;
      else if (verdict.outcome === 'needs-approval') {
        if (this.o.approvals && this.o.mode !== 'dry-run') {
          const q = await this.o.approvals.enqueue(verdict, proposal, now);
          decision.approvalId = q.id;
          decision.duplicate = q.duplicate;
          // Only a new entry counts: one still waiting from an earlier tick was counted then.
          if (!q.duplicate) result.queued++;
        } else if (this.o.mode === 'dry-run') result.shadowed++;
      } else {
        if (verdict.outcome === 'clamp') result.clamped++;
        if (this.o.mode === 'auto') {
          // Run, tick time and position identify the journal entry this decision lands in (deterministic, unlike a UUID).
          const decisionId = `${this.o.runId ?? 'loop'}@${now}#${result.decisions.length}`;
          decision.outcome = await this.o.provider.apply(verdict.action, { decisionId, rationale: proposal.rationale, source: proposal.source });
          if (decision.outcome.ok) {
            this.o.guardrails.recordExecuted(verdict.action, now);
            result.executed++;
          }
        } else result.shadowed++;
      }
      result.decisions.push(decision);
    }

    this.lastOutcomes = result.decisions.map((d) => ({ proposal: d.proposal, verdict: d.verdict, outcome: d.outcome, approvalId: d.approvalId }));
    await this.record(result, snapshot);
    await this.o.state?.record(snapshot);
    result.durationMs = performance.now() - started;
    return result;
  }

  /**
   * Actions people approved since the last tick: recheck every bound against this snapshot, then run them.
   * Returns the resources an approved action was applied to this tick.
   */
  private async runApproved(snapshot: Snapshot, now: number, result: TickResult): Promise<Set<string>> {
    const actedOn = new Set<string>();
    const sink = this.o.approvals;
    if (!sink || this.o.mode !== 'auto') return actedOn;
    for (const a of await sink.approved(now)) {
      const verdict = this.o.guardrails.recheckApproved(a.action, snapshot, now);
      const proposal: Proposal = {
        action: a.action, source: `approval:${a.decidedBy}`,
        rationale: `${a.decidedBy} approved ${describeAction(a.action)}`, evidence: { approvalId: a.id }, expectedEffect: describeAction(a.action),
      };
      const decision: Decision = { proposal, verdict, outcome: null, approvalId: a.id };
      if (verdict.outcome === 'deny') result.denied++;
      else {
        decision.outcome = await this.o.provider.apply(verdict.action, { decisionId: a.id, rationale: `${describeAction(a.action)}, approved by ${a.decidedBy}`, source: proposal.source });
        actedOn.add(actionTarget(verdict.action));
        if (decision.outcome.ok) {
          this.o.guardrails.recordExecuted(verdict.action, now);
          result.executed++;
        }
      }
      await sink.settle(a.id, decision.outcome?.ok === true);
      result.decisions.push(decision);
    }
    return actedOn;
  }

  /**
   * Ask every planner; keep one proposal per resource (the first planner's), so actions never collide. A floor set
   * by one planner (remediation holding a scale-out while it verifies the fix) drops the others' scale-downs below
   * it here, once for every planner, instead of each scaling policy having to know about remediation.
   */
  private plan(snapshot: Snapshot, now: number, findings: Finding[]): { proposals: Proposal[]; notes: PlanNote[]; heldByFloor: number } {
    const ctx: PlanContext = { snapshot, now, findings, outcomes: this.lastOutcomes, floors: new Map(), notes: [] };
    const taken = new Set<string>();
    const out: Proposal[] = [];
    for (const policy of this.o.policies) {
      for (const p of policy.decide(ctx)) {
        const target = actionTarget(p.action);
        if (taken.has(target)) continue;
        taken.add(target);
        out.push(p);
      }
    }
    const floors = ctx.floors ?? new Map();
    const kept = out.filter((p) => {
      if (p.action.kind !== 'scale' || p.action.to >= p.action.from) return true;
      const floor = floors.get(p.action.service);
      return !floor || floor.holder === p.source || p.action.to >= floor.replicas;
    });
    return { proposals: kept, notes: ctx.notes ?? [], heldByFloor: out.length - kept.length };
  }

  private async record(result: TickResult, snapshot: Snapshot): Promise<void> {
    const journal = this.o.journal;
    if (!journal || this.o.mode === 'dry-run' || this.o.suppressJournal?.(result.at)) return;
    // What was found and concluded (findings, planners' notes: detection, diagnosis, ...) before what was done.
    const entries: DecisionEntry[] = [];
    for (const f of result.findings) {
      if (f.severity === 'info') continue;
      entries.push({ at: result.at, runId: this.o.runId ?? null, kind: f.kind, actor: 'analyze', summary: f.message, payload: { target: f.target, severity: f.severity, evidence: f.evidence } });
    }
    for (const n of result.notes) entries.push({ at: result.at, runId: this.o.runId ?? null, kind: n.kind, actor: n.actor, summary: n.summary, payload: n.payload });
    const services = new Map(snapshot.services.map((s) => [s.name, s]));
    for (const d of result.decisions) {
      if (d.duplicate) continue;
      const a = d.proposal.action;
      const svc = 'service' in a ? services.get(a.service) : undefined;
      entries.push({
        at: result.at,
        runId: this.o.runId ?? null,
        kind: 'decision',
        actor: d.proposal.source,
        summary: `${d.proposal.rationale} → ${verdictWords(d, this.o.mode)}`,
        payload: {
          mode: this.o.mode,
          proposed: d.proposal.action,
          action: d.verdict.action,
          verdict: d.verdict.outcome,
          reasons: d.verdict.reasons,
          outcome: d.outcome,
          approvalId: d.approvalId ?? null,
          evidence: d.proposal.evidence,
          expectedEffect: d.proposal.expectedEffect,
          inputs: svc
            ? { replicas: svc.replicas, ready: svc.readyReplicas, cpuUtilization: svc.cpuUtilization, requestRate: svc.requestRate, p99Ms: svc.latencyP99Ms, errorRate: svc.errorRate }
            : { nodes: snapshot.nodes.length, costPerHour: snapshot.costPerHour },
          degraded: snapshot.degraded ?? null,
        },
      });
    }
    if (entries.length > 0) await journal.appendBatch(entries);
  }
}

function verdictWords(d: Decision, mode: LoopMode): string {
  const what = describeAction(d.verdict.action);
  switch (d.verdict.outcome) {
    case 'deny': return `denied (${d.verdict.reasons.join('; ')})`;
    case 'needs-approval': return `${what} queued for approval`;
    case 'clamp':
    case 'allow': {
      if (d.proposal.source.startsWith('approval:')) return d.outcome?.ok ? `${what} executed after approval` : `${what} failed: ${d.outcome?.message ?? 'no outcome'}`;
      const clamp = d.verdict.outcome === 'clamp' ? ` (clamped: ${d.verdict.reasons.join('; ')})` : '';
      if (mode !== 'auto') return `${what} not executed (${mode})${clamp}`;
      return d.outcome?.ok ? `${what} executed${clamp}` : `${what} failed: ${d.outcome?.message ?? 'no outcome'}`;
    }
  }
}
