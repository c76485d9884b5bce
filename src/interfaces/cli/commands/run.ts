import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { UserError } from '../../../core/errors.js';
import { EventClassifier } from '../../../analyze/faults/event-classifier.js';
import { MemoryTrendAnalyzer } from '../../../analyze/faults/memory-trend.js';
import type { Analyzer } from '../../../analyze/assessment.js';
import { NoExecuteProvider } from '../../../execute/providers/no-execute.js';
import { localAnalyzers } from '../../../execute/providers/local/analyzers.js';
import { LocalStack } from '../../../execute/providers/local/stack.js';
import { requireInstanceType } from '../../../execute/twin/catalogue.js';
import { Guardrails } from '../../../govern/guardrails.js';
import { defaultPolicy, loadPolicyFile, resolveServiceBounds, type GuardrailPolicy } from '../../../govern/policy.js';
import { openStore, resolveDbPath, storeFlavor } from '../../../knowledge/store.js';
import { Controller, type TickResult } from '../../../loop/controller.js';
import { ApprovalFlow } from '../../../loop/approval-flow.js';
import { runLiveLoop, type LiveLoopOptions } from '../../../loop/live-loop.js';
import { TickBuffer } from '../../../loop/ha-loop.js';
import { runReplicated, RUN_LOOP_ID } from '../ha-run.js';
import { ReplicatedApprovalFlow } from '../../../loop/replicated-approval-flow.js';
import { LoopApprovalLedger } from '../../../knowledge/loop-approvals.js';
import { StateRecorder } from '../../../loop/state-recorder.js';
import { LatestStateStore } from '../../../knowledge/latest-state.js';
import { TelemetryRecorder, requestRateKey } from '../../../loop/telemetry-recorder.js';
import { TelemetryStore } from '../../../knowledge/telemetry.js';
import { ModelRegistry } from '../../../knowledge/model-registry.js';
import { DEFAULT_RETRAIN_KINDS, retrain } from '../../../analyze/forecast/retrain.js';
import type { Store } from '../../../knowledge/store.js';
import type { LoopMode } from '../../../loop/mode.js';
import { parsePrometheusConfig } from '../../../monitor/prometheus/config.js';
import { PrometheusSource } from '../../../monitor/prometheus/source.js';
import { RemediationCoordinator } from '../../../plan/remediation/coordinator.js';
import { ClusterAutoscalerPolicy } from '../../../plan/scaling/cluster-autoscaler.js';
import { HpaPolicy } from '../../../plan/scaling/hpa.js';
import { PredictivePolicy } from '../../../plan/scaling/predictive.js';
import type { ScalingPolicy } from '../../../plan/scaling/policy.js';
import { VerificationPlanner } from '../../../plan/verification/verification-planner.js';
import { DriftPlanner } from '../../../plan/lifecycle/drift-planner.js';
import { NodeOccupancyRecorder } from '../../../plan/lifecycle/node-occupancy.js';
import { RunDeploymentRisk } from '../../../loop/risk-learning.js';
import { duration, integer, oneOf } from '../args.js';

const LIVE_POLICIES = ['hpa', 'autonomic'] as const;
type LivePolicy = (typeof LIVE_POLICIES)[number];
/** Without an execute provider (`--provider`) the loop only decides; auto mode needs one. */
const LIVE_MODES = ['shadow', 'dry-run'] as const;
const PROVIDERS = ['local', 'kubernetes', 'gitops'] as const;
const SOURCES = ['prometheus', 'kubernetes'] as const;

interface RunOptions {
  prometheus?: string;
  prometheusConfig?: string;
  policy: LivePolicy;
  mode: (typeof LIVE_MODES)[number] | 'auto';
  provider?: (typeof PROVIDERS)[number];
  source?: (typeof SOURCES)[number];
  kubeconfig?: string;
  gitopsRepo?: string;
  gitopsPath?: string;
  gitopsPush?: boolean;
  interval: number;
  ticks?: number;
  retrainEvery: number;
  guardrails?: string;
  nodeType?: string;
  db?: string;
  json?: boolean;
  ha?: boolean;
}

