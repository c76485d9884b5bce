/**
 * What the loop sees of the local stack: metrics from Prometheus (the PrometheusSource, with the queries below) and
 * the deployments' events (BackOff, OOMKilled, ...), which Kubernetes serves from its API and Prometheus does not
 * carry either.
 *
 * The query overrides: latency from the replicas' histogram (the defaults read a summary); request, served and
 * error rates from the proxy, which counts what clients got (a replica that crashed mid-request never counts its
 * failure); the machine as the one node, from node_exporter (empty without it: then the snapshot has no nodes).
 */
import type { Snapshot } from '../../../core/snapshot.js';
import type { PrometheusSourceConfigInput } from '../../../monitor/prometheus/config.js';
import type { TelemetrySource } from '../../../monitor/source.js';
import type { LocalDeployment } from './deployment.js';

/** node_uname_info with its `nodename` as `node`, joined onto node_exporter series by instance. */
const NODE = 'on(instance) group_left(node) label_replace(node_uname_info, "node", "$1", "nodename", "(.*)")';

export function localPrometheusConfig(url: string, rateWindow = '10s'): PrometheusSourceConfigInput {
  const proxy = (codes: string): string => `sum by (service) (rate(autonomic_proxy_requests_total${codes}[$window]))`;
  // An idle service's ratios are 0/0 (NaN), which the source bridges as a gap and marks degraded: no traffic is
  // not missing telemetry, so there they are 0 (nothing failed, nothing waited).
  const idle = (counter: string): string => `(sum by (service) (rate(${counter}[$window])) * 0)`;
  const latency = (q: number): string =>
    `(histogram_quantile(${q}, sum by (service, le) (rate(http_request_duration_seconds_bucket[$window]))) >= 0) or ${idle('http_request_duration_seconds_count')}`;
  return {
    url,
    rateWindow,
    timeoutMs: 2000,
    // The loop ticks every few seconds here: a short stale budget and quick retries suit that pace.
    retry: { maxAttempts: 1, initialDelayMs: 100, maxDelayMs: 500 },
    maxStaleSeconds: 30,
    queries: {
      requestRate: proxy(''),
      servedRate: proxy('{code!="503"}'),
      errorRate: `(${proxy('{code=~"5.."}')} / (${proxy('')} > 0)) or ${idle('autonomic_proxy_requests_total')}`,
      latencyP50Seconds: latency(0.5),
      latencyP99Seconds: latency(0.99),
      nodeInfo: 'label_replace(node_uname_info, "node", "$1", "nodename", "(.*)")',
      nodeReady: `up{job="node"} * ${NODE}`,
      nodeCpuAllocatableCores: `count by (instance) (node_cpu_seconds_total{mode="idle"}) * ${NODE}`,
      nodeMemoryAllocatableBytes: `node_memory_MemTotal_bytes * ${NODE}`,
      nodeCreated: `node_boot_time_seconds * ${NODE}`,
    },
  };
}

/** Prometheus's snapshot with the deployments' events of the same moment added. */
export class LocalTelemetrySource implements TelemetrySource {
  readonly name: string;

  constructor(private readonly metrics: TelemetrySource, private readonly deployments: readonly LocalDeployment[]) {
    this.name = `local+${metrics.name}`;
  }

  async snapshot(): Promise<Snapshot> {
    // Events first: the metrics are queried at (about) this instant, so no event is newer than its snapshot.
    const events = this.deployments.flatMap((d) => d.drainEvents(Date.now() / 1000));
    const s = await this.metrics.snapshot();
    return { ...s, events: [...s.events, ...events] };
  }
}
