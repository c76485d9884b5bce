/**
 * Self-healing benchmark (issue 4). Injects every fault kind of the twin many times — seeded, on different services,
 * nodes and times of day — into the shop scenario run by the product's `autonomic` planners (remediation playbooks
 * from policies/playbooks, predictive scaling, cluster autoscaler) under the default guardrail policy with nobody
 * answering the approval queue, plus control runs with no fault. Per run:
 *
 *   MTTD   fault start → the first finding (fault or anomaly) on the faulty service or node.
 *   MTTR   fault start → the start of the first minute in which the fault's mechanism is gone (ground truth from the
 *          twin: no crash-looping or leaking pod, no bad revision; for node faults the node drained or gone and every
 *          replica Ready, nothing Pending) and every affected service meets its SLO (p99 and error rate) on every
 *          tick. A slowed dependency cannot be removed, only compensated: there the SLO alone counts.
 *   auto-resolved  recovered within DEADLINE without an escalation or a human-approved action before the recovery
 *          (and, for a dependency slowdown, before the dependency recovered by itself).
 *   wrong actions  remediation actions (executed or queued for approval) on a resource the fault did not affect;
 *          every remediation action of a control run is wrong.
 *   policy violations  executed actions (any planner) that break the guardrail policy, re-checked independently
 *          (bench/lib/policy-audit.ts).
 *
 * `npm run bench -- heal [--json] [--runs N] [--seed S] [--guardrails FILE]` (`--data DIR` is accepted like every
 * suite and recorded; no data files are read: the twin generates the load.) `--provider local` runs the real-process
 * variant instead (bench/heal-local/run.ts).
 */
import { UserError } from '../src/core/errors.js';
import { actionTarget } from '../src/core/action.js';
import { Rng } from '../src/core/rng.js';
import { TwinCluster } from '../src/execute/twin/cluster.js';
import { FAULT_KINDS, type FaultKind, type FaultSpec } from '../src/execute/twin/faults.js';
import { defaultPolicy, loadPolicyFile, type GuardrailPolicy } from '../src/govern/policy.js';
import { buildPlanners, runSimulation, SimulationSpecSchema } from '../src/loop/simulation.js';
import { SCENARIO_NODE_TYPE, SCENARIO_NODES, SCENARIO_SLO_ERROR_RATE, SHOP, scenarioTwin } from '../src/loop/scenario.js';
import { builtinPlaybooks } from '../src/plan/remediation/loader.js';
import type { TickResult } from '../src/loop/controller.js';
import { PolicyAudit } from './lib/policy-audit.js';
import { progress, type BenchArgs, type BenchResult, type Row } from './lib/report.js';

export const DEFAULT_RUNS = 100;
const TICK = 15;
/** The fault starts this long into the run (uniform), after the planners have settled on the load. */
const WARMUP = [20 * 60, 40 * 60] as const;
/** Observed for this long after the fault starts. */
const OBSERVE = 45 * 60;
/**
 * Auto-resolved only if recovered within this long: long enough for the fallback memory-leak playbook, which waits
 * for the second OOM kill (~31 min) when the memory trend has no per-pod memory to go on.
 */
export const DEADLINE = 40 * 60;
const SUSTAIN = 60;
const SPOT_NODES = 2;
/** A dependency slowdown lasts this long and slows the service to this share of its speed (uniform). */
const SLOWDOWN_SECONDS = [20 * 60, 40 * 60] as const;
const SLOWDOWN_SEVERITY = [0.5, 0.75] as const;
const GOALS = { mttd_s: 30, mttr_s: 120, auto_resolved_pct: 95, wrong_action_pct: 2, policy_violations: 0 } as const;

type Kind = FaultKind | 'control';

interface RunResult {
  kind: Kind;
  seed: number;
  target: string;
  faultAt: number;
  mttd: number | null;
  mttr: number | null;
  autoResolved: boolean;
  impact: boolean;
  actions: number;
  wrong: number;
  escalations: number;
  approvalsRequested: number;
  violations: string[];
  falseFindings: number;
}

