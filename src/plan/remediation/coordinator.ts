import { z } from 'zod';
import { actionTarget, describeAction, type Action } from '../../core/action.js';
import type { Proposal } from '../../core/proposal.js';
import type { Snapshot } from '../../core/snapshot.js';
import type { PlanContext, PlanNote, PlanOutcome, ScalingPolicy } from '../scaling/policy.js';
import { RemediationBreaker } from './circuit-breaker.js';
import { builtinPlaybooks, type LoadedPlaybook } from './loader.js';
import { describeTrigger, globMatch, SERVICE_STEPS, type ActionStep, type Amount } from './playbook.js';
import { occurrencesOf, type Occurrence } from './triggers.js';
import { checkCriteria, type CriteriaCheck, type Objective } from './verification.js';

export const CoordinatorConfigSchema = z.object({
  /** Circuit breaker: this many failed verifications of one resource within the window stop its automatic remediation. */
  breaker: z
    .object({
      maxFailures: z.number().int().positive().default(3),
      windowSeconds: z.number().positive().default(3600),
      /** How long remediation of the resource stays off once the breaker opened (a human has it meanwhile). */
      openSeconds: z.number().positive().default(4 * 3600),
    })
    .prefault({}),
  /** A step waiting in the approval queue longer than this is skipped; verification then judges what was done. */
  approvalWaitSeconds: z.number().nonnegative().default(300),
  /** A progressive scale-out adds its next increment only this long after the last one (pods need to start). */
  scaleSettleSeconds: z.number().nonnegative().default(45),
  /** Per-service objectives (`*` for the rest) for `withinObjectives` in verification. */
  objectives: z.record(z.string().min(1), z.object({ p99Ms: z.number().positive(), errorRate: z.number().min(0).max(1) })).default({ '*': { p99Ms: 200, errorRate: 0.01 } }),
});
export type CoordinatorConfig = z.output<typeof CoordinatorConfigSchema>;
export type CoordinatorConfigInput = z.input<typeof CoordinatorConfigSchema>;

type Phase = 'acting' | 'waiting-approval' | 'verifying' | 'undoing';

/** One remediation of one resource: a playbook run from diagnosis to verified recovery (or failure and undo). */
interface Episode {
  id: string;
  playbook: LoadedPlaybook;
  triggerKey: string;
  target: string;
  service?: string;
  node?: string;
  pod?: string;
  cause: Occurrence;
  startedAt: number;
  phase: Phase;
  step: number;
  /** Replicas when the first scale-out began, where it wants to be, and the most it may reach. */
  scale?: { base: number; goal: number; cap: number; add: number };
  /** Replicas set by executed scale-outs (the floor while it is verified). */
  reached?: number;
  /** Adding a further increment of a scale-out that verification found short, and why it was short. */
  incrementing?: boolean;
  shortBecause?: string;
  done: { action: Action; at: number }[];
  skipped: string[];
  waitingSince?: number;
  approvalId?: string;
  lastActionAt?: number;
  verifyFrom?: number;
  healthySince?: number;
  last?: CriteriaCheck;
  undo?: { to: number };
}

/** A scale-out floor kept after a verified fix, so the autoscalers do not undo it while the cause may persist. */
interface Hold {
  replicas: number;
  until: number;
  holdFor: number;
  triggerKey: string;
  holder: string;
  playbook: string;
}

/**
 * The remediation coordinator: runs the playbooks (policies/playbooks/*.yaml plus the user's) as a planner, first
 * in the controller's priority order so healing goes before scaling. Every action it takes is a proposal, so the
 * guardrails, the approval queue and the journal see it like any other; the proposal's rationale names the
 * playbook, its trigger and the evidence.
 *
 * Per resource (a service or a node) at most one remediation runs at a time, one action per tick: detection →
 * diagnosis (the first playbook, by priority, whose trigger and conditions match) → actions in order → verification
 * against the playbook's criteria by its deadline → recovery, or on failure undo what can be undone (a scale-out is
 * scaled back) and count the failure. Cooldowns keep it from acting again before a fix can show; a circuit breaker
 * stops it after repeated failed verifications and escalates to a human. Each step is journaled as a note of its
 * own kind: detection, diagnosis, verification, recovery, undo, escalation (the actions are the controller's
 * decision entries).
 *
 * A scale-out (dependency slowdown) is held as a replica floor (PlanContext.floors) while it is verified and for
 * its `holdFor` afterwards; the controller drops other planners' scale-downs below it, so the predictive policy and
 * the HPA — which size by request rate and CPU, both normal when a dependency is slow — do not undo it at once.
 */
