/**
 * Autoscaling benchmark (issue 3). Every series of a traces folder (the forecast bench's layouts and loader,
 * src/monitor/trace.ts) becomes the offered load of one service in the twin, scaled so the series' mean is
 * MEAN_RPS; the shape (peak/mean, daily cycle, bursts) is kept. Three planner sets run it under the same
 * guardrails: static (replicas for the series' peak at the target utilisation), the exact HPA + cluster
 * autoscaler, and predictive (+ predictive node pools + cluster autoscaler). Cost, SLO-violation minutes
 * (the twin's SLO: p99 > 200 ms or error rate > 0.1 %, per 5-second step), actions and flaps (direction changes
 * within 10 min) are runSimulation's report fields, the same numbers `autonomic simulate` prints.
 *
 * `npm run bench -- autoscale [--data DIR] [--json] [--series N|ID,…] [--days N] [--policies static,hpa,predictive,rl,rl-replicas] [--jobs N] [--rl-seed N]`
 *
 * `rl` (issue 8): the PPO agent (bench/rl.ts trains it, or reuses .autonomic/bench/rl-model.json) with the
 * predictive policy as its out-of-distribution fallback; its replica head sets replicas and its node head runs the
 * node pool, with a stock cluster autoscaler beside it, as in training. `rl-replicas`: its replica head only, with
 * the same node planners as `predictive` (predictive node pools fed by the fallback's forecast, never below the
 * replicas RL runs, plus the cluster autoscaler as a backstop), so that comparison is between replica decisions
 * alone. Both run only on the series RL was not trained on (bench/rl.ts rlSplit); `rl_vs_predictive_on_holdout`
 * and `rl_replicas_vs_predictive_on_holdout` compare them with predictive there.
 *
 * One global configuration for every series (no per-file settings): results are also measured on series
 * nobody tuned for (the HOLDOUT set).
 */
import { availableParallelism } from 'node:os';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { z } from 'zod';
import { UserError } from '../src/core/errors.js';
import { CATALOGUE } from '../src/execute/twin/catalogue.js';
import { TwinCluster } from '../src/execute/twin/cluster.js';
import { GuardrailPolicySchema, type GuardrailPolicy } from '../src/govern/policy.js';
import { runSimulation, SimulationSpecSchema, type SimulationReport } from '../src/loop/simulation.js';
import { loadTraceFolder, type TraceSeries } from '../src/monitor/trace.js';
import type { ScalingPolicy } from '../src/plan/scaling/policy.js';
import { StaticPolicy } from '../src/plan/scaling/static.js';
import { HpaPolicy } from '../src/plan/scaling/hpa.js';
import { ClusterAutoscalerPolicy } from '../src/plan/scaling/cluster-autoscaler.js';
import { PredictivePolicy, type PredictivePolicyConfigInput } from '../src/plan/scaling/predictive.js';
import { PredictiveNodePolicy } from '../src/plan/scaling/predictive-nodes.js';
import { progress, type BenchArgs, type BenchResult, type Row } from './lib/report.js';
import { RlPolicy } from '../src/plan/rl/policy.js';
import { loadModel, type RlModel } from '../src/plan/rl/model.js';
import { benchModel, rlSplit, RL_MODEL_PATH } from './rl.js';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '..');

/** The service every series drives: a web-like pod (50 req/s at 500m CPU), the twin's default SLO. */
export const BENCH_SERVICE = {
  name: 'svc',
  cpuRequestMillis: 500,
  memoryRequestMiB: 512,
  serviceRatePerReplica: 50,
  sloP99Ms: 200,
  sloErrorRate: 0.001,
} as const;
/** The series' mean maps to this request rate: ~25 replicas at the mean, a fleet of nodes at the peaks. */
export const MEAN_RPS = 1000;
/** Static sizing: the peak at the HPA's default target (80 %), as a team sizing by hand for the worst day would. */
export const STATIC_TARGET_UTILIZATION = 0.8;
export const NODE_TYPE = 'm5.xlarge';
export const MIN_REPLICAS = 2;
export const MAX_REPLICAS = 2000;
export const MAX_DAYS = 14;
export const POLICIES = ['static', 'hpa', 'predictive', 'rl', 'rl-replicas'] as const;
const isRl = (p: string): boolean => p === 'rl' || p === 'rl-replicas';
export type BenchPolicy = (typeof POLICIES)[number];

/**
 * The product's default guardrails with bounds wide enough for the peaks, and node removal as a low-risk action
 * so the cluster autoscaler removes nodes by itself, as a stock cluster autoscaler does (no simulated on-call).
 */
