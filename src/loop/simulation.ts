import { z } from 'zod';
import { MemoryApprovalRepository } from '../govern/memory-approval-repository.js';
import { Guardrails } from '../govern/guardrails.js';
import { defaultPolicy, loadPolicyFile, type GuardrailPolicy } from '../govern/policy.js';
import { CATALOGUE } from '../execute/twin/catalogue.js';
import { TwinCluster, type TwinStats } from '../execute/twin/cluster.js';
import { parseFaults } from '../execute/twin/faults.js';
import { readLoadTrace } from '../execute/twin/load.js';
import type { Store } from '../knowledge/store.js';
import type { Analyzer } from '../analyze/assessment.js';
import type { TickResult } from './controller.js';
import type { ScalingPolicy } from '../plan/scaling/policy.js';
import { StaticPolicy } from '../plan/scaling/static.js';
import { HpaPolicy } from '../plan/scaling/hpa.js';
import { ClusterAutoscalerPolicy } from '../plan/scaling/cluster-autoscaler.js';
import { PredictivePolicy } from '../plan/scaling/predictive.js';
import { RemediationCoordinator } from '../plan/remediation/coordinator.js';
import { loadPlaybooks, type LoadedPlaybook } from '../plan/remediation/loader.js';
import { EventClassifier } from '../analyze/faults/event-classifier.js';
import { MemoryTrendAnalyzer } from '../analyze/faults/memory-trend.js';
import { UserError } from '../core/errors.js';
import { ActionSchema, actionTarget } from '../core/action.js';
import { Controller, type ApprovalSink, type ApprovedAction, type DecisionSink } from './controller.js';
import { ApprovalFlow } from './approval-flow.js';
import { ActionTally } from './flaps.js';
import { LOOP_MODES } from './mode.js';
import { StateRecorder } from './state-recorder.js';
import { LatestStateStore } from '../knowledge/latest-state.js';
import { LoadChoiceSchema, SCENARIO_NODE_TYPE, SCENARIO_SLO_ERROR_RATE, SHOP, scenarioTwin, staticReplicas } from './scenario.js';
import { VerificationPlanner } from '../plan/verification/verification-planner.js';
import { RolloutPlanner } from '../plan/rollout/rollout-planner.js';
import type { RevisionMetricsSource } from '../plan/rollout/revision-metrics.js';
import { parseRollouts, type ScheduledRollout } from './rollout-spec.js';
import { SimulatedRollouts, type RolloutOutcome } from './simulated-rollouts.js';
import { RunDeploymentRisk } from './risk-learning.js';

export const POLICY_NAMES = ['static', 'hpa', 'autonomic'] as const;
export type PolicyName = (typeof POLICY_NAMES)[number];

/** Everything that defines a simulation run; stored with the run so it can be resumed or re-run exactly. */
export const SimulationSpecSchema = z.object({
  policy: z.enum(POLICY_NAMES),
  days: z.number().positive().max(366),
  seed: z.number().int().default(1),
  load: LoadChoiceSchema,
  /** Fault list in the CLI syntax (see execute/twin/faults.ts); '' = none. */
  faults: z.string().default(''),
  mode: z.enum(LOOP_MODES).default('auto'),
  /** Loop period in simulated seconds (the HPA's sync period). */
  tickSeconds: z.number().positive().default(15),
  /** Guardrail policy file; null = the built-in defaults (policies/default.yaml). */
  policyFile: z.string().nullable().default(null),
  /** A simulated on-call engineer approves queued actions after this many simulated seconds; null = nobody does. */
  approveAfterSeconds: z.number().nonnegative().nullable().default(null),
  /** The user's remediation playbooks (files or directories), on top of the built-in ones in policies/playbooks/. */
  playbooks: z.array(z.string().min(1)).default([]),
  /** Canary rollouts in the CLI syntax (loop/rollout-spec.ts), e.g. `checkout:r2@6h:errors=3`. */
  rollouts: z.array(z.string().min(1)).default([]),
});
export type SimulationSpec = z.output<typeof SimulationSpecSchema>;
export type SimulationSpecInput = z.input<typeof SimulationSpecSchema>;