const uniform = (rng: Rng, [lo, hi]: readonly [number, number]): number => lo + (hi - lo) * rng.next();

/** One seeded run: the fault (or none) on a twin of the shop scenario, observed tick by tick. */
export async function runOne(kind: Kind, seed: number, policy: GuardrailPolicy = defaultPolicy()): Promise<RunResult> {
  const rng = new Rng(seed);
  const base = scenarioTwin({ kind: 'generator', name: 'diurnal' }, seed);
  // Any time of any day of the week, so the fault meets low and high load.
  const startTime = 1704067200 + rng.int(7) * 86400 + rng.int(96) * 900;
  // Spot nodes first: the twin packs the starting pods onto the first nodes, and an empty node's loss tests nothing.
  const twin = new TwinCluster({
    ...base,
    startTime,
    nodePools: [{ instanceType: SCENARIO_NODE_TYPE, count: SPOT_NODES, spot: true }, { instanceType: SCENARIO_NODE_TYPE, count: SCENARIO_NODES, spot: false }],
  });
  const faultAt = Math.round(uniform(rng, WARMUP));
  const nodeFault = kind === 'node-crash' || kind === 'spot-reclaim';
  let spec: FaultSpec | undefined;
  let target = '-';
  if (kind !== 'control') {
    spec = { kind, at: faultAt };
    if (!nodeFault) spec.target = target = SHOP[rng.int(SHOP.length)].name;
    if (kind === 'dependency-slowdown') {
      spec.duration = Math.round(uniform(rng, SLOWDOWN_SECONDS));
      spec.severity = Math.round(uniform(rng, SLOWDOWN_SEVERITY) * 100) / 100;
    }
    // A node fault is injected on the last tick before it starts, on a node that runs pods then (chosen below).
    if (!nodeFault) twin.inject(spec);
  }
  const nodePick = rng.next();
  const affected = new Set<string>(kind === 'control' || nodeFault ? [] : [`service/${target}`]);
  const slo = new Map(SHOP.map((s) => [s.name, s.sloP99Ms]));
  const audit = new PolicyAudit(policy);
  const t0 = twin.time;
  const fault = t0 + faultAt;

  const series: { t: number; ok: boolean }[] = [];
  let mttd: number | null = null;
  let actions = 0, wrong = 0, escalations = 0, approvals = 0, falseFindings = 0;
  let firstEscalation = Infinity, firstHuman = Infinity, impact = false;

  const onTick = (r: TickResult): void => {
    audit.tick(r);
    const t = r.at;
    if (spec && nodeFault && t < fault && t + TICK >= fault) {
      const used = r.snapshot.nodes.filter((n) => n.ready && n.pods > 0 && (kind === 'node-crash' || n.spot));
      const pool = used.length > 0 ? used : r.snapshot.nodes.filter((n) => n.ready && (kind === 'node-crash' || n.spot));
      target = pool[Math.floor(nodePick * pool.length)].name;
      twin.inject({ ...spec, target });
      affected.add(`node/${target}`);
      // The services with a pod on the node when it fails are affected by it.
      for (const s of SHOP) if (twin.podsOf(s.name).some((p) => p.node === target)) affected.add(`service/${s.name}`);
    }
    const detectTarget = nodeFault ? `node/${target}` : `service/${target}`;
    for (const f of r.findings) {
      if (f.severity === 'info') continue;
      if (f.target === detectTarget && t >= fault) mttd ??= t - fault;
      else if (!affected.has(f.target)) falseFindings++;
    }
    for (const d of r.decisions) {
      if (d.proposal.source.startsWith('approval:') && d.outcome?.ok) firstHuman = Math.min(firstHuman, t);
      if (!d.proposal.source.startsWith('remediation/')) continue;
      const counted = d.outcome?.ok === true || (d.verdict.outcome === 'needs-approval' && !d.duplicate);
      if (!counted) continue;
      actions++;
      if (d.verdict.outcome === 'needs-approval') approvals++;
      if (!affected.has(actionTarget(d.verdict.action))) wrong++;
    }
    for (const n of r.notes) {
      if (n.kind !== 'escalation') continue;
      escalations++;
      firstEscalation = Math.min(firstEscalation, t);
    }
    if (kind === 'control' || t < fault) return;
    const services = r.snapshot.services.filter((s) => affected.has(`service/${s.name}`));
    const healthy = services.every((s) => s.latencyP99Ms <= (slo.get(s.name) ?? 200) && s.errorRate <= SCENARIO_SLO_ERROR_RATE);
    if (!healthy) impact = true;
    series.push({ t, ok: healthy && neutralised(kind, target, twin, r, t - fault) });
  };

  const total = faultAt + OBSERVE;
  const simSpec = SimulationSpecSchema.parse({ policy: 'autonomic', days: total / 86400, seed, load: { kind: 'generator', name: 'diurnal' }, tickSeconds: TICK });
  await runSimulation({ spec: simSpec, twin, guardrailPolicy: policy }, { planners: buildPlanners('autonomic', policy, builtinPlaybooks()), onTick });

  let mttr: number | null = null;
  for (let i = 0; i < series.length && mttr === null; i++) {
    let j = i;
    while (j < series.length && series[j].ok && series[j].t - series[i].t < SUSTAIN) j++;
    if (j < series.length && series[j].ok && series[j].t - series[i].t >= SUSTAIN) mttr = series[i].t - fault;
  }
  const recoveredAt = mttr === null ? Infinity : fault + mttr;
  const endsBySelf = spec?.duration !== undefined ? fault + spec.duration : Infinity;
  const autoResolved = mttr !== null && mttr <= DEADLINE && firstEscalation > recoveredAt && firstHuman > recoveredAt && recoveredAt < endsBySelf;
  return {
    kind, seed, target, faultAt, mttd, mttr, autoResolved, impact, actions, wrong, escalations,
    approvalsRequested: approvals, violations: audit.violations, falseFindings,
  };
}

