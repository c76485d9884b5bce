/**
 * Scale benchmark: wall time of one full loop tick (snapshot of every service and node, analyse, decide,
 * guardrails, execute on the twin, record to the SQLite journal) on synthetic clusters of 10 to 10,000 nodes
 * (30 pods per node, 10 pods per service), and the process's resident memory.
 * Goals (issue): p50 tick < 100 ms at 500 nodes and < 1 s at 10,000 nodes on a 2-core machine, growing about
 * linearly, RSS < 1 GiB at 10,000 nodes.
 *
 * `npm run bench -- scale [--json] [--sizes 10,100,500,2000,10000] [--ticks 20] [--warmup 3] [--policy hpa|autonomic]`
 * (`--data DIR` is accepted like every suite and ignored: the clusters are synthetic.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../src/core/errors.js';
import { buildSyntheticCluster } from '../src/execute/twin/cluster.js';
import { Guardrails } from '../src/govern/guardrails.js';
import { GuardrailPolicySchema, type GuardrailPolicy } from '../src/govern/policy.js';
import { openStore } from '../src/knowledge/store.js';
import { Controller } from '../src/loop/controller.js';
import { buildPlanners } from '../src/loop/simulation.js';
import { EventClassifier } from '../src/analyze/faults/event-classifier.js';
import { progress, type BenchArgs, type BenchResult, type Row } from './lib/report.js';

export const DEFAULT_SIZES = [10, 100, 500, 2000, 10000];
export const PODS_PER_NODE = 30;
export const PODS_PER_SERVICE = 10;
export const DEFAULT_TICKS = 20;
export const WARMUP_TICKS = 3;
/** 30 pods a node: beyond this the twin alone outgrows a small machine's memory. */
const MAX_NODES = 100_000;
/** The loop period (the HPA's sync period, runSimulation's default tickSeconds). */
export const TICK_SECONDS = 15;
const BENCH_POLICIES = ['hpa', 'autonomic'] as const;
type BenchPolicy = (typeof BENCH_POLICIES)[number];

const GOALS_MS: Record<number, number> = { 500: 100, 10000: 1000 };
const RSS_GOAL_MB = 1024;
const RSS_GOAL_NODES = 10000;

/** A whole number >= min from flag text; Number('') is 0 and Number('1e3') is 1000, so plain digits are insisted on. */
function wholeNumber(text: string, min: number): number | undefined {
  const t = text.trim();
  const n = Number(t);
  return /^\d+$/.test(t) && Number.isSafeInteger(n) && n >= min ? n : undefined;
}

const shown = (v: string | true): string => (v === true ? 'nothing' : `'${v}'`);

/** Positive integers up to `max` from a comma-separated flag; a UserError naming the flag otherwise. */
function intList(args: BenchArgs, flag: string, fallback: number[], max: number): number[] {
  const v = args.flags.get(flag);
  if (v === undefined) return fallback;
  const bad = (what: string): UserError => new UserError(`expected comma-separated integers from 1 to ${max}, got ${what}`, `--${flag}`);
  if (v === true) throw bad('nothing');
  return v.split(',').map((s) => {
    const n = wholeNumber(s, 1);
    if (n === undefined || n > max) throw bad(`'${s.trim()}' in '${v}'`);
    return n;
  });
}

function oneInt(args: BenchArgs, flag: string, fallback: number, min: number): number {
  const v = args.flags.get(flag);
  if (v === undefined) return fallback;
  const n = v === true ? undefined : wholeNumber(v, min);
  if (n === undefined) throw new UserError(`expected ${min > 0 ? 'a positive' : 'a non-negative'} integer, got ${shown(v)}`, `--${flag}`);
  return n;
}

function benchPolicy(args: BenchArgs): BenchPolicy {
  const v = args.flags.get('policy');
  if (v === undefined) return 'hpa';
  const known: readonly string[] = BENCH_POLICIES;
  if (v === true || !known.includes(v)) throw new UserError(`expected one of ${BENCH_POLICIES.join(', ')}, got ${shown(v)}`, '--policy');
  return v as BenchPolicy;
}