export function registerRun(program: Command): void {
  program
    .command('run')
    .description(
      'Run the loop against a live system in real time: telemetry from Prometheus (PromQL), decisions through the guardrails, ' +
        'every decision in the journal. Stops cleanly on Ctrl-C or SIGTERM.',
    )
    .option('--prometheus <url>', 'Prometheus base URL, e.g. http://127.0.0.1:9090')
    .option('--prometheus-config <file>', 'YAML with the Prometheus source settings (url, timeoutMs, retry, circuitBreaker, maxStaleSeconds, rateWindow, queries per signal, services); --prometheus overrides its url')
    .option('--policy <name>', `planners: ${LIVE_POLICIES.join(', ')}`, oneOf('--policy', LIVE_POLICIES), 'autonomic')
    .option('--mode <mode>', 'shadow (decide and journal), dry-run (decide and print only) or auto (execute; needs --provider)', oneOf('--mode', [...LIVE_MODES, 'auto'] as const), 'shadow')
    .option('--provider <name>', 'execute provider: local = start sample-service replicas behind a proxy, node_exporter and its own Prometheus here, and act on those processes; kubernetes = act on the cluster of --kubeconfig (scale subresource, rollout restart/undo, drain via the Eviction API); gitops = commit each change to --gitops-repo for Argo CD/Flux instead of touching the cluster', oneOf('--provider', PROVIDERS))
    .option('--source <name>', 'telemetry: prometheus (default; needs --prometheus or --prometheus-config) or kubernetes (the Kubernetes API and metrics.k8s.io of --kubeconfig: replicas, CPU, memory, events; no request rates or latency)', oneOf('--source', SOURCES))
    .option('--kubeconfig <file>', 'kubeconfig for --provider/--source kubernetes (default: in-cluster, then $KUBECONFIG / ~/.kube/config)')
    .option('--gitops-repo <path>', 'working copy of the GitOps repository (--provider gitops)')
    .option('--gitops-path <dir>', 'folder of the manifests inside the repository (--provider gitops)', '.')
    .option('--gitops-push', 'push each commit to the remote (--provider gitops)')
    .option('--interval <duration>', 'time between ticks', duration('--interval'), 15)
    .option('--ticks <n>', 'stop after n ticks (default: run until stopped)', integer('--ticks', 1, 10_000_000))
    .option('--retrain-every <duration>', 'retrain the forecasting models from the stored request-rate history this often (a new model is promoted only if its backtest beats the active one); 0 = never', duration('--retrain-every'), 86400)
    .option('--guardrails <file>', 'guardrail policy YAML (default: the built-in policy)')
    .option('--node-type <name>', 'instance type of the node pool, to size node additions (cluster autoscaler); omit to plan replicas only')
    .option('--db <path>', 'knowledge store (default .autonomic/autonomic.db or $AUTONOMIC_DB)')
    .option('--json', 'one JSON object per tick on stdout')
    .option('--ha', 'replicas sharing a postgres:// store elect a leader: only it ticks, followers wait and take over (--ticks counts the loop\'s ticks from this replica\'s start)')
    .addHelpText(
      'after',
      '\nExamples:\n  autonomic run --prometheus http://127.0.0.1:9090 --mode shadow\n' +
        '  autonomic sim serve --port 9464 --speed 10 &   # a twin to watch, scraped by your Prometheus\n' +
        '  autonomic run --prometheus-config prom.yaml --policy hpa --interval 30s --ticks 20 --json\n' +
        '  autonomic run --provider local --mode auto --interval 2s   # the loop on local processes (prints the proxy URL)\n' +
        '  autonomic run --source kubernetes --provider kubernetes --kubeconfig ~/.kube/config --mode auto\n' +
        '  autonomic run --prometheus http://prometheus:9090 --provider gitops --gitops-repo ./fleet --gitops-path apps --gitops-push --mode auto\n',
    )
    .action(async (o: RunOptions) => {
      if (o.mode === 'auto' && o.provider === undefined) {
        throw new UserError('auto mode needs an execute provider: --provider local, kubernetes or gitops; or use shadow or dry-run', '--mode');
      }
      if (o.provider === 'gitops' && o.gitopsRepo === undefined) throw new UserError('needs --gitops-repo PATH (a working copy of the repository Argo CD or Flux syncs)', '--provider');
      if (o.provider !== 'gitops' && (o.gitopsRepo !== undefined || o.gitopsPush)) throw new UserError('only with --provider gitops', '--gitops-repo');
      if (o.source === 'kubernetes' && (o.prometheus !== undefined || o.prometheusConfig !== undefined)) throw new UserError('--source kubernetes reads the Kubernetes API; leave out --prometheus and --prometheus-config', '--source');
      if (o.kubeconfig !== undefined && o.source !== 'kubernetes' && o.provider !== 'kubernetes') throw new UserError('only with --source kubernetes or --provider kubernetes', '--kubeconfig');
      if (o.provider === 'local' && (o.prometheus !== undefined || o.prometheusConfig !== undefined)) {
        throw new UserError('the local provider starts its own Prometheus, configured for its processes: leave out --prometheus and --prometheus-config', '--provider');
      }
      if (o.interval < 1) throw new UserError('must be at least 1s', '--interval');
      if (o.ha && storeFlavor(resolveDbPath(o.db)) !== 'postgres') throw new UserError('needs a shared postgres:// store (--db or $AUTONOMIC_DB) to elect the leader in', '--ha');
      // Everything is validated before the store is opened (and the local stack started): bad input writes nothing.
      const prometheusSource = o.provider === 'local' || o.source === 'kubernetes' ? undefined : new PrometheusSource(prometheusConfig(o));
      // Loaded only when asked for: the Kubernetes client is heavy, and every other command starts faster without it.
      const kube = o.source === 'kubernetes' || o.provider === 'kubernetes' ? await import('../../../execute/providers/kubernetes/factory.js') : undefined;
      const access = kube?.clusterAccessFromKubeconfig(o.kubeconfig);
      const kubeSource = kube && access && o.source === 'kubernetes' ? kube.kubernetesSourceFromKubeconfig(undefined, {}, access) : undefined;
      const kubeProvider = kube && access && o.provider === 'kubernetes' ? kube.kubernetesProviderFromKubeconfig(undefined, {}, access) : undefined;
      const gitops = o.provider === 'gitops'
        ? await (await import('../../../execute/providers/gitops/gitops-provider.js')).GitOpsProvider.open({ repo: o.gitopsRepo!, path: o.gitopsPath ?? '.', push: o.gitopsPush === true })
        : undefined;
      const guardrailPolicy = o.guardrails ? loadPolicyFile(o.guardrails) : defaultPolicy();
      const planners = livePlanners(o.policy, guardrailPolicy, o.nodeType);
      const { policies } = planners;
      const mode: LoopMode = o.mode;
      const local = o.provider === 'local' ? await LocalStack.start() : undefined;
      // The first tick should see the replicas: wait until Prometheus has scraped them all.
      await local?.settled(45_000).catch(async (e: unknown) => {
        await local.stop();
        throw e;
      });
      const source = local?.source ?? kubeSource ?? prometheusSource;
      if (!source) throw new Error('no telemetry source');
      const url = local?.prometheus?.url ?? prometheusSource?.config.url ?? (kubeSource ? `kubernetes (${access?.kubeConfig.getCurrentContext() ?? 'in-cluster'})` : undefined);
      // The local stack's replicas live for seconds to minutes: its analyzers are tuned to that pace.
      const analyzers = local && o.policy === 'autonomic' ? localAnalyzers() : planners.analyzers;
      if (local) process.stderr.write(`local stack: ${local.deployment.replicas} ${local.deployment.name} replicas behind ${local.proxy.url} (send traffic there), Prometheus at ${url}\n`);
      const store = await openStore(o.db).catch(async (e: unknown) => {
        await local?.stop();
        throw e;
      });
      const run = await store.runs.create({ command: 'run', config: { source: kubeSource ? 'kubernetes' : 'prometheus', url, provider: o.provider ?? null, policy: o.policy, mode, intervalSeconds: o.interval } });
      if (o.policy === 'autonomic') {
        // Drift: what earlier live runs applied vs what is live now; reported, and reconciled only where the
        // policy says `drift.reconcile: auto`. Placed after healing and before scaling.
        const live = new Set((await store.runs.list()).filter((r) => r.command === 'run').map((r) => r.id));
        const drift = await DriftPlanner.fromJournal(store.journal, guardrailPolicy.drift, { scope: { includeRun: (id) => id !== null && live.has(id) }, settleSeconds: 120 });
        policies.splice(2, 0, drift);
      }
      const haBuffer = o.ha ? new TickBuffer() : undefined;
      // Deployment risk learned from the journal's rollout history and incidents: a risky rollout (e.g. proposed
      // through the API) waits for a human. Re-learned after every rollout result of this run.
      const risk = await RunDeploymentRisk.start(store.journal, Date.now() / 1000, run.id);
      // Approved proposals made through the API or MCP are taken over and run (after the guardrails recheck them).
      // Retirement and drift proposals queued by `autonomic retire --queue` / `autonomic drift --queue` are taken over the same way once approved.
      const external = (a: { source: string }): boolean => /^(api|mcp):|^lifecycle\/(retirement|drift)/.test(a.source);
      // --ha: the queue lives in the shared store with the leader's fencing term, so whichever replica leads when a
      // person approves runs the action, once.
      const haApprovals = o.ha
        ? new ReplicatedApprovalFlow({ ledger: new LoopApprovalLedger(store.db, store.flavor), loopId: RUN_LOOP_ID, expirySeconds: guardrailPolicy.approvals.expirySeconds, adoptExternal: external })
        : undefined;
      const controller = new Controller({
        source, provider: local?.provider ?? kubeProvider ?? gitops ?? new NoExecuteProvider('no execute provider given (--provider)'), policies, analyzers,
        guardrails: new Guardrails(guardrailPolicy, { riskRaisers: [risk.risk] }), journal: haBuffer ?? store.journal, mode, runId: run.id,
        // High-risk actions wait in the store's queue (`autonomic approvals`, the API, the dashboard); approved ones,
        // and approved proposals made through the API or MCP, run on a later tick after the guardrails recheck them.
        approvals: haApprovals ?? new ApprovalFlow({
          repo: store.approvals, expirySeconds: guardrailPolicy.approvals.expirySeconds, journal: store.journal, runId: run.id,
          adoptExternal: external,
        }),
        // The run's latest state, for the live overview (`autonomic serve`, the dashboard).
        state: new StateRecorder({
          sink: new LatestStateStore(store.db), runId: run.id, minIntervalMs: 0,
          onError: (e) => process.stderr.write(`overview state not stored: ${e instanceof Error ? e.message : String(e)}\n`),
        }),
      });
      // Every tick's request rates go to the store in 5-minute buckets: the history scheduled retraining reads.
      const recorder = new TelemetryRecorder(new TelemetryStore(store.db));
      // Pods per node over time: what retirement reads to find nodes idle for hours.
      const occupancy = new NodeOccupancyRecorder(new TelemetryStore(store.db));
      let lastRetrain = Date.now() / 1000;
      const stop = new AbortController();
      const onSignal = (): void => stop.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      if (!o.json) process.stderr.write(`run ${run.id}: ${o.policy} policy, ${mode} mode, every ${o.interval}s from ${url} (Ctrl-C stops)\n`);
      try {
        const loop: LiveLoopOptions = {
          intervalSeconds: o.interval,
          maxTicks: o.ticks,
          signal: stop.signal,
          onTick: async (r, n) => {
            risk.observe(r.at, r.notes);
            printTick(r, n, o.json === true);
            await recorder.record(r.snapshot);
            await occupancy.record(r.snapshot);
            if (o.retrainEvery > 0 && r.at - lastRetrain >= o.retrainEvery) {
              lastRetrain = r.at;
              await scheduledRetrain(store, run.id, r.at, r.snapshot.services.map((svc) => requestRateKey(svc.name)), o.json === true);
            }
          },
          onError: (e, n) => {
            const message = e instanceof Error ? e.message : String(e);
            if (o.json) process.stdout.write(JSON.stringify({ tick: n, error: message }) + '\n');
            else process.stderr.write(`tick ${n}: no decision — ${message}\n`);
          },
        };
        // --ha: only the elected leader ticks, and each tick is committed once across the replicas.
        const summary = haBuffer
          ? await runReplicated({ ...loop, store, url: resolveDbPath(o.db), runId: run.id, json: o.json === true, controller, buffer: haBuffer, approvals: haApprovals })
          : await runLiveLoop(controller, loop);
        await store.runs.complete(run.id, { ...summary });
        if (!o.json) process.stderr.write(`run ${run.id} stopped after ${summary.ticks} ticks (${summary.failedTicks} without telemetry)\n`);
        // Not one tick saw the system: a dead dependency, which scripts must be able to tell from a quiet run.
        if (summary.ticks > 0 && summary.failedTicks === summary.ticks) process.exitCode = 1;
      } catch (e) {
        await store.runs.fail(run.id, e instanceof Error ? e.message : String(e)).catch(() => undefined);
        throw e;
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        await store.close();
        await local?.stop();
      }
    });
}

