/**
 * `npm run bench -- heal --provider local`: self-healing on real processes, in real seconds. The local stack (three
 * sample-service replicas behind the proxy, a real Prometheus scraping them every second, node_exporter if
 * installed) carries open-loop load while the loop runs in auto mode with the remediation coordinator (built-in
 * playbooks), the event classifier and the memory trend (retuned to seconds), under the default guardrail policy. Faults, one at a time
 * and each with a fresh loop (so one fault's cooldowns do not hold back the next):
 *
 *   crash  one replica exits mid-traffic (POST /admin/fault?mode=crash);
 *   leak   one replica starts leaking memory (8 MiB/s by default) towards its 256 MiB limit.
 *
 *   MTTD  fault → the snapshot of the first tick with a warning or critical finding on the service (its analysis
 *         follows at once).
 *   MTTR  fault → every desired replica alive and Ready at the proxy with the faulty one gone, held for 3 s
 *         (ground truth from the processes); `mttr_loop_s` is when the loop's own view (Prometheus) showed all
 *         replicas Ready again after the remediation.
 *   lost  requests from the fault to the recovery that clients got no 2xx for: what the proxy's retry budget
 *         could not save (the sample service itself returns no errors in these runs).
 *
 * Flags: --rps N (constant load, default 30) or --trace FILE (a CSV of requests per second, repeated),
 * --leak-rate MIB_PER_S (default 8), --json.
 */
import { UserError } from '../../src/core/errors.js';
import { defaultPolicy } from '../../src/govern/policy.js';
import { Guardrails } from '../../src/govern/guardrails.js';
import { Controller, type TickResult } from '../../src/loop/controller.js';
import { runLiveLoop } from '../../src/loop/live-loop.js';
import { RemediationCoordinator } from '../../src/plan/remediation/coordinator.js';
import { localAnalyzers } from '../../src/execute/providers/local/analyzers.js';
import { constantTrace, csvTrace, LoadGenerator } from '../../src/execute/providers/local/load-generator.js';
import { onPath } from '../../src/execute/providers/local/prometheus-server.js';
import { LocalStack } from '../../src/execute/providers/local/stack.js';
import { progress, type BenchArgs, type BenchResult, type Row } from '../lib/report.js';

const GOALS = { mttd_s: 15, mttr_s: 30 };
const TICK_S = 2;
/** Healthy must hold this long to count as recovered. */
const SUSTAIN_MS = 3000;
/** A fault not recovered by then is reported as not recovered. */
const PHASE_TIMEOUT_MS = 60_000;
/** Ticks before the fault: the memory trend needs a baseline (8 s + 6 s of rise), and false findings can show. */
const BASELINE_MS = 12_000;

type Fault = 'crash' | 'leak';

interface PhaseResult {
  fault: Fault;
  pod: string;
  mttd: number | null;
  mttr: number | null;
  mttrLoop: number | null;
  detectedBy: string;
  actions: string[];
  lost: number;
  sent: number;
  retries: number;
  exhausted: number;
  falseFindings: number;
}

function numberFlag(args: BenchArgs, name: string, fallback: number, max: number): number {
  const v = args.flags.get(name);
  if (v === undefined) return fallback;
  const n = typeof v === 'string' ? Number(v) : NaN;
  if (!(Number.isFinite(n) && n > 0 && n <= max)) throw new UserError(`expected a number above 0 and at most ${max}, got ${v === true ? 'nothing' : `'${v}'`}`, `--${name}`);
  return n;
}

const round1 = (x: number | null): number | null => (x === null ? null : Math.round(x * 10) / 10);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function run(args: BenchArgs): Promise<BenchResult> {
  if (!onPath('prometheus')) throw new UserError('needs a real Prometheus on PATH (Debian: apt-get install prometheus)', '--provider local');
  const rps = numberFlag(args, 'rps', 30, 500);
  const leakRate = numberFlag(args, 'leak-rate', 8, 200);
  const started = performance.now();
  const trace = args.flags.get('trace');
  if (trace === true) throw new UserError('needs a CSV file of requests per second', '--trace');
  const rate = trace === undefined ? constantTrace(rps) : csvTrace(trace);
  const stack = await LocalStack.start({ retryBudget: 2 });
  const load = new LoadGenerator(stack.proxy.url, rate);
  const results: PhaseResult[] = [];
  try {
    load.start();
    await stack.settled(45_000);
    for (const fault of ['crash', 'leak'] as const) {
      progress(`heal --provider local: ${fault}`);
      results.push(await phase(stack, load, fault, leakRate));
      await stack.settled(45_000);
    }
  } finally {
    await load.stop();
    await stack.stop();
  }
  if (process.stderr.isTTY) process.stderr.write('\n');

  const rows: Row[] = results.map((r) => ({
    fault: r.fault,
    pod: r.pod,
    mttd_s: round1(r.mttd) ?? '-',
    mttr_s: round1(r.mttr) ?? '-',
    mttr_loop_s: round1(r.mttrLoop) ?? '-',
    lost: r.lost,
    sent: r.sent,
    retries: r.retries,
    actions: r.actions.join('; ') || '-',
  }));
  const ok = (r: PhaseResult): boolean => r.mttd !== null && r.mttd <= GOALS.mttd_s && r.mttr !== null && r.mttr <= GOALS.mttr_s && r.lost === 0;
  return {
    suite: 'heal',
    data: args.data,
    rows,
    summary: {
      provider: 'local',
      goals: {
        mttd_le_15s: results.every((r) => r.mttd !== null && r.mttd <= GOALS.mttd_s),
        mttr_le_30s: results.every((r) => r.mttr !== null && r.mttr <= GOALS.mttr_s),
        no_loss_beyond_retry_budget: results.every((r) => r.lost === 0),
        all_met: results.every(ok),
      },
      per_fault: Object.fromEntries(results.map((r) => [r.fault, {
        mttd_s: round1(r.mttd), mttr_s: round1(r.mttr), mttr_loop_s: round1(r.mttrLoop), detected_by: r.detectedBy, actions: r.actions,
        requests_sent: r.sent, requests_lost: r.lost, proxy_retries: r.retries, proxy_exhausted: r.exhausted, false_findings_before_fault: r.falseFindings,
      }])),
      config: {
        replicas: stack.deployment.spec.replicas, load: trace === undefined ? `${rps} req/s, open loop` : `${trace} (req/s per line), open loop`, cpu_ms_per_request: stack.deployment.spec.revision.cpuMs,
        memory_limit_mib: stack.deployment.spec.memoryLimitMiB, leak_mib_per_s: leakRate, retry_budget: stack.proxy.retryBudget,
        scrape_interval_s: 1, tick_s: TICK_S, rate_window: '10s', sustain_s: SUSTAIN_MS / 1000, phase_timeout_s: PHASE_TIMEOUT_MS / 1000,
        node_exporter: stack.nodeExporter !== undefined,
        planners: 'remediation coordinator (built-in playbooks); analyzers: event classifier, memory trend (seconds scale); default guardrails; auto mode',
      },
      data_note: args.data === null ? 'no --data: the load generator makes the traffic' : `--data ${args.data} recorded but not used`,
      wall_seconds: Math.round((performance.now() - started) / 100) / 10,
    },
  };
}