export class RemediationCoordinator implements ScalingPolicy {
  readonly name = 'remediation';
  readonly config: CoordinatorConfig;
  readonly playbooks: readonly LoadedPlaybook[];
  private readonly breaker: RemediationBreaker;
  private readonly episodes = new Map<string, Episode>();
  /** trigger key → target → times it was seen. */
  private readonly seen = new Map<string, Map<string, number[]>>();
  private readonly retainSeconds: number;
  private readonly attempts: { target: string; playbook: string; at: number }[] = [];
  private readonly cooldownUntil = new Map<string, number>();
  /** Last executed action per resource, by any planner (conditions.noActionWithin). */
  private readonly lastAction = new Map<string, number>();
  private readonly holds = new Map<string, Hold>();
  /** Proposals made last tick, to match the controller's outcomes to episodes. */
  private readonly pending = new Map<Proposal, { episode: Episode; undo: boolean }>();
  /** Resources whose breaker is open and for which that was already journaled. */
  private readonly suspendedNoted = new Set<string>();
  private readonly triggerKeys = new Map<LoadedPlaybook, string>();
  /** Time of the latest tick seen. */
  private lastTick = -Infinity;

  constructor(options: { playbooks?: readonly LoadedPlaybook[]; config?: CoordinatorConfigInput } = {}) {
    this.config = CoordinatorConfigSchema.parse(options.config ?? {});
    this.playbooks = options.playbooks ?? builtinPlaybooks();
    this.breaker = new RemediationBreaker(this.config.breaker);
    let retain = this.config.breaker.windowSeconds;
    for (const p of this.playbooks) {
      this.triggerKeys.set(p, JSON.stringify(p.trigger));
      retain = Math.max(retain, p.conditions.window, p.verify.quietFor ?? 0, p.conditions.previousAttempts?.within ?? 0);
    }
    this.retainSeconds = retain;
  }

  decide(ctx: PlanContext): Proposal[] {
    const { snapshot, now } = ctx;
    const notes = ctx.notes ?? [];
    this.settle(ctx.outcomes ?? [], notes);
    const current = this.observe(ctx);

    const out: Proposal[] = [];
    for (const ep of [...this.episodes.values()]) {
      const p = this.advance(ep, snapshot, now, notes);
      if (p) out.push(p);
    }
    for (const pb of this.playbooks) {
      for (const occ of current.get(this.key(pb)) ?? []) {
        if (this.episodes.has(occ.target)) continue;
        const p = this.start(pb, occ, snapshot, now, notes);
        if (p) out.push(p);
      }
    }
    this.publishFloors(ctx, now);
    return out;
  }

  /** Active remediations, for reports and tests. */
  active(): { target: string; playbook: string; phase: Phase; startedAt: number }[] {
    return [...this.episodes.values()].map((e) => ({ target: e.target, playbook: e.playbook.name, phase: e.phase, startedAt: e.startedAt }));
  }

  // ---------------------------------------------------------------- outcomes of the last tick

  /** The previous tick's outcomes (they all happened at `lastTick`, which observe() has not moved on yet). */
  private settle(outcomes: readonly PlanOutcome[], notes: PlanNote[]): void {
    const at = this.lastTick;
    for (const o of outcomes) {
      if (o.outcome?.ok) this.lastAction.set(actionTarget(o.verdict.action), at);
      const mine = this.pending.get(o.proposal);
      if (mine) {
        this.pending.delete(o.proposal);
        this.applyOutcome(mine.episode, at, o, mine.undo, notes);
        continue;
      }
      // An approved action the approval queue ran for a step of ours.
      if (o.approvalId !== undefined && o.proposal.source.startsWith('approval:')) {
        const ep = [...this.episodes.values()].find((e) => e.phase === 'waiting-approval' && e.approvalId === o.approvalId);
        if (ep) this.applyOutcome(ep, at, o, false, notes);
      }
    }
    // Proposals the controller did not decide on (the resource was taken by an approved action) are made again.
    this.pending.clear();
  }