function prometheusConfig(o: RunOptions): ReturnType<typeof parsePrometheusConfig> {
  let fromFile: Record<string, unknown> = {};
  if (o.prometheusConfig) {
    let text: string;
    try {
      text = readFileSync(o.prometheusConfig, 'utf8');
    } catch (e) {
      throw new UserError(`cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`, o.prometheusConfig);
    }
    let doc: unknown;
    try {
      doc = parseYaml(text);
    } catch (e) {
      throw new UserError(`not valid YAML: ${(e as Error).message.split('\n')[0]}`, o.prometheusConfig);
    }
    if (doc !== null && doc !== undefined && (typeof doc !== 'object' || Array.isArray(doc))) throw new UserError('expected a mapping of settings', o.prometheusConfig);
    fromFile = (doc ?? {}) as Record<string, unknown>;
  }
  const input = o.prometheus ? { ...fromFile, url: o.prometheus } : fromFile;
  if (input.url === undefined) throw new UserError('give the Prometheus URL with --prometheus or url: in --prometheus-config', '--prometheus');
  return parsePrometheusConfig(input, o.prometheusConfig ?? '--prometheus');
}

/**
 * The live planner sets: the same planners `simulate` uses, bounded by the guardrail policy's defaults; autonomic
 * verifies every executed action first (the policy's `verification:` section, else the built-in settings). No
 * RolloutPlanner: no live provider splits traffic between revisions yet (the local one refuses `rollout`), and
 * canary analysis needs per-revision telemetry a live source does not give.
 */