/** The default guardrails with node bounds wide enough that no action is refused for cluster size alone (no cost cap by default). */
export function scaleGuardrails(maxNodes: number): GuardrailPolicy {
  return GuardrailPolicySchema.parse({ cluster: { minNodes: 1, maxNodes: Math.max(100, 2 * maxNodes) } });
}

function quantile(xs: readonly number[], q: number): number {
  const s = Float64Array.from(xs).sort();
  return s[Math.min(s.length - 1, Math.floor(q * (s.length - 1)))];
}

const round = (x: number, digits: number): number => Math.round(x * 10 ** digits) / 10 ** digits;
const rssMb = (): number => process.memoryUsage().rss / 2 ** 20;

interface SizeDetail {
  nodes: number;
  ticks: number;
  build_s: number;
  tick_ms_max: number;
  /** Process CPU time (user + system, all threads) per tick: less sensitive than wall time to other load on the machine. */
  cpu_ms_p50: number;
  /** Per measured tick, means: what the tick had to do. */
  proposals_per_tick: number;
  executed_per_tick: number;
  journal_entries: number;
}

async function measureSize(nodes: number, ticks: number, warmup: number, policyName: BenchPolicy, guardrailPolicy: GuardrailPolicy, dir: string): Promise<{ row: Row; detail: SizeDetail }> {
  const builtAt = performance.now();
  const twin = buildSyntheticCluster({ nodes, podsPerNode: PODS_PER_NODE, podsPerService: PODS_PER_SERVICE });
  const buildS = (performance.now() - builtAt) / 1000;
  // The product's planner sets; 'hpa' has no analyzer of its own, so the event classifier is added (the set).
  const planners = buildPlanners(policyName, guardrailPolicy);
  const analyzers = planners.analyzers.length > 0 ? planners.analyzers : [new EventClassifier()];
  // A fresh journal per size, so SQLite's file size does not carry over between sizes.
  const store = await openStore(join(dir, `journal-${nodes}.db`));
  try {
    const controller = new Controller({
      source: twin,
      provider: twin,
      policies: planners.policies,
      analyzers,
      guardrails: new Guardrails(guardrailPolicy),
      journal: store.journal,
      mode: 'auto',
      runId: null,
    });
    const ms: number[] = [];
    const cpuMs: number[] = [];
    let services = 0, pods = 0, proposals = 0, executed = 0;
    for (let i = 0; i < warmup + ticks; i++) {
      // Simulated time is not the loop's cost: only tick() is timed (it includes the snapshot read).
      twin.advance(TICK_SECONDS);
      const cpu0 = process.cpuUsage();
      const started = performance.now();
      const r = await controller.tick();
      const took = performance.now() - started;
      const cpu = process.cpuUsage(cpu0);
      if (i === 0) {
        services = r.snapshot.services.length;
        for (const n of r.snapshot.nodes) pods += n.pods;
      }
      if (i < warmup) continue;
      ms.push(took);
      cpuMs.push((cpu.user + cpu.system) / 1000);
      proposals += r.proposals;
      executed += r.executed;
      progress(`scale: ${nodes} nodes, tick ${i + 1 - warmup}/${ticks}: ${took.toFixed(1)} ms`);
    }
    const rss = rssMb();
    const row: Row = {
      nodes,
      pods,
      services,
      tick_ms_p50: round(quantile(ms, 0.5), 2),
      tick_ms_p95: round(quantile(ms, 0.95), 2),
      rss_mb: round(rss, 1),
    };
    const detail: SizeDetail = {
      nodes,
      ticks,
      build_s: round(buildS, 2),
      tick_ms_max: round(Math.max(...ms), 2),
      cpu_ms_p50: round(quantile(cpuMs, 0.5), 2),
      proposals_per_tick: round(proposals / ticks, 1),
      executed_per_tick: round(executed / ticks, 1),
      journal_entries: await store.journal.count(),
    };
    return { row, detail };
  } finally {
    await store.close();
  }
}