  private applyOutcome(ep: Episode, at: number, o: PlanOutcome, undo: boolean, notes: PlanNote[]): void {
    if (this.episodes.get(ep.target) !== ep) return;
    if (o.outcome?.ok) {
      const a = o.verdict.action;
      if (undo) {
        if (a.kind === 'scale' && ep.undo && a.to <= ep.undo.to) this.finish(ep);
        return;
      }
      ep.done.push({ action: a, at });
      ep.lastActionAt = at;
      this.cooldownUntil.set(ep.target, at + ep.playbook.cooldown);
      if (a.kind === 'scale') {
        ep.reached = Math.max(ep.reached ?? 0, a.to);
        // Clamped by the guardrails: the rest of the step is proposed on the next tick.
        if (ep.scale && a.to < ep.scale.goal) {
          ep.phase = 'acting';
          return;
        }
      }
      this.nextStep(ep, at);
      return;
    }
    if (o.verdict.outcome === 'needs-approval' && !undo) {
      ep.phase = 'waiting-approval';
      ep.waitingSince ??= at;
      ep.approvalId = o.approvalId;
      return;
    }
    const why = o.verdict.outcome === 'deny' ? `denied by the guardrails (${o.verdict.reasons.join('; ')})`
      : o.outcome ? `failed (${o.outcome.message})` : 'not executed in this mode';
    if (undo) {
      notes.push(this.note('undo', ep, `Undo of ${ep.target} stopped: ${describeAction(o.verdict.action)} ${why}.`, { action: o.verdict.action }));
      this.finish(ep);
      return;
    }
    this.skip(ep, `${describeAction(o.verdict.action)} ${why}`, at, notes);
  }

  // ---------------------------------------------------------------- what was seen this tick

  private key(pb: LoadedPlaybook): string {
    return this.triggerKeys.get(pb) ?? JSON.stringify(pb.trigger);
  }

  /** Occurrences of every playbook trigger this tick (by trigger key), recorded in the history. */
  private observe(ctx: PlanContext): Map<string, Occurrence[]> {
    const now = ctx.now;
    this.lastTick = now;
    const current = new Map<string, Occurrence[]>();
    for (const pb of this.playbooks) {
      const k = this.key(pb);
      if (current.has(k)) continue;
      const occ = occurrencesOf(pb.trigger, ctx.findings ?? [], ctx.snapshot);
      current.set(k, occ);
      let byTarget = this.seen.get(k);
      if (!byTarget) this.seen.set(k, (byTarget = new Map()));
      for (const o of occ) {
        const times = byTarget.get(o.target) ?? [];
        times.push(now);
        byTarget.set(o.target, times);
      }
      // Times are appended in order, so what has aged out is at the front.
      for (const [t, times] of byTarget) {
        while (times.length > 0 && times[0] <= now - this.retainSeconds) times.shift();
        if (times.length === 0) byTarget.delete(t);
      }
    }
    while (this.attempts.length > 0 && this.attempts[0].at <= now - this.retainSeconds) this.attempts.shift();
    return current;
  }

  private sightings(key: string, target: string, since: number): number[] {
    return (this.seen.get(key)?.get(target) ?? []).filter((t) => t > since);
  }

  // ---------------------------------------------------------------- starting a remediation