export interface SimulationReport {
  policy: PolicyName;
  days: number;
  seed: number;
  mode: string;
  costDollars: number;
  sloViolationMinutes: number;
  /** Time-average over services of each service's p99 latency. */
  p99MeanMs: number;
  /** 99th percentile over all (service, tick) p99 samples: how bad the bad moments were. */
  p99OfP99Ms: number;
  actions: number;
  flaps: number;
  denied: number;
  clamped: number;
  queuedForApproval: number;
  offered: number;
  dropped: number;
  failed: number;
  /** Share of offered requests dropped or failed, %. */
  errorPct: number;
  nodeHours: number;
  ticks: number;
  /** Remediation journal notes by kind: faults detected, fixes verified, escalations to a human. */
  remediation: { detections: number; recoveries: number; failedVerifications: number; escalations: number };
  /** Post-action verification (action-verification notes): verdicts reached, of them worse, and of those undone. */
  verification: { judged: number; improved: number; worse: number; undone: number };
  /** Each `--rollout`: promoted, rolled back at step k, refused, ..., with every step's analysis. */
  rollouts: RolloutOutcome[];
  tickMsP50: number;
  wallSeconds: number;
}

export interface SimulationProgress {
  doneSeconds: number;
  totalSeconds: number;
  costDollars: number;
  sloViolationMinutes: number;
  actions: number;
}

export interface SimulationDeps {
  store?: Store;
  runId?: string;
  /** Replaying a resumed run: entries at or before this time are already in the journal. */
  journaledUntil?: number;
  /** Called about every simulated hour and at the end. */
  onProgress?: (p: SimulationProgress) => void;
  /** Called with cumulative progress every `checkpointSeconds` of simulated time (default one hour). */
  onCheckpoint?: (at: number, p: SimulationProgress) => Promise<void>;
  checkpointSeconds?: number;
  /** Planners to run instead of buildPlanners(spec.policy): benchmarks with their own service mix and baselines. */
  planners?: Planners;
  /** Called after every tick (benchmarks measure detection and recovery from it; shadow mode runs beside it). */
  onTick?: (r: TickResult) => void | Promise<void>;
}

/** The planners of a run; `rollout`: the one `--rollout`s are started on (absent: the run cannot roll out). */
export interface Planners {
  policies: ScalingPolicy[];
  analyzers: Analyzer[];
  rollout?: RolloutPlanner;
}

/**
 * Policy names → planners (in priority order) and analyzers. `playbooks`: the remediation playbooks (default: the
 * built-in ones); the scenario's SLOs are the objectives remediation and post-action verification judge by (the
 * policy's `verification:` section may replace them). `revisions`: per-revision telemetry for canary analysis
 * (the twin's); with it every policy can roll out (a deployment is not a scaling decision), without it none does.
 * Autonomic order: verification first, so an undo of a harmful action wins its service for the tick; healing
 * before rollouts; rollouts before scaling.
 */
export function buildPlanners(name: PolicyName, guardrails: GuardrailPolicy, playbooks?: readonly LoadedPlaybook[], revisions?: RevisionMetricsSource): Planners {
  const type = CATALOGUE.get(SCENARIO_NODE_TYPE);
  if (!type) throw new Error(`catalogue has no ${SCENARIO_NODE_TYPE}`);
  const ca = (): ClusterAutoscalerPolicy =>
    new ClusterAutoscalerPolicy({
      node: { instanceType: type.name, cpuAllocatableMillis: type.cpuAllocatableMillis, memoryAllocatableMiB: type.memoryAllocatableMiB },
      minNodes: Math.max(1, guardrails.cluster.minNodes),
      maxNodes: guardrails.cluster.maxNodes,
    });
  const maxReplicas = Math.min(100, Math.max(...SHOP.map((s) => s.staticReplicas * 4)));
  const rollout = revisions ? new RolloutPlanner(revisions, { approvalWaitSeconds: guardrails.approvals.expirySeconds }) : undefined;
  const rollouts: ScalingPolicy[] = rollout ? [rollout] : [];
  const withRollout = (p: Omit<Planners, 'rollout'>): Planners => (rollout ? { ...p, rollout } : p);
  switch (name) {
    case 'static':
      return withRollout({ policies: [...rollouts, new StaticPolicy(staticReplicas())], analyzers: [] });
    case 'hpa':
      return withRollout({ policies: [...rollouts, new HpaPolicy({ default: { minReplicas: 2, maxReplicas } }), ca()], analyzers: [] });
    case 'autonomic': {
      const verification = guardrails.verification;
      return withRollout({
        policies: [
          new VerificationPlanner({ ...verification, objectives: verification?.objectives ?? scenarioObjectives() }),
          new RemediationCoordinator({ playbooks, config: { objectives: Object.fromEntries(SHOP.map((s) => [s.name, { p99Ms: s.sloP99Ms, errorRate: SCENARIO_SLO_ERROR_RATE }])) } }),
          ...rollouts,
          new PredictivePolicy({ minReplicas: 2, maxReplicas }),
          ca(),
        ],
        analyzers: [new EventClassifier(), new MemoryTrendAnalyzer()],
      });
    }
  }
}

