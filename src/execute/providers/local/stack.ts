/**
 * The whole local substrate in one object: a deployment of sample-service replicas behind the round-robin proxy,
 * node_exporter (when installed) and a real Prometheus scraping them every second, plus what the loop needs to run
 * on it — the provider and the telemetry source. `stop()` ends every process it started and removes its files.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PrometheusSource } from '../../../monitor/prometheus/source.js';
import { LocalDeployment, type DeploymentSpec } from './deployment.js';
import { LocalProvider } from './local-provider.js';
import { LocalPrometheus, startNodeExporter, type ManagedProcess } from './prometheus-server.js';
import { RoundRobinProxy } from './proxy.js';
import { renderStateMetrics } from './state-metrics.js';
import { localPrometheusConfig, LocalTelemetrySource } from './telemetry.js';

export interface LocalStackOptions {
  deployment?: Partial<DeploymentSpec>;
  retryBudget?: number;
  /** Start Prometheus (default true); without it only the processes and the proxy run (provider tests). */
  prometheus?: boolean;
  /** PromQL rate window for the source. */
  rateWindow?: string;
}

export const DEFAULT_DEPLOYMENT: DeploymentSpec = {
  namespace: 'local',
  service: 'web',
  replicas: 3,
  revision: { version: 'v1', cpuMs: 2, faults: [] },
  cpuRequestCores: 0.25,
  memoryRequestMiB: 128,
  memoryLimitMiB: 256,
};

export class LocalStack {
  readonly provider: LocalProvider;
  readonly source: LocalTelemetrySource | undefined;

  private constructor(
    readonly deployment: LocalDeployment,
    readonly proxy: RoundRobinProxy,
    readonly prometheus: LocalPrometheus | undefined,
    readonly nodeExporter: ManagedProcess | undefined,
    private readonly dir: string,
    rateWindow: string,
  ) {
    this.provider = new LocalProvider([deployment]);
    this.source = prometheus ? new LocalTelemetrySource(new PrometheusSource(localPrometheusConfig(prometheus.url, rateWindow)), [deployment]) : undefined;
  }

  static async start(o: LocalStackOptions = {}): Promise<LocalStack> {
    const spec: DeploymentSpec = { ...DEFAULT_DEPLOYMENT, ...o.deployment };
    const dir = mkdtempSync(join(tmpdir(), 'autonomic-local-'));
    const node = hostname();
    let deployment: LocalDeployment | undefined;
    let prometheus: LocalPrometheus | undefined;
    let nodeExporter: ManagedProcess | undefined;
    const targets = new Map<string, string>();
    const proxy = new RoundRobinProxy({ namespace: spec.namespace, service: spec.service, retryBudget: o.retryBudget, extraMetrics: () => (deployment ? renderStateMetrics(deployment, (p) => proxy.isReady(p), node) : '') });
    try {
      await proxy.start();
      if (o.prometheus !== false) {
        nodeExporter = await startNodeExporter();
        prometheus = await LocalPrometheus.start(dir, { proxy: `127.0.0.1:${proxy.port}`, node: nodeExporter?.url.replace('http://', '') });
      }
      const prom = prometheus;
      deployment = new LocalDeployment(spec, {
        add: (pod, url) => {
          proxy.add(pod, url);
          targets.set(pod, url.replace('http://', ''));
          prom?.setReplicaTargets([...targets.values()]);
        },
        remove: (pod) => {
          proxy.remove(pod);
          targets.delete(pod);
          prom?.setReplicaTargets([...targets.values()]);
        },
      });
      await deployment.start();
      return new LocalStack(deployment, proxy, prometheus, nodeExporter, dir, o.rateWindow ?? '10s');
    } catch (e) {
      await deployment?.stop().catch(() => undefined);
      await prometheus?.stop().catch(() => undefined);
      await nodeExporter?.stop().catch(() => undefined);
      await proxy.stop().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
      throw e;
    }
  }

  /** Polls until every desired replica is Ready at the proxy (and, with Prometheus, the source sees them all). */
  async settled(timeoutMs = 30_000): Promise<void> {
    const end = performance.now() + timeoutMs;
    let why = '';
    while (performance.now() < end) {
      const pods = this.deployment.list();
      const ready = pods.filter((p) => p.alive && this.proxy.isReady(p.pod)).length;
      why = `${ready}/${this.deployment.replicas} replicas ready at the proxy`;
      if (ready === this.deployment.replicas && pods.length === ready) {
        if (!this.source) return;
        try {
          const s = await this.source.snapshot();
          const svc = s.services.find((x) => x.name === this.deployment.name);
          const withMemory = svc?.pods.memory?.length ?? 0;
          why = svc ? `Prometheus sees ${svc.readyReplicas}/${svc.replicas} ready, memory of ${withMemory} pods${s.degraded ? `, degraded: ${s.degraded}` : ''}` : 'Prometheus does not see the deployment yet';
          if (svc && !s.degraded && svc.readyReplicas === this.deployment.replicas && withMemory === this.deployment.replicas) return;
        } catch (e) {
          why = e instanceof Error ? e.message : String(e);
        }
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    throw new Error(`local stack not settled within ${timeoutMs} ms: ${why}`);
  }

  async stop(): Promise<void> {
    await this.deployment.stop().catch(() => undefined);
    await this.proxy.stop().catch(() => undefined);
    await this.prometheus?.stop().catch(() => undefined);
    await this.nodeExporter?.stop().catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