  private start(pb: LoadedPlaybook, occ: Occurrence, snapshot: Snapshot, now: number, notes: PlanNote[]): Proposal | undefined {
    const k = this.key(pb);
    if (!this.applies(pb, occ, k, now)) return undefined;
    if (this.breaker.isOpen(occ.target, now)) {
      if (!this.suspendedNoted.has(occ.target)) {
        this.suspendedNoted.add(occ.target);
        notes.push({
          kind: 'remediation', actor: `${this.name}/${pb.name}`,
          summary: `Not remediating ${occ.target} (${describeTrigger(pb.trigger)}): its circuit breaker is open after repeated failed verifications; a human has it.`,
          payload: { target: occ.target, playbook: pb.name, trigger: describeTrigger(pb.trigger) },
        });
      }
      return undefined;
    }
    this.suspendedNoted.delete(occ.target);
    if ((this.cooldownUntil.get(occ.target) ?? -Infinity) > now) return undefined;
    if (this.heldAndHolding(pb, occ, k, snapshot, now)) return undefined;

    const sightings = this.sightings(k, occ.target, now - pb.conditions.window);
    const ep: Episode = {
      id: `${occ.target}@${now}`, playbook: pb, triggerKey: k, target: occ.target, cause: occ, startedAt: now,
      phase: pb.actions.length > 0 ? 'acting' : 'verifying', step: 0, done: [], skipped: [],
      ...(occ.service ? { service: occ.service } : {}), ...(occ.node ? { node: occ.node } : {}), ...(occ.pod ? { pod: occ.pod } : {}),
    };
    if (ep.phase === 'verifying') ep.verifyFrom = now;
    this.episodes.set(ep.target, ep);
    this.attempts.push({ target: ep.target, playbook: pb.name, at: now });
    const firstSeen = this.sightings(k, occ.target, now - this.retainSeconds)[0] ?? now;
    notes.push(this.note('detection', ep,
      `Detected ${describeTrigger(pb.trigger)} on ${ep.target}: ${occ.summary} (first seen ${Math.round(now - firstSeen)} s ago, ${sightings.length} sighting${sightings.length === 1 ? '' : 's'} in ${fmtDuration(pb.conditions.window)}).`,
      { firstSeenAt: firstSeen, sightings: sightings.length, severity: occ.severity, evidence: occ.evidence }));
    const plan = pb.actions.length > 0 ? pb.actions.map(describeStep).join(', then ') : 'no action (watch only)';
    notes.push(this.note('diagnosis', ep,
      `Playbook "${pb.name}" (${pb.origin}) matches ${describeTrigger(pb.trigger)} on ${ep.target}${pb.description ? `: ${pb.description}` : ''} Plan: ${plan}; verify within ${fmtDuration(pb.verify.within)} (${describeVerify(pb)}).`,
      { origin: pb.origin, priority: pb.priority, plan: pb.actions.map((a) => a.do), verify: { ...pb.verify }, conditions: describeConditions(pb) }));
    return this.advance(ep, snapshot, now, notes);
  }

  /**
   * A verified scale-out held for this trigger that still meets the playbook's criteria: the trigger recurring is
   * the cause still being there (a slow dependency keeps timing out), not the fix failing, so nothing is added.
   */
  private heldAndHolding(pb: LoadedPlaybook, occ: Occurrence, key: string, snapshot: Snapshot, now: number): boolean {
    const h = occ.service !== undefined ? this.holds.get(occ.service) : undefined;
    if (!h || h.triggerKey !== key) return false;
    return checkCriteria({ ...pb.verify, quietFor: undefined }, { service: occ.service }, snapshot, now, now, (s) => this.objectiveOf(s)).metricsOk;
  }

  /** Conditions of a playbook for an occurrence (everything but cooldown and the breaker). */
  private applies(pb: LoadedPlaybook, occ: Occurrence, key: string, now: number): boolean {
    const c = pb.conditions;
    const isService = occ.service !== undefined;
    if (pb.actions.some((a) => SERVICE_STEPS.has(a.do) !== isService)) return false;
    if (c.services || c.nodes) {
      const okService = isService && (c.services ?? []).some((g) => globMatch(g, occ.service as string));
      const okNode = occ.node !== undefined && !isService && (c.nodes ?? []).some((g) => globMatch(g, occ.node as string));
      if (!okService && !okNode) return false;
    }
    for (const [field, want] of Object.entries(c.evidence ?? {})) if (occ.evidence[field] !== want) return false;
    if (this.sightings(key, occ.target, now - c.window).length < c.minOccurrences) return false;
    if (c.noActionWithin !== undefined && (this.lastAction.get(occ.target) ?? -Infinity) > now - c.noActionWithin) return false;
    if (c.previousAttempts) {
      const { atLeast, within, playbooks } = c.previousAttempts;
      const n = this.attempts.filter((a) => a.target === occ.target && a.at > now - within && (!playbooks || playbooks.includes(a.playbook))).length;
      if (n < atLeast) return false;
    }
    return true;
  }

  // ---------------------------------------------------------------- running one