async function phase(stack: LocalStack, load: LoadGenerator, fault: Fault, leakRate: number): Promise<PhaseResult> {
  const d = stack.deployment;
  const source = stack.source;
  if (!source) throw new Error('the local stack has no telemetry source');
  const controller = new Controller({
    source, provider: stack.provider, policies: [new RemediationCoordinator()], analyzers: localAnalyzers(),
    guardrails: new Guardrails(defaultPolicy()), mode: 'auto',
  });
  let t0 = Infinity;
  let mttd: number | null = null;
  let mttrLoop: number | null = null;
  let detectedBy = '-';
  let falseFindings = 0;
  let actedAt = Infinity;
  const actions: string[] = [];
  const onTick = (r: TickResult): void => {
    const now = Date.now();
    // The snapshot's instant: the tick's analysis runs on it right away, before the tick acts.
    const seenAt = r.at * 1000;
    for (const f of r.findings) {
      if (f.severity === 'info' || f.target !== `service/${d.name}`) continue;
      if (seenAt < t0) falseFindings++;
      else if (mttd === null) {
        mttd = (seenAt - t0) / 1000;
        detectedBy = `${String(f.evidence.fault ?? f.kind)}: ${f.message}`;
      }
    }
    for (const dec of r.decisions) {
      if (!dec.proposal.source.startsWith('remediation/')) continue;
      actions.push(`${dec.proposal.source}: ${dec.outcome?.message ?? dec.verdict.outcome}`);
      if (dec.outcome?.ok) actedAt = Math.min(actedAt, now);
    }
    const svc = r.snapshot.services.find((s) => s.name === d.name);
    if (mttrLoop === null && now > actedAt && svc && svc.readyReplicas >= svc.replicas && svc.replicas === d.replicas) mttrLoop = (now - t0) / 1000;
  };
  const stop = new AbortController();
  const loop = runLiveLoop(controller, { intervalSeconds: TICK_S, signal: stop.signal, onTick, onError: () => undefined });
  const retries0 = stack.proxy.stats.retries;
  const exhausted0 = stack.proxy.stats.exhausted;
  try {
    await sleep(BASELINE_MS);
    const victim = d.list().find((p) => p.alive && p.url !== undefined);
    if (!victim?.url) throw new Error('no running replica to inject into');
    t0 = Date.now();
    const mode = fault === 'crash' ? 'crash' : 'leak';
    const r = await fetch(`${victim.url}/admin/fault?mode=${mode}${fault === 'leak' ? `&rate=${leakRate}` : ''}`, { method: 'POST' });
    await r.body?.cancel();

    let healthySince: number | undefined;
    let mttr: number | null = null;
    while (Date.now() - t0 < PHASE_TIMEOUT_MS) {
      const pods = d.list();
      const healthy = !pods.some((p) => p.pod === victim.pod) && pods.length === d.replicas && pods.every((p) => p.alive && stack.proxy.isReady(p.pod));
      if (healthy) {
        healthySince ??= Date.now();
        if (Date.now() - healthySince >= SUSTAIN_MS) {
          mttr = (healthySince - t0) / 1000;
          break;
        }
      } else healthySince = undefined;
      await sleep(100);
    }
    const end = mttr === null ? Date.now() : t0 + mttr * 1000;
    // Requests still in flight at the end are given their timeout before they are counted.
    await sleep(1000);
    return {
      fault, pod: victim.pod, mttd, mttr, mttrLoop, detectedBy, actions,
      lost: load.failedBetween(t0, end), sent: load.results.filter((x) => x.at >= t0 && x.at < end).length,
      retries: stack.proxy.stats.retries - retries0, exhausted: stack.proxy.stats.exhausted - exhausted0, falseFindings,
    };
  } finally {
    stop.abort();
    await loop;
  }
}