function livePlanners(name: LivePolicy, g: GuardrailPolicy, nodeType: string | undefined): { policies: ScalingPolicy[]; analyzers: Analyzer[] } {
  const { minReplicas, maxReplicas } = resolveServiceBounds(g, '*');
  const nodes: ScalingPolicy[] = [];
  if (nodeType) {
    const t = requireInstanceType(nodeType, '--node-type');
    nodes.push(new ClusterAutoscalerPolicy({
      node: { instanceType: t.name, cpuAllocatableMillis: t.cpuAllocatableMillis, memoryAllocatableMiB: t.memoryAllocatableMiB },
      minNodes: Math.max(1, g.cluster.minNodes), maxNodes: g.cluster.maxNodes,
    }));
  }
  if (name === 'hpa') return { policies: [new HpaPolicy({ default: { minReplicas: Math.max(1, minReplicas), maxReplicas } }), ...nodes], analyzers: [] };
  return {
    policies: [new VerificationPlanner(g.verification ?? {}), new RemediationCoordinator(), new PredictivePolicy({ minReplicas: Math.max(1, minReplicas), maxReplicas }), ...nodes],
    analyzers: [new EventClassifier(), new MemoryTrendAnalyzer()],
  };
}

/** Retrains every service's request-rate models and journals what was promoted or refused, and why. */
async function scheduledRetrain(store: Store, runId: string, at: number, keys: string[], json: boolean): Promise<void> {
  const telemetry = new TelemetryStore(store.db);
  const stored = new Set(await telemetry.keys());
  const outcomes = await retrain(telemetry, new ModelRegistry(store.db), { kinds: DEFAULT_RETRAIN_KINDS, seriesKeys: keys.filter((k) => stored.has(k)) });
  const promoted = outcomes.flatMap((o) => o.kinds.filter((k) => k.decision === 'promoted').map((k) => `${o.seriesKey} → ${k.kind}`));
  const summary = `Scheduled retraining of ${outcomes.length} series: ${promoted.length > 0 ? `promoted ${promoted.join(', ')}` : 'no candidate beat the active models'}.`;
  await store.journal.append({
    at, runId, kind: 'retrain', actor: 'forecast/retrain', summary,
    payload: { series: outcomes.map((o) => ({ key: o.seriesKey, n: o.n, active: o.activeKind, kinds: o.kinds.map((k) => ({ kind: k.kind, decision: k.decision, reason: k.reason, mase_1h: k.scores?.mase_1h ?? null, mase_24h: k.scores?.mase_24h ?? null })) })) },
  });
  if (json) process.stdout.write(JSON.stringify({ retrain: summary }) + '\n');
  else process.stdout.write(`${summary}\n`);
}

function printTick(r: TickResult, n: number, json: boolean): void {
  const decisions = r.decisions.filter((d) => !d.duplicate).map((d) => ({ source: d.proposal.source, verdict: d.verdict.outcome, action: d.verdict.action, rationale: d.proposal.rationale }));
  if (json) {
    process.stdout.write(JSON.stringify({ tick: n, at: r.at, degraded: r.degraded ?? null, services: r.snapshot.services.length, nodes: r.snapshot.nodes.length, proposals: r.proposals, denied: r.denied, queued: r.queued, decisions }) + '\n');
    return;
  }
  const when = new Date(r.at * 1000).toISOString().slice(11, 19);
  process.stdout.write(`${when} tick ${n}: ${r.snapshot.services.length} services, ${r.snapshot.nodes.length} nodes${r.degraded ? ` (DEGRADED: ${r.degraded})` : ''}, ${r.proposals} proposals\n`);
  for (const d of decisions) process.stdout.write(`  [${d.verdict}] ${d.rationale}\n`);
}