  private advance(ep: Episode, snapshot: Snapshot, now: number, notes: PlanNote[]): Proposal | undefined {
    switch (ep.phase) {
      case 'acting':
        return this.act(ep, snapshot, now, notes);
      case 'waiting-approval':
        if (now - (ep.waitingSince ?? now) >= this.config.approvalWaitSeconds) {
          this.skip(ep, `no approval within ${fmtDuration(this.config.approvalWaitSeconds)} (it stays in the queue)`, now, notes);
          return this.advance(ep, snapshot, now, notes);
        }
        return undefined;
      case 'verifying':
        return this.verify(ep, snapshot, now, notes);
      case 'undoing':
        return this.undoStep(ep, snapshot);
    }
  }

  private act(ep: Episode, snapshot: Snapshot, now: number, notes: PlanNote[]): Proposal | undefined {
    const step = ep.playbook.actions[ep.step];
    if (!step) {
      this.toVerify(ep, now);
      return this.verify(ep, snapshot, now, notes);
    }
    const action = this.actionFor(ep, step, snapshot);
    if (typeof action === 'string') {
      this.skip(ep, action, now, notes);
      return this.advance(ep, snapshot, now, notes);
    }
    const n = ep.playbook.actions.length;
    const more = ep.incrementing || (ep.reached !== undefined && step.do === 'scale-out') ? ` (more: ${ep.shortBecause ?? 'the last increment was clamped'})` : '';
    const proposal: Proposal = {
      action,
      source: `${this.name}/${ep.playbook.name}`,
      rationale: `Playbook "${ep.playbook.name}", ${describeTrigger(ep.playbook.trigger)} on ${ep.target}, step ${ep.step + 1}/${n} (${step.do})${more}: ${ep.cause.summary}${ep.playbook.description ? ` — ${ep.playbook.description}` : ''}`,
      evidence: { ...ep.cause.evidence, playbook: ep.playbook.name, trigger: describeTrigger(ep.playbook.trigger), episode: ep.id, step: `${ep.step + 1}/${n}` },
      expectedEffect: `${describeAction(action)}; verified within ${fmtDuration(ep.playbook.verify.within)}: ${describeVerify(ep.playbook)}`,
    };
    this.pending.set(proposal, { episode: ep, undo: false });
    return proposal;
  }

  /** The action a step asks for on this snapshot, or why there is none. */
  private actionFor(ep: Episode, step: ActionStep, snapshot: Snapshot): Action | string {
    switch (step.do) {
      case 'restart-pod':
        return { kind: 'restart-pod', service: ep.service as string, ...(ep.pod ? { pod: ep.pod } : {}) };
      case 'rollback':
        return { kind: 'rollback', service: ep.service as string };
      case 'cordon-drain':
        return { kind: 'cordon-drain', node: ep.node as string };
      case 'scale-out': {
        const svc = snapshot.services.find((s) => s.name === ep.service);
        if (!svc) return `${ep.service ?? '?'} is not in the snapshot`;
        if (!ep.scale) {
          const add = amountOf(step.by, svc.replicas);
          const cap = svc.replicas + (step.upTo ? Math.max(add, amountOf(step.upTo, svc.replicas)) : add);
          ep.scale = { base: svc.replicas, goal: Math.min(cap, svc.replicas + add), cap, add };
        }
        if (svc.replicas >= ep.scale.goal) return `${ep.service ?? '?'} already has ${svc.replicas} replicas (goal ${ep.scale.goal})`;
        return { kind: 'scale', service: svc.name, from: svc.replicas, to: ep.scale.goal };
      }
    }
  }

  private skip(ep: Episode, why: string, now: number, notes: PlanNote[]): void {
    ep.skipped.push(why);
    notes.push(this.note('remediation', ep, `Playbook "${ep.playbook.name}" on ${ep.target}: step ${ep.step + 1} (${ep.playbook.actions[ep.step]?.do ?? '?'}) skipped: ${why}.`, { step: ep.step + 1, why }));
    this.nextStep(ep, now);
  }

  private nextStep(ep: Episode, now: number): void {
    ep.waitingSince = undefined;
    ep.approvalId = undefined;
    // An increment of a progressive scale-out returns to verification, not to the steps after the scale-out.
    if (ep.incrementing) ep.step = ep.playbook.actions.length;
    else ep.step++;
    ep.incrementing = false;
    if (ep.step >= ep.playbook.actions.length) this.toVerify(ep, now);
    else ep.phase = 'acting';
  }