export async function run(args: BenchArgs): Promise<BenchResult> {
  const sizes = intList(args, 'sizes', DEFAULT_SIZES, MAX_NODES);
  const ticks = oneInt(args, 'ticks', DEFAULT_TICKS, 1);
  const warmup = oneInt(args, 'warmup', WARMUP_TICKS, 0);
  const policyName = benchPolicy(args);
  const guardrailPolicy = scaleGuardrails(Math.max(...sizes));
  const dir = mkdtempSync(join(tmpdir(), 'autonomic-bench-scale-'));
  const rows: Row[] = [];
  const details: SizeDetail[] = [];
  let rssMax = 0;
  const started = performance.now();
  const loadBefore = loadavg()[0];
  try {
    for (const nodes of sizes) {
      // Free the previous size's cluster and snapshots before building the next one, when the flag allows it.
      globalThis.gc?.();
      progress(`scale: building ${nodes} nodes`);
      const { row, detail } = await measureSize(nodes, ticks, warmup, policyName, guardrailPolicy, dir);
      rows.push(row);
      details.push(detail);
      rssMax = Math.max(rssMax, row.rss_mb as number);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (process.stderr.isTTY) process.stderr.write('\n');

  const rowAt = (nodes: number): Row | undefined => rows.find((r) => r.nodes === nodes);
  const summary: Record<string, unknown> = {};
  for (const [key, goal] of Object.entries(GOALS_MS)) {
    const r = rowAt(Number(key));
    summary[`goal_${key}_ms`] = goal;
    summary[`tick_ms_p50_${key}`] = r ? r.tick_ms_p50 : null;
    summary[`tick_ms_p95_${key}`] = r ? r.tick_ms_p95 : null;
    summary[`cpu_ms_p50_${key}`] = details.find((d) => d.nodes === Number(key))?.cpu_ms_p50 ?? null;
    // Judged on the median tick; null when that size was not measured.
    summary[`met_${key}`] = r ? (r.tick_ms_p50 as number) < goal : null;
  }
  const rssRow = rowAt(RSS_GOAL_NODES);
  summary.rss_mb_max = round(rssMax, 1);
  summary.rss_goal_mb = RSS_GOAL_MB;
  summary[`rss_mb_${RSS_GOAL_NODES}`] = rssRow ? rssRow.rss_mb : null;
  // The goal is about the largest cluster: null when it was not measured.
  summary.met_rss = rssRow ? (rssRow.rss_mb as number) < RSS_GOAL_MB : null;
  // Linear growth shows as a flat ms-per-1000-nodes across sizes (small sizes carry the fixed per-tick cost).
  summary.linearity = Object.fromEntries(rows.map((r) => [String(r.nodes), round(((r.tick_ms_p50 as number) / (r.nodes as number)) * 1000, 2)]));
  summary.linearity_unit = 'tick_ms_p50 per 1000 nodes';
  // The same from CPU time, which other processes on a shared machine disturb much less than wall time.
  summary.linearity_cpu = Object.fromEntries(details.map((d) => [String(d.nodes), round((d.cpu_ms_p50 / d.nodes) * 1000, 2)]));
  summary.policy = policyName;
  summary.planners = policyName === 'hpa' ? 'hpa + cluster-autoscaler, event-classifier' : 'healing + predictive + cluster-autoscaler, event-classifier';
  summary.guardrails = `defaults, maxNodes ${guardrailPolicy.cluster.maxNodes}, no cost cap`;
  summary.journal = 'SQLite (WAL) in a temporary folder, removed afterwards';
  summary.warmup_ticks = warmup;
  summary.measured_ticks = ticks;
  summary.tick_seconds = TICK_SECONDS;
  summary.gc_exposed = typeof globalThis.gc === 'function';
  summary.wall_s = round((performance.now() - started) / 1000, 1);
  // Wall times are only comparable on an otherwise idle machine: record how busy it was.
  summary.cores = availableParallelism();
  summary.load_avg_1m = { before: round(loadBefore, 2), after: round(loadavg()[0], 2) };
  summary.per_size = details;
  return { suite: 'scale', data: args.data, rows, summary };
}