export function benchGuardrails(): GuardrailPolicy {
  return GuardrailPolicySchema.parse({
    services: { '*': { minReplicas: 1, maxReplicas: MAX_REPLICAS } },
    cluster: { minNodes: 1, maxNodes: 1000 },
    riskTiers: { 'remove-node': 'low' },
    // Loose enough that they never bind a stock HPA (its own behaviour allows +100 % or 4 pods per 15 s): the
    // baseline stays the exact HPA, not an HPA throttled by our guardrails.
    rateLimits: { maxActionsPerWindow: BENCH_RATE_LIMIT.maxActions, windowSeconds: BENCH_RATE_LIMIT.windowSeconds },
    blastRadius: { maxReplicaChangeShare: 1, minAbsoluteChange: 4 },
  });
}

/** The guardrails' rate limit in this bench; the predictive planner is told it, as it is in the product. */
export const BENCH_RATE_LIMIT = { maxActions: 1000, windowSeconds: 600 } as const;

const nodeType = () => {
  const t = CATALOGUE.get(NODE_TYPE);
  if (!t) throw new Error(`catalogue has no ${NODE_TYPE}`);
  return t;
};

/** Pods of the bench service one node holds (cpu, memory and the pod limit). */
export function podsPerNode(): number {
  const t = nodeType();
  return Math.min(Math.floor(t.cpuAllocatableMillis / BENCH_SERVICE.cpuRequestMillis), Math.floor(t.memoryAllocatableMiB / BENCH_SERVICE.memoryRequestMiB), t.maxPods);
}

/** `predictive` overrides the predictive policy's defaults (experiments only; the bench itself always runs the defaults). */
export function planners(policy: BenchPolicy, staticReplicas: number, g: GuardrailPolicy, predictive: PredictivePolicyConfigInput = {}): ScalingPolicy[] {
  const t = nodeType();
  const ca = (scaleDownEnabled = true) =>
    new ClusterAutoscalerPolicy({
      node: { instanceType: t.name, cpuAllocatableMillis: t.cpuAllocatableMillis, memoryAllocatableMiB: t.memoryAllocatableMiB },
      minNodes: Math.max(1, g.cluster.minNodes),
      maxNodes: g.cluster.maxNodes,
      scaleDownEnabled,
    });
  const predictivePolicy = () => new PredictivePolicy({ minReplicas: MIN_REPLICAS, maxReplicas: MAX_REPLICAS, actionBudget: { ...BENCH_RATE_LIMIT }, ...predictive });
  const predictiveNodes = (outlook: PredictivePolicy) => {
    const { maxNodes, allowedInstanceTypes, allowSpot } = g.cluster;
    return new PredictiveNodePolicy(outlook, { instanceTypes: [t.name], minNodes: Math.max(1, g.cluster.minNodes), maxNodes, allowedInstanceTypes, allowSpot });
  };
  switch (policy) {
    case 'static':
      return [new StaticPolicy({ [BENCH_SERVICE.name]: staticReplicas })];
    case 'hpa':
      return [new HpaPolicy({ default: { minReplicas: MIN_REPLICAS, maxReplicas: MAX_REPLICAS } }), ca()];
    case 'predictive': {
      const replicas = predictivePolicy();
      // The predictive node planner owns node removal; the cluster autoscaler stays as the backstop for Pending pods.
      return [replicas, predictiveNodes(replicas), ca(false)];
    }
    case 'rl-replicas': {
      const fallback = predictivePolicy();
      // The same node planner as the predictive policy (fed by the fallback's forecast, never below the replicas
      // RL runs), so the comparison is between replica decisions, not between node managers.
      return [new RlPolicy(rlModel(), fallback, { minReplicas: MIN_REPLICAS, maxReplicas: MAX_REPLICAS, nodeHead: false }), predictiveNodes(fallback), ca(false)];
    }
    case 'rl':
      // The whole agent: its node head runs the pool, with the cluster autoscaler as the backstop for Pending pods, as in training.
      return [new RlPolicy(rlModel(), predictivePolicy(), { minReplicas: MIN_REPLICAS, maxReplicas: MAX_REPLICAS, cluster: g.cluster }), ca(false)];
  }
}

let cachedRlModel: RlModel | null = null;
/** The model bench/rl.ts saved (workers read it from disk; run() makes sure it exists first). */
function rlModel(): RlModel {
  cachedRlModel ??= loadModel(RL_MODEL_PATH);
  return cachedRlModel;
}

interface Job {
  seriesIndex: number;
  id: string;
  policy: BenchPolicy;
  values: number[];
  start: number | null;
  days: number;
}

