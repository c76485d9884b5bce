/**
 * The twin in (accelerated) real time behind an HTTP endpoint: a clock advances it by wall time × speed, and
 * GET /metrics renders its state in the Prometheus format (metrics-exposition.ts), GET /healthz says it lives.
 * This is what `autonomic sim serve` runs and what the Prometheus end-to-end test scrapes.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TwinCluster } from './cluster.js';
import { renderTwinMetrics, TWIN_PROMETHEUS_CONTENT_TYPE, type TwinPodMetrics } from './metrics-exposition.js';

/**
 * Per-pod CPU counters. The twin integrates CPU per service (every Ready pod carries the same share); a pod's
 * container counter is that integral minus its value when the container last became Ready, so a restart
 * (phase leaves Ready, or the restart count moves) starts the counter again from 0, as cAdvisor's does.
 */
export class PodCpuCounters {
  private readonly base = new Map<string, { at: number; restarts: number }>();

  /** CPU-seconds of `pod`'s current container, given its service's per-pod integral now. */
  value(pod: string, ready: boolean, restarts: number, serviceIntegral: number): number {
    const b = this.base.get(pod);
    if (!ready) {
      this.base.delete(pod);
      return 0;
    }
    if (!b || b.restarts !== restarts) {
      this.base.set(pod, { at: serviceIntegral, restarts });
      return 0;
    }
    return Math.max(0, serviceIntegral - b.at);
  }

  /** Forget pods that no longer exist. */
  retain(names: ReadonlySet<string>): void {
    for (const k of this.base.keys()) if (!names.has(k)) this.base.delete(k);
  }
}

export interface TwinScrapeOptions {
  timeScale: number;
  namespace?: string;
  wallNow?: number;
}

/** One scrape of the twin. Takes a snapshot, so it drains the events and logs the twin queued since the last one. */
export function scrapeTwin(twin: TwinCluster, counters: PodCpuCounters, o: TwinScrapeOptions): string {
  const snapshot = twin.snapshotNow();
  const stats = twin.stats();
  const integral = new Map(stats.services.map((s) => [s.name, s.cpuSecondsPerReadyPod]));
  const pods: TwinPodMetrics[] = [];
  const names = new Set<string>();
  for (const service of twin.serviceNames()) {
    const svcIntegral = integral.get(service) ?? 0;
    for (const p of twin.podsOf(service)) {
      names.add(p.name);
      pods.push({ ...p, service, cpuSeconds: counters.value(p.name, p.phase === 'Ready', p.restarts, svcIntegral) });
    }
  }
  counters.retain(names);
  return renderTwinMetrics({
    snapshot,
    stats,
    pods,
    timeScale: o.timeScale,
    wallNow: o.wallNow ?? Date.now() / 1000,
    namespace: o.namespace ?? 'default',
  });
}

export interface TwinServerOptions {
  host?: string;
  /** 0 = any free port. */
  port?: number;
  /** Simulated seconds per wall second. */
  speed?: number;
  /** How often the clock advances the twin between scrapes (ms). */
  tickMs?: number;
  namespace?: string;
}

export interface TwinServer {
  readonly url: string;
  readonly port: number;
  readonly twin: TwinCluster;
  /** Advance the twin to the current wall time (the server does this on every tick and scrape). */
  sync(): void;
  close(): Promise<void>;
}

/** Starts the clock and the HTTP server; resolves once it listens. */
export async function startTwinServer(twin: TwinCluster, o: TwinServerOptions = {}): Promise<TwinServer> {
  const speed = o.speed ?? 1;
  if (!(speed > 0) || !Number.isFinite(speed)) throw new Error(`speed must be a positive number, got ${speed}`);
  const counters = new PodCpuCounters();
  let last = performance.now();
  const sync = (): void => {
    const now = performance.now();
    const dt = ((now - last) / 1000) * speed;
    last = now;
    if (dt > 0) twin.advance(dt);
  };
  const clock = setInterval(sync, o.tickMs ?? 100);

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/metrics') {
      sync();
      const body = scrapeTwin(twin, counters, { timeScale: speed, namespace: o.namespace });
      res.writeHead(200, { 'content-type': TWIN_PROMETHEUS_CONTENT_TYPE }).end(req.method === 'HEAD' ? undefined : body);
    } else if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    } else if (path === '/') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('autonomic twin: /metrics (Prometheus), /healthz\n');
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    }
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(o.port ?? 0, o.host ?? '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (e) {
    clearInterval(clock);
    throw e;
  }
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${host}:${addr.port}`,
    port: addr.port,
    twin,
    sync,
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(clock);
        // Prometheus keeps its scrape connection alive: close idle ones so close() does not wait for them.
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