export interface PreparedSimulation {
  spec: SimulationSpec;
  twin: TwinCluster;
  guardrailPolicy: GuardrailPolicy;
  /** Built-in plus the user's playbooks, validated (absent: the built-in ones). */
  playbooks?: LoadedPlaybook[];
  /** spec.rollouts parsed; their revisions are defined in the twin (absent: none). */
  rollouts?: ScheduledRollout[];
}

/**
 * Validate every input (trace, policy file, faults) and build the twin, before anything is written anywhere:
 * bad input must fail with a clear error and leave no run, journal entry or file behind.
 */
export function prepareSimulation(input: SimulationSpecInput): PreparedSimulation {
  const parsed = SimulationSpecSchema.safeParse(input);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new UserError(i.message, `--${String(i.path[0] ?? 'options')}`);
  }
  const spec = parsed.data;
  const guardrailPolicy = spec.policyFile ? loadPolicyFile(spec.policyFile) : defaultPolicy();
  const playbooks = loadPlaybooks(spec.playbooks);
  const trace = spec.load.kind === 'trace' ? readLoadTrace(spec.load.file) : undefined;
  const twin = new TwinCluster(scenarioTwin(spec.load, spec.seed, trace));
  for (const f of parseFaults(spec.faults, twin.serviceNames())) twin.inject(f);
  const rollouts = parseRollouts(spec.rollouts, twin.serviceNames(), spec.days * 86_400);
  SimulatedRollouts.define(twin.rollouts, rollouts);
  return { spec, twin, guardrailPolicy, playbooks, rollouts };
}