  private toVerify(ep: Episode, now: number): void {
    ep.phase = 'verifying';
    ep.verifyFrom = ep.lastActionAt !== undefined ? Math.max(ep.lastActionAt, ep.verifyFrom ?? -Infinity) : (ep.verifyFrom ?? now);
    ep.healthySince = undefined;
  }

  private verify(ep: Episode, snapshot: Snapshot, now: number, notes: PlanNote[]): Proposal | undefined {
    const v = ep.playbook.verify;
    const from = ep.verifyFrom ?? now;
    const last = this.sightings(ep.triggerKey, ep.target, -Infinity).at(-1) ?? -Infinity;
    const check = checkCriteria(v, ep.service !== undefined ? { service: ep.service } : {}, snapshot, now, Math.max(from, last), (s) => this.objectiveOf(s));
    ep.last = check;
    if (check.metricsOk) ep.healthySince ??= now;
    else ep.healthySince = undefined;
    // A progressive scale-out still short once the last increment had time to start: add another. It is not done
    // (so not verified either) while it still wants more.
    const short = this.scaleShort(ep, check, snapshot);
    if (short && now - (ep.lastActionAt ?? from) >= this.config.scaleSettleSeconds) {
      const s = ep.scale as NonNullable<Episode['scale']>;
      s.goal = Math.min(s.cap, s.goal + s.add);
      ep.step = ep.playbook.actions.findIndex((a) => a.do === 'scale-out');
      ep.phase = 'acting';
      ep.incrementing = true;
      return this.act(ep, snapshot, now, notes);
    }
    if (!short && check.metricsOk && check.quietOk && now - (ep.healthySince ?? now) >= v.holdFor) {
      this.succeed(ep, now, notes);
      return undefined;
    }
    if (now - from < v.within) return undefined;
    this.fail(ep, snapshot, now, notes);
    return ep.phase === 'undoing' ? this.undoStep(ep, snapshot) : undefined;
  }

  /** A scale-out that may still grow and whose stop condition (verified, or objectives met) does not hold yet. */
  private scaleShort(ep: Episode, check: CriteriaCheck, snapshot: Snapshot): boolean {
    const s = ep.scale;
    const step = ep.playbook.actions.find((a) => a.do === 'scale-out');
    if (!s || s.goal >= s.cap || step?.do !== 'scale-out') return false;
    if (step.until === 'verified') {
      ep.shortBecause = check.failing.join('; ');
      return !check.metricsOk;
    }
    const svc = snapshot.services.find((x) => x.name === ep.service);
    if (!svc) return false;
    const o = this.objectiveOf(svc.name);
    ep.shortBecause = `p99 ${Math.round(svc.latencyP99Ms)}/${o.p99Ms} ms, errors ${(svc.errorRate * 100).toFixed(2)}/${(o.errorRate * 100).toFixed(2)}%`;
    return !(svc.latencyP99Ms <= o.p99Ms && svc.errorRate <= o.errorRate);
  }

  private succeed(ep: Episode, now: number, notes: PlanNote[]): void {
    const c = ep.last;
    notes.push(this.note('verification', ep,
      `Verified "${ep.playbook.name}" on ${ep.target} ${Math.round(now - (ep.verifyFrom ?? now))} s after its last action: ${describeVerify(ep.playbook)} — all met.`,
      { passed: true, values: c?.values ?? {}, actions: ep.done.map((d) => d.action), skipped: ep.skipped }));
    notes.push(this.note('recovery', ep,
      `${ep.target} recovered ${Math.round(now - ep.startedAt)} s after the remediation began (${ep.done.length > 0 ? ep.done.map((d) => describeAction(d.action)).join(', ') : 'no action was needed'}).`,
      { recoveredAt: now, startedAt: ep.startedAt, seconds: now - ep.startedAt }));
    const step = ep.playbook.actions.find((a) => a.do === 'scale-out');
    if (step?.do === 'scale-out' && ep.service && ep.reached !== undefined && ep.scale && ep.reached > ep.scale.base) {
      this.holds.set(ep.service, { replicas: ep.reached, until: now + step.holdFor, holdFor: step.holdFor, triggerKey: ep.triggerKey, holder: `${this.name}/${ep.playbook.name}`, playbook: ep.playbook.name });
    }
    this.cooldownUntil.set(ep.target, (ep.lastActionAt ?? now) + ep.playbook.cooldown);
    this.finish(ep);
  }