/** The fault's mechanism is gone (twin ground truth), `since` seconds after it started. */
function neutralised(kind: Kind, target: string, twin: TwinCluster, r: TickResult, since: number): boolean {
  const fx = twin.faultEffects();
  switch (kind) {
    case 'crash-loop': return !fx.crashLooping.includes(target);
    case 'memory-leak': return !fx.leaking.includes(target);
    case 'bad-rollout': return !fx.badRevision.includes(target);
    case 'dependency-slowdown': return true;
    case 'node-crash':
    case 'spot-reclaim': {
      const node = r.snapshot.nodes.find((n) => n.name === target);
      const empty = !node || node.pods === 0;
      // A reclaimed node that was not drained still serves until it is terminated: the fault is not over before.
      const over = kind === 'node-crash' || empty || since >= 120;
      return over && empty && r.snapshot.services.every((s) => s.readyReplicas >= s.replicas && s.pendingReplicas === 0);
    }
    case 'control': return true;
  }
}

function positiveInt(args: BenchArgs, name: string, fallback: number, max: number): number {
  const v = args.flags.get(name);
  if (v === undefined) return fallback;
  const n = typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : NaN;
  if (!(Number.isSafeInteger(n) && n >= 1 && n <= max)) throw new UserError(`expected a whole number from 1 to ${max}, got ${v === true ? 'nothing' : `'${v}'`}`, `--${name}`);
  return n;
}

function seedFlag(args: BenchArgs): number {
  const v = args.flags.get('seed');
  if (v === undefined) return 1;
  const n = typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : NaN;
  if (!(Number.isSafeInteger(n) && n <= 2 ** 31 - 1)) throw new UserError(`expected a whole number from 0 to 2147483647, got ${v === true ? 'nothing' : `'${v}'`}`, '--seed');
  return n;
}

const mean = (xs: number[]): number | null => (xs.length > 0 ? round(xs.reduce((a, b) => a + b, 0) / xs.length, 1) : null);
function quantile(xs: number[], q: number): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)];
}
const round = (x: number, d: number): number => Math.round(x * 10 ** d) / 10 ** d;
const pct = (n: number, d: number): number => (d > 0 ? round((100 * n) / d, 1) : 0);

