/**
 * What one sample-service replica exports, under the names the Prometheus source reads for a pod: an HTTP
 * middleware's http_requests_total (by code) and http_request_duration_seconds (a histogram), and the cAdvisor
 * names for the process's CPU and memory (a replica is its own container here).
 */
import { Exposition, type Labels } from './exposition.js';

/** Seconds; dense around the sample service's few-millisecond requests, up to its slow-fault delays. */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] as const;

export interface ReplicaIdentity {
  namespace: string;
  service: string;
  pod: string;
  version: string;
}

export class ReplicaMetrics {
  private readonly byCode = new Map<string, number>();
  private readonly buckets = LATENCY_BUCKETS.map(() => 0);
  private count = 0;
  private sum = 0;

  constructor(readonly id: ReplicaIdentity) {}

  observe(code: number, seconds: number): void {
    const c = String(code);
    this.byCode.set(c, (this.byCode.get(c) ?? 0) + 1);
    LATENCY_BUCKETS.forEach((le, i) => {
      if (seconds <= le) this.buckets[i]++;
    });
    this.count++;
    this.sum += seconds;
  }

  /** cpuSeconds and workingSetBytes are read by the caller at scrape time (process.cpuUsage, rss). */
  render(cpuSeconds: number, workingSetBytes: number): string {
    const { namespace, service, pod, version } = this.id;
    const e = new Exposition();
    const svc: Labels = { namespace, service, pod };
    const requests = e.family('http_requests_total', 'counter', 'Requests answered, by status code.');
    // Both usual codes are always present, so rate() of errors is 0 (not absent) on a healthy replica.
    for (const code of new Set(['200', '500', ...this.byCode.keys()])) requests({ ...svc, code }, this.byCode.get(code) ?? 0);
    const latency = e.family('http_request_duration_seconds', 'histogram', 'Request latency.');
    LATENCY_BUCKETS.forEach((le, i) => latency({ ...svc, le: String(le) }, this.buckets[i], '_bucket'));
    latency({ ...svc, le: '+Inf' }, this.count, '_bucket');
    latency(svc, this.sum, '_sum');
    latency(svc, this.count, '_count');
    const ctr: Labels = { namespace, pod, container: service };
    e.family('container_cpu_usage_seconds_total', 'counter', 'Cumulative cpu time consumed in seconds.')(ctr, cpuSeconds);
    e.family('container_memory_working_set_bytes', 'gauge', 'Current working set in bytes (the process RSS).')(ctr, workingSetBytes);
    e.family('autonomic_sample_service_info', 'gauge', 'The revision this replica runs.')({ ...svc, version }, 1);
    return e.render();
  }
}
