/**
 * The live system a one-shot command (`drift`, `retire`) reads: Prometheus (`--prometheus`, `--prometheus-config`)
 * or a Kubernetes cluster (`--kubeconfig`), and how such a command queues what it proposes about it. Written so
 * `run` can share it later: its own Prometheus-config loading does the same with run's options type.
 */
import type { Command } from 'commander';
import { UserError } from '../../core/errors.js';
import type { Proposal, Verdict } from '../../core/proposal.js';
import type { Snapshot } from '../../core/snapshot.js';
import { ApprovalQueue } from '../../govern/approvals.js';
import { Guardrails } from '../../govern/guardrails.js';
import type { GuardrailPolicy } from '../../govern/policy.js';
import type { Store } from '../../knowledge/store.js';
import { parseLocatedYaml, readConfigFile } from '../../core/yaml-config.js';
import { parsePrometheusConfig, type PrometheusSourceConfig } from '../../monitor/prometheus/config.js';
import { PrometheusSource } from '../../monitor/prometheus/source.js';
import type { TelemetrySource } from '../../monitor/source.js';

export interface LiveSourceFlags {
  prometheus?: string;
  prometheusConfig?: string;
  kubeconfig?: string;
}

/** The flags a one-shot command on the live system has besides the source: policy, store, --queue and --json. */
export interface LiveCommandFlags extends LiveSourceFlags {
  policy?: string;
  db?: string;
  queue?: boolean;
  json?: boolean;
}

export interface LiveSource {
  source: TelemetrySource;
  /** `prometheus http://…` or `kubernetes https://…`: for messages and --json output. */
  kind: 'prometheus' | 'kubernetes';
  where: string;
}

/** The three source flags, added the same way to every command that reads a live system. */
export function addLiveSourceOptions(cmd: Command): Command {
  return cmd
    .option('--prometheus <url>', 'read the live system from Prometheus at this base URL, e.g. http://127.0.0.1:9090')
    .option('--prometheus-config <file>', 'YAML with the Prometheus source settings (url, timeoutMs, retry, rateWindow, queries per signal, …); --prometheus overrides its url')
    .option('--kubeconfig <file>', 'read the live system from the Kubernetes cluster this kubeconfig\'s current context points at');
}

/**
 * The Prometheus source settings from `--prometheus-config` (YAML, located syntax errors) and `--prometheus` (wins
 * over the file's url). A missing URL or a bad field is a UserError naming the flag or file.
 */
export function prometheusSourceConfig(flags: Pick<LiveSourceFlags, 'prometheus' | 'prometheusConfig'>): PrometheusSourceConfig {
  let fromFile: Record<string, unknown> = {};
  if (flags.prometheusConfig !== undefined) {
    const doc = parseLocatedYaml(readConfigFile(flags.prometheusConfig, 'Prometheus config file'), flags.prometheusConfig).data;
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new UserError('expected a mapping of settings', flags.prometheusConfig);
    fromFile = doc as Record<string, unknown>;
  }
  const input = flags.prometheus !== undefined ? { ...fromFile, url: flags.prometheus } : fromFile;
  if (input.url === undefined) throw new UserError('give the Prometheus URL with --prometheus or url: in --prometheus-config', '--prometheus');
  return parsePrometheusConfig(input, flags.prometheusConfig ?? '--prometheus');
}

/** Exactly one live system, from the flags; nothing is contacted yet. */
export async function liveSourceFromFlags(flags: LiveSourceFlags): Promise<LiveSource> {
  const prom = flags.prometheus !== undefined || flags.prometheusConfig !== undefined;
  if (prom && flags.kubeconfig !== undefined) throw new UserError('give one live system: Prometheus or Kubernetes, not both', '--kubeconfig');
  if (prom) {
    const config = prometheusSourceConfig(flags);
    return { source: new PrometheusSource(config), kind: 'prometheus', where: config.url };
  }
  if (flags.kubeconfig !== undefined) {
    // Loaded only when asked for: the Kubernetes client is heavy, and every other command starts faster without it.
    const { kubernetesSourceFromKubeconfig } = await import('../../execute/providers/kubernetes/factory.js');
    const source = kubernetesSourceFromKubeconfig(flags.kubeconfig);
    return { source, kind: 'kubernetes', where: flags.kubeconfig };
  }
  throw new UserError('which live system? give --prometheus URL, --prometheus-config FILE or --kubeconfig FILE', '--prometheus');
}

/**
 * One snapshot of the live system. A one-shot command has no last good snapshot to fall back on, and comparing or
 * retiring on stale or partial data would report things that are not so: an unreadable or degraded source is an
 * error naming it (exit 2), never a result.
 */
export async function readLiveSnapshot(live: LiveSource): Promise<Snapshot> {
  let snapshot: Snapshot;
  try {
    snapshot = await live.source.snapshot();
  } catch (e) {
    if (e instanceof UserError) throw e;
    const why = (e instanceof Error ? e.message : String(e)).split('\n')[0];
    throw new UserError(`cannot read the live system: ${why}`, `${live.kind} ${live.where}`);
  }
  if (snapshot.degraded !== undefined) throw new UserError(`the telemetry is degraded, nothing was compared: ${snapshot.degraded}`, `${live.kind} ${live.where}`);
  return snapshot;
}

/** A proposal a one-shot command sent through the guardrails: queued for approval, or denied (no approvalId). */
export interface QueuedProposal {
  proposal: Proposal;
  verdict: Verdict;
  approvalId?: string;
}

/** Where a one-shot command's proposals go: the policy's guardrails, then the store's approval queue, as of `snapshot`. */
export function approvalRoute(policy: GuardrailPolicy, store: Store, snapshot: Snapshot): { gate: Guardrails; sink: ApprovalQueue; snapshot: Snapshot; now: number } {
  return {
    gate: new Guardrails(policy),
    sink: new ApprovalQueue(store.approvals, { expirySeconds: policy.approvals.expirySeconds }),
    snapshot, now: snapshot.at,
  };
}

/** One journal entry per proposal queued or denied, so the journal shows which command asked for what and why. */
export async function journalQueued<Q extends QueuedProposal>(store: Store, actor: string, at: number, queued: readonly Q[], summary: (q: Q) => string): Promise<void> {
  for (const q of queued) {
    await store.journal.append({
      at, runId: null, kind: 'proposal', actor, summary: summary(q),
      payload: { source: q.proposal.source, rationale: q.proposal.rationale, verdict: q.verdict.outcome, action: q.verdict.action, reasons: q.verdict.reasons, approvalId: q.approvalId ?? null },
    });
  }
}