export async function run(args: BenchArgs): Promise<BenchResult> {
  // `--provider local`: the same question on real processes and a real Prometheus, in real seconds.
  const provider = args.flags.get('provider');
  if (provider === 'local') return (await import('./heal-local/run.js')).run(args);
  if (provider !== undefined && provider !== 'twin') throw new UserError(`expected twin (default) or local, got ${provider === true ? 'nothing' : `'${provider}'`}`, '--provider');
  const started = performance.now();
  const runs = positiveInt(args, 'runs', DEFAULT_RUNS, 10_000);
  const seed = seedFlag(args);
  const g = args.flags.get('guardrails');
  if (g === true) throw new UserError('needs a guardrail policy file', '--guardrails');
  const policy = g === undefined ? defaultPolicy() : loadPolicyFile(g);
  const kinds: Kind[] = [...FAULT_KINDS, 'control'];
  const results: RunResult[] = [];
  // Per kind and run its own seed, so one kind's runs do not shift when another kind is added.
  const master = new Rng(seed);
  const seeds = kinds.map(() => Array.from({ length: runs }, () => master.int(2 ** 31 - 1)));
  for (const [k, kind] of kinds.entries()) {
    for (let i = 0; i < runs; i++) {
      results.push(await runOne(kind, seeds[k][i], policy));
      progress(`[${results.length}/${kinds.length * runs}] ${kind} run ${i + 1}/${runs}`);
    }
  }
  if (process.stderr.isTTY) process.stderr.write('\n');

  const rows: Row[] = [];
  const faulted = results.filter((r) => r.kind !== 'control');
  const rowOf = (name: string, rs: RunResult[]): Row => {
    const detected = rs.filter((r) => r.mttd !== null).map((r) => r.mttd as number);
    const recovered = rs.filter((r) => r.mttr !== null).map((r) => r.mttr as number);
    const control = name === 'control';
    return {
      fault: name,
      runs: rs.length,
      impact: control ? '-' : rs.filter((r) => r.impact).length,
      detected: control ? '-' : detected.length,
      mttd_p50_s: control ? '-' : (quantile(detected, 0.5) ?? '-'),
      mttd_p90_s: control ? '-' : (quantile(detected, 0.9) ?? '-'),
      mttr_p50_s: control ? '-' : (quantile(recovered, 0.5) ?? '-'),
      mttr_p90_s: control ? '-' : (quantile(recovered, 0.9) ?? '-'),
      // Only the runs in which the fault broke the SLO: a fault nobody noticed recovers "at once" and flatters MTTR.
      mttr_impact_p50_s: control ? '-' : (quantile(rs.filter((r) => r.impact && r.mttr !== null).map((r) => r.mttr as number), 0.5) ?? '-'),
      auto_resolved_pct: control ? '-' : pct(rs.filter((r) => r.autoResolved).length, rs.length),
      actions: rs.reduce((n, r) => n + r.actions, 0),
      wrong: rs.reduce((n, r) => n + r.wrong, 0),
      approvals: rs.reduce((n, r) => n + r.approvalsRequested, 0),
      escalations: rs.reduce((n, r) => n + r.escalations, 0),
      violations: rs.reduce((n, r) => n + r.violations.length, 0),
      false_findings: rs.reduce((n, r) => n + r.falseFindings, 0),
    };
  };
  for (const kind of kinds) rows.push(rowOf(kind, results.filter((r) => r.kind === kind)));
  rows.push(rowOf('all faults', faulted));

  const allActions = results.reduce((n, r) => n + r.actions, 0);
  const allWrong = results.reduce((n, r) => n + r.wrong, 0);
  const detected = faulted.filter((r) => r.mttd !== null).map((r) => r.mttd as number);
  const recovered = faulted.filter((r) => r.mttr !== null).map((r) => r.mttr as number);
  const summary = {
    mttd_s: mean(detected),
    mttr_s: mean(recovered),
    auto_resolved_pct: pct(faulted.filter((r) => r.autoResolved).length, faulted.length),
    wrong_action_pct: pct(allWrong, allActions),
    escalations: results.reduce((n, r) => n + r.escalations, 0),
    policy_violations: results.reduce((n, r) => n + r.violations.length, 0),
  };
  const perKind = Object.fromEntries(FAULT_KINDS.map((k) => {
    const rs = results.filter((r) => r.kind === k);
    const d = rs.filter((r) => r.mttd !== null).map((r) => r.mttd as number);
    const m = rs.filter((r) => r.mttr !== null).map((r) => r.mttr as number);
    const mi = rs.filter((r) => r.impact && r.mttr !== null).map((r) => r.mttr as number);
    return [k, {
      mttd_s: mean(d), mttr_s: mean(m), mttr_impacted_s: mean(mi), detected_pct: pct(d.length, rs.length), recovered_pct: pct(m.length, rs.length),
      impacted_pct: pct(rs.filter((r) => r.impact).length, rs.length), auto_resolved_pct: pct(rs.filter((r) => r.autoResolved).length, rs.length),
      goals_met: { mttd: mean(d) !== null && (mean(d) as number) <= GOALS.mttd_s, mttr: mean(m) !== null && (mean(m) as number) <= GOALS.mttr_s },
    }];
  }));
  return {
    suite: 'heal',
    data: args.data,
    rows,
    summary: {
      ...summary,
      goals: {
        mttd_le_30s: summary.mttd_s !== null && summary.mttd_s <= GOALS.mttd_s,
        mttr_le_2min: summary.mttr_s !== null && summary.mttr_s <= GOALS.mttr_s,
        auto_resolved_ge_95pct: summary.auto_resolved_pct >= GOALS.auto_resolved_pct,
        wrong_actions_le_2pct: summary.wrong_action_pct <= GOALS.wrong_action_pct,
        zero_policy_violations: summary.policy_violations === GOALS.policy_violations,
      },
      per_kind: perKind,
      mttd_p50_s: quantile(detected, 0.5),
      mttr_p50_s: quantile(recovered, 0.5),
      mttr_impacted_s: mean(faulted.filter((r) => r.impact && r.mttr !== null).map((r) => r.mttr as number)),
      impacted_pct: pct(faulted.filter((r) => r.impact).length, faulted.length),
      detected_pct: pct(detected.length, faulted.length),
      recovered_pct: pct(recovered.length, faulted.length),
      runs_per_kind: runs,
      control_runs: runs,
      control_runs_with_remediation: results.filter((r) => r.kind === 'control' && r.actions > 0).length,
      violations_sample: results.flatMap((r) => r.violations).slice(0, 5),
      seed,
      config: {
        scenario: `shop (${SHOP.map((s) => s.name).join(', ')}), diurnal load, ${SCENARIO_NODES}× ${SCENARIO_NODE_TYPE} + ${SPOT_NODES} spot, random day and time`,
        planners: 'autonomic: remediation playbooks (policies/playbooks) + predictive + cluster autoscaler, event classifier + memory trend',
        guardrails: g === undefined ? 'default policy (cordon-drain and remove-node need approval; nobody approves)' : `${g} (nobody approves)`,
        fault_start_s: WARMUP, observe_s: OBSERVE, deadline_s: DEADLINE, sustain_s: SUSTAIN, tick_s: TICK,
        slowdown: { duration_s: SLOWDOWN_SECONDS, speed_share: SLOWDOWN_SEVERITY },
        slo: Object.fromEntries(SHOP.map((s) => [s.name, { p99_ms: s.sloP99Ms, error_rate: SCENARIO_SLO_ERROR_RATE }])),
      },
      data_note: args.data === null ? 'no --data given; none is used (the twin generates the load)' : `--data ${args.data} recorded but not used: the twin generates the load`,
      wall_seconds: round((performance.now() - started) / 1000, 1),
    },
  };
}