/** Runs a prepared simulation to the end. Deterministic for a given spec: a resumed run replays to the same state. */
export async function runSimulation(prepared: PreparedSimulation, deps: SimulationDeps = {}): Promise<SimulationReport> {
  const started = performance.now();
  const { spec, twin, guardrailPolicy } = prepared;
  const planners = deps.planners ?? buildPlanners(spec.policy, guardrailPolicy, prepared.playbooks, twin.rollouts);
  const { policies, analyzers } = planners;
  const scheduled = prepared.rollouts ?? [];
  if (scheduled.length > 0 && !planners.rollout) throw new Error('this run has --rollout but its planners have no RolloutPlanner');
  const rollouts = planners.rollout ? new SimulatedRollouts(scheduled, planners.rollout, twin.time) : undefined;
  // Deployment risk learned from the other runs in the store; it raises a risky rollout's start to high.
  const risk = await RunDeploymentRisk.start(deps.store?.journal, twin.time, deps.runId ?? null);
  const guardrails = new Guardrails(guardrailPolicy, { riskRaisers: [risk.risk] });
  const tally = new ActionTally();
  const replaying = (at: number): boolean => deps.journaledUntil !== undefined && at <= deps.journaledUntil;

  const approvals = simulationApprovals(guardrailPolicy, spec, deps, replaying);
  // The run's latest state, for the live overview of `autonomic serve` (rate-limited: a week simulates in seconds).
  const state = deps.store && deps.runId
    ? new StateRecorder({ sink: new LatestStateStore(deps.store.db), runId: deps.runId, objectives: scenarioObjectives() })
    : undefined;
  const controller = new Controller({
    source: twin,
    provider: twin,
    policies,
    analyzers,
    guardrails,
    approvals,
    journal: deps.store?.journal,
    mode: spec.mode,
    runId: deps.runId ?? null,
    suppressJournal: replaying,
    state,
  });

  const total = spec.days * 86400;
  const hour = 3600;
  const checkpointEvery = deps.checkpointSeconds ?? hour;
  const start = twin.time;
  let denied = 0, clamped = 0, queued = 0, ticks = 0;
  const remediation = { detections: 0, recoveries: 0, failedVerifications: 0, escalations: 0 };
  const verification = { judged: 0, improved: 0, worse: 0, undone: 0 };
  const tickMs: number[] = [];
  const p99s: number[] = [];
  let nextProgress = hour;
  let nextCheckpoint = checkpointEvery;

  const progress = (done: number, s: TwinStats): SimulationProgress => ({
    doneSeconds: done, totalSeconds: total, costDollars: s.costDollars, sloViolationMinutes: s.sloViolationSeconds / 60, actions: tally.actions,
  });

  for (let done = 0; done < total - 1e-9; ) {
    const dt = Math.min(spec.tickSeconds, total - done);
    twin.advance(dt);
    done += dt;
    rollouts?.startDue(twin.time);
    const r = await controller.tick();
    risk.observe(r.at, r.notes);
    ticks++;
    tickMs.push(r.durationMs);
    denied += r.denied;
    clamped += r.clamped;
    queued += r.queued;
    for (const d of r.decisions) if (d.outcome?.ok) tally.record(d.verdict.action, r.at);
    for (const n of r.notes) {
      if (n.kind === 'detection') remediation.detections++;
      else if (n.kind === 'recovery') remediation.recoveries++;
      else if (n.kind === 'escalation') remediation.escalations++;
      else if (n.kind === 'verification' && n.payload.passed === false) remediation.failedVerifications++;
      else if (n.kind === 'action-verification' && n.payload.verdict !== 'inconclusive') {
        verification.judged++;
        if (n.payload.verdict === 'improved') verification.improved++;
        else if (n.payload.verdict === 'worse') verification.worse++;
        if (n.payload.rolledBack === true) verification.undone++;
      }
    }
    await deps.onTick?.(r);
    for (const svc of r.snapshot.services) p99s.push(svc.latencyP99Ms);
    if (done >= nextProgress || done >= total - 1e-9) {
      nextProgress += hour;
      deps.onProgress?.(progress(done, twin.stats()));
    }
    if (deps.onCheckpoint && done >= nextCheckpoint) {
      nextCheckpoint += checkpointEvery;
      await deps.onCheckpoint(start + done, progress(done, twin.stats()));
    }
  }

  await state?.flush();
  const s = twin.stats();
  return {
    policy: spec.policy,
    days: spec.days,
    seed: spec.seed,
    mode: spec.mode,
    costDollars: round(s.costDollars, 2),
    sloViolationMinutes: round(s.sloViolationSeconds / 60, 1),
    p99MeanMs: round(s.meanP99Ms, 1),
    p99OfP99Ms: round(quantile(p99s, 0.99), 1),
    actions: tally.actions,
    flaps: tally.flaps,
    denied,
    clamped,
    queuedForApproval: queued,
    offered: Math.round(s.offered),
    dropped: Math.round(s.dropped),
    failed: Math.round(s.failed),
    errorPct: round(s.offered > 0 ? (100 * (s.dropped + s.failed)) / s.offered : 0, 3),
    nodeHours: round(s.nodeSeconds / 3600, 1),
    ticks,
    remediation,
    verification,
    rollouts: rollouts?.outcomes() ?? [],
    tickMsP50: round(quantile(tickMs, 0.5), 3),
    wallSeconds: round((performance.now() - started) / 1000, 2),
  };
}

/**
 * Approvals of a simulation: in the store (so `autonomic approvals list` shows them) once the run is live; in
 * memory and unjournaled while a resumed run replays ticks the journal already holds. On the first live tick of a
 * resumed run, approvals the replay has waiting are handed back to the rows the interrupted process queued (their
 * ids are in the journal), so a resource is never queued twice and a decision a person took meanwhile counts.
 */