const JobSchema = z.object({
  seriesIndex: z.number().int(),
  id: z.string(),
  policy: z.enum(POLICIES),
  values: z.array(z.number()),
  start: z.number().nullable(),
  days: z.number().positive(),
});

interface JobResult {
  seriesIndex: number;
  id: string;
  policy: BenchPolicy;
  staticReplicas: number;
  report: SimulationReport;
}

/** One series under one policy, start to end: deterministic (seed 1), no store. */
export async function runJob(job: Job, predictive: PredictivePolicyConfigInput = {}): Promise<JobResult> {
  const y = job.values;
  const mean = y.reduce((a, b) => a + b, 0) / y.length;
  if (!(mean > 0)) throw new UserError('series is all zero: nothing to scale to a load', job.id);
  const scale = MEAN_RPS / mean;
  const peak = Math.max(...y) * scale;
  const mu = BENCH_SERVICE.serviceRatePerReplica;
  const staticReplicas = Math.max(MIN_REPLICAS, Math.ceil(peak / (mu * STATIC_TARGET_UTILIZATION)));
  // Autoscaled runs start where the first value needs them; static starts at its size. Nodes fit the start.
  const replicas = job.policy === 'static' ? staticReplicas : Math.max(MIN_REPLICAS, Math.ceil((y[0] * scale) / (mu * STATIC_TARGET_UTILIZATION)));
  const nodes = Math.max(1, Math.ceil(replicas / podsPerNode()));
  const startTime = job.start !== null && job.start > 0 ? Math.floor(job.start) : 1704067200;
  const twin = new TwinCluster({
    seed: 1,
    startTime,
    nodePools: [{ instanceType: NODE_TYPE, count: nodes, spot: false }],
    services: [
      {
        ...BENCH_SERVICE,
        replicas,
        load: { trace: y.map((value, i) => ({ t: i * 300, value })), scale, repeat: false },
      },
    ],
  });
  const g = benchGuardrails();
  const spec = SimulationSpecSchema.parse({ policy: job.policy === 'predictive' || isRl(job.policy) ? 'autonomic' : job.policy, days: job.days, load: { kind: 'trace', file: job.id } });
  const report = await runSimulation({ spec, twin, guardrailPolicy: g }, { planners: { policies: planners(job.policy, staticReplicas, g, predictive), analyzers: [] } });
  return { seriesIndex: job.seriesIndex, id: job.id, policy: job.policy, staticReplicas, report };
}

function selectSeries(all: TraceSeries[], flag: string | true | undefined): TraceSeries[] {
  if (flag === undefined) return all;
  if (flag === true) throw new UserError('needs a number or a comma-separated list of series ids', '--series');
  if (/^\d+$/.test(flag)) {
    const n = Number(flag);
    if (n < 1) throw new UserError('must be at least 1', '--series');
    return all.slice(0, n);
  }
  const wanted = flag.split(',').map((s) => s.trim()).filter(Boolean);
  const out = all.filter((s) => wanted.some((w) => s.id.includes(w)));
  if (out.length === 0) throw new UserError(`no series matches '${flag}' (have: ${all.map((s) => s.id).join(', ')})`, '--series');
  return out;
}

function positiveFlag(args: BenchArgs, name: string): number | undefined {
  const v = args.flags.get(name);
  if (v === undefined) return undefined;
  const n = typeof v === 'string' ? Number(v) : NaN;
  if (!(Number.isFinite(n) && n > 0)) throw new UserError(`expects a positive number, got '${String(v)}'`, `--${name}`);
  return n;
}