  private fail(ep: Episode, snapshot: Snapshot, now: number, notes: PlanNote[]): void {
    const failing = ep.last?.failing ?? [];
    notes.push(this.note('verification', ep,
      `Verification of "${ep.playbook.name}" on ${ep.target} failed: not met within ${fmtDuration(ep.playbook.verify.within)} (${failing.join('; ') || 'criteria not met'}).`,
      { passed: false, failing, values: ep.last?.values ?? {}, actions: ep.done.map((d) => d.action), skipped: ep.skipped }));
    const opened = this.breaker.recordFailure(ep.target, now);
    const tried = ep.done.length > 0 ? ep.done.map((d) => describeAction(d.action)).join(', ') : 'no action ran';
    if (opened) {
      const b = this.config.breaker;
      notes.push(this.note('escalation', ep,
        `Escalating ${ep.target} to a human: ${b.maxFailures} failed verifications within ${fmtDuration(b.windowSeconds)} (last: "${ep.playbook.name}", ${tried}). Automatic remediation of ${ep.target} is off for ${fmtDuration(b.openSeconds)}.`,
        { reason: 'circuit-breaker', failures: b.maxFailures, windowSeconds: b.windowSeconds, openSeconds: b.openSeconds, failing }));
      this.suspendedNoted.add(ep.target);
    } else if (ep.playbook.onFailure.escalate) {
      notes.push(this.note('escalation', ep,
        `Escalating ${ep.target} to a human: "${ep.playbook.name}" did not verify (${failing.join('; ') || 'criteria not met'}); tried: ${tried}.`,
        { reason: 'verification-failed', failing, failures: this.breaker.recentFailures(ep.target, now) }));
    }
    // A failed remediation waits a whole cooldown from the failure before the resource is tried again.
    this.cooldownUntil.set(ep.target, now + ep.playbook.cooldown);
    const svc = snapshot.services.find((s) => s.name === ep.service);
    const notUndoable = ep.done.filter((d) => d.action.kind !== 'scale').map((d) => `${describeAction(d.action)} (no action kind undoes it)`);
    // Only the replicas this remediation added are given back, not what another planner added meanwhile.
    const added = ep.scale && ep.reached !== undefined ? ep.reached - ep.scale.base : 0;
    const to = svc && ep.scale ? Math.max(ep.scale.base, svc.replicas - added) : 0;
    if (ep.playbook.onFailure.undo && svc && added > 0 && svc.replicas > to) {
      ep.undo = { to };
      ep.phase = 'undoing';
      notes.push(this.note('undo', ep,
        `Undoing "${ep.playbook.name}" on ${ep.target}: scaling ${svc.name} back from ${svc.replicas} to ${to}${notUndoable.length > 0 ? `; cannot undo ${notUndoable.join(', ')}` : ''}.`,
        { to, from: svc.replicas, notUndoable }));
    } else {
      if (ep.playbook.onFailure.undo && notUndoable.length > 0) {
        notes.push(this.note('undo', ep, `Nothing of "${ep.playbook.name}" on ${ep.target} can be undone: ${notUndoable.join(', ')}.`, { notUndoable }));
      }
      this.finish(ep);
    }
  }

  private undoStep(ep: Episode, snapshot: Snapshot): Proposal | undefined {
    const svc = snapshot.services.find((s) => s.name === ep.service);
    if (!svc || !ep.undo || svc.replicas <= ep.undo.to) {
      this.finish(ep);
      return undefined;
    }
    const action: Action = { kind: 'scale', service: svc.name, from: svc.replicas, to: ep.undo.to };
    const proposal: Proposal = {
      action,
      source: `${this.name}/${ep.playbook.name}/undo`,
      rationale: `Undo of playbook "${ep.playbook.name}" on ${ep.target}: its verification failed (${(ep.last?.failing ?? []).join('; ') || 'criteria not met'}), so the scale-out did not fix ${describeTrigger(ep.playbook.trigger)}; give the replicas back.`,
      evidence: { playbook: ep.playbook.name, trigger: describeTrigger(ep.playbook.trigger), episode: ep.id, undo: true },
      expectedEffect: `${describeAction(action)}: the replicas before the remediation`,
    };
    this.pending.set(proposal, { episode: ep, undo: true });
    return proposal;
  }