function simulationApprovals(policy: GuardrailPolicy, spec: SimulationSpec, deps: SimulationDeps, replaying: (at: number) => boolean): ApprovalSink {
  const common = { expirySeconds: policy.approvals.expirySeconds, simulatedOperatorSeconds: spec.approveAfterSeconds ?? undefined, runId: deps.runId ?? null };
  const store = deps.store;
  // What the replay flow still does after the hand-over (approvals it could not hand back) is journaled as usual.
  const afterReplay: DecisionSink | undefined = store && {
    appendBatch: (entries) => store.journal.appendBatch(entries.filter((e) => !replaying(e.at))),
  };
  const replay = new ApprovalFlow({ ...common, repo: new MemoryApprovalRepository(), journal: afterReplay });
  const live = new ApprovalFlow({ ...common, repo: store?.approvals ?? new MemoryApprovalRepository(), journal: store?.journal });
  const replayIds = new Set<string>();
  let handedOver = deps.journaledUntil === undefined;
  const handOver = async (): Promise<void> => {
    handedOver = true;
    if (!store || !deps.runId) return;
    const waiting = replay.waitingApprovals();
    if (waiting.length === 0) return;
    const queued = await queuedApprovalIds(store, deps.runId);
    const wall = Date.now() / 1000;
    for (const w of waiting) {
      const id = queued.get(`${w.queuedAt}|${w.target}`);
      const row = id === undefined ? undefined : await store.approvals.get(id);
      if (!row || row.status === 'executed' || (row.status === 'pending' && wall >= row.expiresAt)) continue;
      replay.release(w.id);
      replayIds.delete(w.id);
      live.adopt(row.id, w.target, w.queuedAt);
    }
  };
  return {
    async enqueue(verdict, proposal, now) {
      if (!replaying(now)) {
        if (!handedOver) await handOver();
        const waitingInReplay = replay.waitingFor(actionTarget(verdict.action));
        if (waitingInReplay !== undefined) return { id: waitingInReplay, duplicate: true };
        return live.enqueue(verdict, proposal, now);
      }
      const r = await replay.enqueue(verdict, proposal, now);
      replayIds.add(r.id);
      return r;
    },
    async approved(now): Promise<ApprovedAction[]> {
      if (!handedOver && !replaying(now)) await handOver();
      return [...(await replay.approved(now)), ...(await live.approved(now))];
    },
    async settle(id, executed) {
      return replayIds.delete(id) ? replay.settle(id, executed) : live.settle(id, executed);
    },
  };
}

/** The shop's SLOs (and the twin's error-rate objective for any other service), for the overview's status badges. */
function scenarioObjectives(): Record<string, { p99Ms: number; errorRate: number }> {
  return { '*': { p99Ms: 200, errorRate: SCENARIO_SLO_ERROR_RATE }, ...Object.fromEntries(SHOP.map((s) => [s.name, { p99Ms: s.sloP99Ms, errorRate: SCENARIO_SLO_ERROR_RATE }])) };
}

/** `at|target` → id of each approval the run queued, from its journal's decision entries. */
async function queuedApprovalIds(store: Store, runId: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const page = 1000;
  for (let afterSeq = 0; ; ) {
    const entries = await store.journal.list({ runId, kind: 'decision', afterSeq, limit: page });
    for (const e of entries) {
      const p = e.payload;
      if (p === null || typeof p !== 'object' || Array.isArray(p) || p.verdict !== 'needs-approval' || typeof p.approvalId !== 'string') continue;
      const action = ActionSchema.safeParse(p.action);
      if (action.success) out.set(`${e.at}|${actionTarget(action.data)}`, p.approvalId);
    }
    if (entries.length < page) return out;
    afterSeq = entries[entries.length - 1].seq;
  }
}

function quantile(xs: number[], q: number): number {
  if (xs.length === 0) return 0;
  const s = Float64Array.from(xs).sort();
  return s[Math.min(s.length - 1, Math.floor(q * (s.length - 1)))];
}

const round = (x: number, digits: number): number => Math.round(x * 10 ** digits) / 10 ** digits;