/** Runs jobs on `jobs` worker threads (each simulation is single-threaded and CPU-bound). */
async function runAll(work: Job[], jobs: number, onDone: (r: JobResult, done: number) => void): Promise<JobResult[]> {
  const results: JobResult[] = [];
  if (jobs <= 1) {
    for (const j of work) {
      const r = await runJob(j);
      results.push(r);
      onDone(r, results.length);
    }
    return results;
  }
  // Longest first, so the last job to start is a short one.
  const queue = [...work].sort((a, b) => b.days - a.days);
  await Promise.all(
    Array.from({ length: Math.min(jobs, queue.length) }, () =>
      new Promise<void>((resolve, reject) => {
        // A worker does not inherit tsx's loader hooks (nor take --import on Node 20): it registers them, then loads this file.
        const boot = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((m) => { m.register(); return import(${JSON.stringify(import.meta.url)}); })`;
        const w = new Worker(boot, { eval: true, workerData: { worker: true } });
        const next = (): void => {
          const j = queue.shift();
          if (j) w.postMessage(j);
          else void w.terminate().then(() => resolve());
        };
        w.on('message', (m: { ok: true; result: JobResult } | { ok: false; error: string }) => {
          if (!m.ok) {
            void w.terminate();
            reject(new Error(m.error));
            return;
          }
          results.push(m.result);
          onDone(m.result, results.length);
          next();
        });
        w.on('error', reject);
        next();
      }),
    ),
  );
  return results;
}

if (!isMainThread && (workerData as { worker?: boolean } | null)?.worker && parentPort) {
  const port = parentPort;
  port.on('message', (msg: unknown) => {
    runJob(JobSchema.parse(msg))
      .then((result) => port.postMessage({ ok: true, result }))
      .catch((e: unknown) => port.postMessage({ ok: false, error: e instanceof Error ? (e.stack ?? e.message) : String(e) }));
  });
}

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
const round = (x: number, d: number): number => Math.round(x * 10 ** d) / 10 ** d;
const pctBetter = (ours: number, theirs: number): number => (theirs > 0 ? round((100 * (theirs - ours)) / theirs, 1) : ours === 0 ? 0 : -Infinity);

export async function run(args: BenchArgs): Promise<BenchResult> {
  const started = performance.now();
  const data = args.data ?? join(repoRoot, '..', 'shared', 'data', 'traces');
  if (!existsSync(data)) throw new UserError(`no such folder (pass --data DIR)`, data);
  const series = selectSeries(loadTraceFolder(data), args.flags.get('series'));
  const daysFlag = positiveFlag(args, 'days');
  const jobsFlag = positiveFlag(args, 'jobs');
  const jobs = Math.max(1, Math.floor(jobsFlag ?? Math.min(2, availableParallelism())));
  const pflag = args.flags.get('policies');
  const policies = typeof pflag === 'string' ? pflag.split(',').map((s) => s.trim()) : [...POLICIES];
  for (const p of policies) if (!(POLICIES as readonly string[]).includes(p)) throw new UserError(`unknown policy '${p}' (known: ${POLICIES.join(', ')})`, '--policies');

  const all = policies.some(isRl) ? loadTraceFolder(data) : [];
  const rlTrain = new Set(rlSplit(all).train.map((s) => s.id));
  // --rl-seed: the agent trained with another seed (bench rl --seeds shows how convergence varies; this, the held-out result).
  const rlSeed = positiveFlag(args, 'rl-seed') ?? 1;
  if (!Number.isInteger(rlSeed)) throw new UserError(`expects a whole number, got '${String(args.flags.get('rl-seed'))}'`, '--rl-seed');
  if (policies.some(isRl)) await benchModel(all, rlSeed);
  const work: Job[] = [];
  for (const [i, s] of series.entries()) {
    const lengthDays = (s.values.length * s.stepSeconds) / 86400;
    // Default: the series' length, capped; a longer --days would replay a flat tail, so it is capped too.
    const days = round(Math.min(daysFlag ?? MAX_DAYS, MAX_DAYS, lengthDays), 4);
    for (const p of policies) if (!(isRl(p) && rlTrain.has(s.id))) work.push({ seriesIndex: i, id: s.id, policy: p as BenchPolicy, values: Array.from(s.values), start: s.start, days });
  }
  const results = await runAll(work, jobs, (r, done) =>
    progress(`[${done}/${work.length}] ${r.id} ${r.policy}: $${r.report.costDollars.toFixed(0)}, ${r.report.sloViolationMinutes.toFixed(0)} SLO-min, ${r.report.flaps} flaps (${r.report.wallSeconds.toFixed(1)}s)`),
  );
  const order = (r: JobResult) => r.seriesIndex * 10 + policies.indexOf(r.policy);
  results.sort((a, b) => order(a) - order(b));

  const rows: Row[] = results.map((r) => ({
    series: r.id,
    policy: r.policy,
    cost_usd: r.report.costDollars,
    slo_violation_min: r.report.sloViolationMinutes,
    actions: r.report.actions,
    flaps: r.report.flaps,
  }));
  const totals: Record<string, { cost_usd: number; slo_violation_min: number; actions: number; flaps: number; node_hours: number; series: number }> = {};
  for (const p of policies) {
    const rs = results.filter((r) => r.policy === p).map((r) => r.report);
    totals[p] = {
      cost_usd: round(sum(rs.map((r) => r.costDollars)), 2),
      slo_violation_min: round(sum(rs.map((r) => r.sloViolationMinutes)), 1),
      actions: sum(rs.map((r) => r.actions)),
      flaps: sum(rs.map((r) => r.flaps)),
      node_hours: round(sum(rs.map((r) => r.nodeHours)), 1),
      series: rs.length,
    };
  }
  const summary: Record<string, unknown> = { ...totals };
  const st = totals.static;
  const hpa = totals.hpa;
  const pr = totals.predictive;
  if (st && hpa && pr) {
    const costVsStatic = pctBetter(pr.cost_usd, st.cost_usd);
    const costVsHpa = pctBetter(pr.cost_usd, hpa.cost_usd);
    const sloVsHpa = pctBetter(pr.slo_violation_min, hpa.slo_violation_min);
    const cheaperThanStatic = costVsStatic >= 40;
    const sloNoWorse = pr.slo_violation_min <= hpa.slo_violation_min;
    const betterThanHpa = (costVsHpa >= 15 && sloVsHpa >= 0) || (sloVsHpa >= 15 && costVsHpa >= 0);
    summary.goals = {
      predictive_cost_saving_vs_static_pct: costVsStatic,
      predictive_cost_saving_vs_hpa_pct: costVsHpa,
      predictive_slo_minutes_saving_vs_hpa_pct: sloVsHpa,
      at_least_40pct_cheaper_than_static: cheaperThanStatic,
      slo_minutes_no_worse_than_hpa: sloNoWorse,
      at_least_15pct_better_than_hpa_on_cost_or_slo_other_no_worse: betterThanHpa,
      all_met: cheaperThanStatic && sloNoWorse && betterThanHpa,
    };
  }
  for (const candidate of policies.filter(isRl)) {
    if (!policies.includes('predictive')) break;
    // Same series for both: the ones RL was not trained on.
    const held = new Set(results.filter((r) => r.policy === candidate).map((r) => r.id));
    const on = (p: string) => results.filter((r) => r.policy === p && held.has(r.id)).map((r) => r.report);
    const tot = (rs: SimulationReport[]) => ({ cost_usd: round(sum(rs.map((r) => r.costDollars)), 2), slo_violation_min: round(sum(rs.map((r) => r.sloViolationMinutes)), 1), actions: sum(rs.map((r) => r.actions)), flaps: sum(rs.map((r) => r.flaps)), series: rs.length });
    const rl = tot(on(candidate));
    const pred = tot(on('predictive'));
    summary[candidate === 'rl' ? 'rl_vs_predictive_on_holdout' : 'rl_replicas_vs_predictive_on_holdout'] = {
      [candidate]: rl,
      predictive: pred,
      rl_no_more_cost: rl.cost_usd <= pred.cost_usd,
      rl_no_more_slo_minutes: rl.slo_violation_min <= pred.slo_violation_min,
      goal_met: rl.cost_usd <= pred.cost_usd && rl.slo_violation_min <= pred.slo_violation_min,
      trained_on: [...rlTrain],
      rl_seed: rlSeed,
    };
  }
  summary.runs = results.map((r) => ({
    series: r.id,
    policy: r.policy,
    days: r.report.days,
    node_hours: r.report.nodeHours,
    error_pct: r.report.errorPct,
    p99_mean_ms: r.report.p99MeanMs,
    p99_of_p99_ms: r.report.p99OfP99Ms,
    denied: r.report.denied,
    clamped: r.report.clamped,
    ...(r.policy === 'static' ? { static_replicas: r.staticReplicas } : {}),
    wall_s: r.report.wallSeconds,
  }));
  summary.config = {
    mean_rps: MEAN_RPS,
    service: BENCH_SERVICE,
    node_type: NODE_TYPE,
    pods_per_node: podsPerNode(),
    static_target_utilization: STATIC_TARGET_UTILIZATION,
    replicas: [MIN_REPLICAS, MAX_REPLICAS],
    days: daysFlag ? `min(${daysFlag}, series length, ${MAX_DAYS})` : `min(series length, ${MAX_DAYS})`,
    tick_seconds: 15,
    guardrails: `default policy; maxReplicas ${MAX_REPLICAS}, maxNodes 1000; remove-node low risk (unattended, as a stock cluster autoscaler); rate limit ${BENCH_RATE_LIMIT.maxActions} per ${BENCH_RATE_LIMIT.windowSeconds}s and blast radius ±100 % so they never bind the stock HPA`,
    goals_on: 'totals over all series',
  };
  summary.wall_seconds = round((performance.now() - started) / 1000, 1);
  summary.jobs = jobs;
  return { suite: 'autoscale', data, rows, summary };
}