  private finish(ep: Episode): void {
    if (this.episodes.get(ep.target) === ep) this.episodes.delete(ep.target);
  }

  // ---------------------------------------------------------------- floors

  private publishFloors(ctx: PlanContext, now: number): void {
    for (const [service, h] of this.holds) {
      // The trigger coming back while the fix is held keeps it held: the cause is still there.
      if (this.sightings(h.triggerKey, `service/${service}`, now - 1).length > 0) h.until = Math.max(h.until, now + h.holdFor);
      if (h.until <= now || this.episodes.get(`service/${service}`)?.phase === 'undoing') this.holds.delete(service);
    }
    const floors = ctx.floors;
    if (!floors) return;
    for (const [service, h] of this.holds) {
      floors.set(service, { replicas: h.replicas, holder: h.holder, reason: `playbook "${h.playbook}" holds ${h.replicas} replicas until ${Math.round(h.until - now)} s from now` });
    }
    for (const ep of this.episodes.values()) {
      if (!ep.service || ep.reached === undefined || ep.phase === 'undoing') continue;
      floors.set(ep.service, { replicas: ep.reached, holder: `${this.name}/${ep.playbook.name}`, reason: `playbook "${ep.playbook.name}" is verifying its scale-out` });
    }
  }

  private objectiveOf(service: string): Objective {
    const o = this.config.objectives;
    return (Object.hasOwn(o, service) ? o[service] : o['*']) ?? { p99Ms: 200, errorRate: 0.01 };
  }

  private note(kind: string, ep: Episode, summary: string, payload: Record<string, unknown>): PlanNote {
    return {
      kind, actor: `${this.name}/${ep.playbook.name}`, summary,
      payload: { target: ep.target, playbook: ep.playbook.name, trigger: describeTrigger(ep.playbook.trigger), episode: ep.id, ...payload },
    };
  }
}

function amountOf(a: Amount, replicas: number): number {
  return 'replicas' in a ? a.replicas : Math.max(1, Math.ceil((replicas * a.percent) / 100));
}

function describeStep(s: ActionStep): string {
  if (s.do !== 'scale-out') return s.do;
  const fmt = (a: Amount): string => ('replicas' in a ? `${a.replicas}` : `${a.percent}%`);
  return `scale-out by ${fmt(s.by)}${s.upTo ? ` (up to ${fmt(s.upTo)})` : ''}`;
}

function describeVerify(pb: LoadedPlaybook): string {
  const v = pb.verify;
  const parts: string[] = [];
  if (v.errorRateBelow !== undefined) parts.push(`error rate < ${(v.errorRateBelow * 100).toFixed(2)}%`);
  if (v.p99BelowMs !== undefined) parts.push(`p99 < ${v.p99BelowMs} ms`);
  if (v.withinObjectives) parts.push('p99 and errors within objectives');
  if (v.replicasReady) parts.push('all replicas Ready');
  if (v.holdFor > 0) parts.push(`for ${fmtDuration(v.holdFor)}`);
  if (v.quietFor !== undefined) parts.push(`no new ${describeTrigger(pb.trigger)} for ${fmtDuration(v.quietFor)}`);
  return parts.join(', ');
}

function describeConditions(pb: LoadedPlaybook): Record<string, unknown> {
  const c = pb.conditions;
  return {
    ...(c.services ? { services: c.services } : {}), ...(c.nodes ? { nodes: c.nodes } : {}), ...(c.evidence ? { evidence: c.evidence } : {}),
    minOccurrences: c.minOccurrences, window: c.window,
    ...(c.noActionWithin !== undefined ? { noActionWithin: c.noActionWithin } : {}),
    ...(c.previousAttempts ? { previousAttempts: c.previousAttempts } : {}),
  };
}

function fmtDuration(s: number): string {
  if (s >= 3600 && s % 3600 === 0) return `${s / 3600} h`;
  if (s >= 60 && s % 60 === 0) return `${s / 60} min`;
  return `${Math.round(s)} s`;
}
