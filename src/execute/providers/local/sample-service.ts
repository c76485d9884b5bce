/**
 * The sample service the local provider runs as replicas: a Node HTTP server that burns a configurable amount of CPU
 * per request and can be made to misbehave — leak memory, crash, answer slowly, fail a share of requests — from its
 * environment (a release that ships the fault) or at run time through POST /admin/fault?mode=…[&on=false][&rate=MiB/s for leak] (a fault that strikes a
 * running replica). Serves `/` (the work), `/healthz`, `/metrics`.
 *
 * Runs as a child process (`node --import tsx/esm sample-service.ts`): configured by AUTONOMIC_* variables, it prints
 * one JSON line `{"listening":PORT}` on stdout once it accepts connections. With an IPC channel to its parent it
 * exits when the parent goes away, so a killed supervisor leaves no replica behind.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { pathToFileURL } from 'node:url';
import { EXPOSITION_CONTENT_TYPE } from './exposition.js';
import { ReplicaMetrics } from './replica-metrics.js';

export const FAULT_MODES = ['leak', 'crash', 'slow', 'errors'] as const;
export type FaultMode = (typeof FAULT_MODES)[number];

export interface SampleServiceConfig {
  namespace: string;
  service: string;
  pod: string;
  version: string;
  port: number;
  /** CPU burnt per request, synchronously (a replica serves one request's work at a time). */
  cpuMs: number;
  faults: FaultMode[];
  leakMiBPerSecond: number;
  slowMs: number;
  /** Share of requests answered 500 while `errors` is on. */
  errorShare: number;
}

export function isFaultMode(s: string): s is FaultMode {
  return (FAULT_MODES as readonly string[]).includes(s);
}

/** The config from AUTONOMIC_* variables (the supervisor sets them); malformed numbers are errors, not zeros. */
export function configFromEnv(env: NodeJS.ProcessEnv): SampleServiceConfig {
  const num = (name: string, fallback: number): number => {
    const v = env[name];
    if (v === undefined || v === '') return fallback;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number, got '${v}'`);
    return n;
  };
  const faults = (env.AUTONOMIC_FAULTS ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
  const bad = faults.find((f) => !isFaultMode(f));
  if (bad !== undefined) throw new Error(`AUTONOMIC_FAULTS: unknown fault '${bad}' (known: ${FAULT_MODES.join(', ')})`);
  return {
    namespace: env.AUTONOMIC_NAMESPACE ?? 'local',
    service: env.AUTONOMIC_SERVICE ?? 'web',
    pod: env.AUTONOMIC_POD ?? 'web-0-0',
    version: env.AUTONOMIC_VERSION ?? 'v1',
    port: num('AUTONOMIC_PORT', 0),
    cpuMs: num('AUTONOMIC_CPU_MS', 2),
    faults: faults.filter(isFaultMode),
    leakMiBPerSecond: num('AUTONOMIC_LEAK_MIB_PER_S', 8),
    slowMs: num('AUTONOMIC_SLOW_MS', 300),
    errorShare: Math.min(1, num('AUTONOMIC_ERROR_SHARE', 0.5)),
  };
}

export interface RunningService {
  port: number;
  server: Server;
  close(): Promise<void>;
}

export async function startSampleService(config: SampleServiceConfig): Promise<RunningService> {
  // A copy: the admin endpoint changes the leak rate of this replica only.
  const cfg = { ...config };
  const metrics = new ReplicaMetrics(cfg);
  const active = new Set<FaultMode>();
  const leaked: Buffer[] = [];
  let leakTimer: NodeJS.Timeout | undefined;

  const setFault = (mode: FaultMode, on: boolean): void => {
    if (on) active.add(mode);
    else active.delete(mode);
    if (mode === 'crash' && on) {
      // Exit after the admin answer is flushed: a crash mid-traffic, as a real one would strike.
      setTimeout(() => process.exit(70), 10);
    }
    if (mode === 'leak') {
      if (leakTimer) clearInterval(leakTimer);
      leakTimer = undefined;
      if (on) {
        // Filled (not zeroed) buffers: zero pages may never be touched and would not show in the working set.
        const chunk = Math.max(1, Math.round((cfg.leakMiBPerSecond * 1024 * 1024) / 10));
        leakTimer = setInterval(() => leaked.push(Buffer.alloc(chunk, 1)), 100);
        leakTimer.unref();
      }
    }
  };
  for (const f of cfg.faults) setFault(f, true);

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(500);
      res.end(String(e));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://local');
    if (url.pathname === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
      return;
    }
    if (url.pathname === '/metrics') {
      const cpu = process.cpuUsage();
      res.writeHead(200, { 'content-type': EXPOSITION_CONTENT_TYPE }).end(metrics.render((cpu.user + cpu.system) / 1e6, process.memoryUsage.rss()));
      return;
    }
    if (url.pathname === '/admin/fault') {
      const mode = url.searchParams.get('mode') ?? '';
      const on = url.searchParams.get('on') !== 'false';
      if (req.method !== 'POST' || !isFaultMode(mode)) {
        res.writeHead(400, { 'content-type': 'text/plain' }).end(`POST /admin/fault?mode=${FAULT_MODES.join('|')}[&on=false]\n`);
        return;
      }
      const rate = Number(url.searchParams.get('rate') ?? NaN);
      if (mode === 'leak' && Number.isFinite(rate) && rate > 0) cfg.leakMiBPerSecond = rate;
      setFault(mode, on);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ pod: cfg.pod, faults: [...active] }) + '\n');
      return;
    }
    const started = performance.now();
    const until = started + cfg.cpuMs;
    while (performance.now() < until) {
      // Busy on purpose: the request's CPU work.
    }
    if (active.has('slow')) await new Promise((r) => setTimeout(r, cfg.slowMs));
    const code = active.has('errors') && Math.random() < cfg.errorShare ? 500 : 200;
    res.writeHead(code, { 'content-type': 'application/json' }).end(JSON.stringify({ pod: cfg.pod, version: cfg.version, code }) + '\n');
    metrics.observe(code, (performance.now() - started) / 1000);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(cfg.port, '127.0.0.1', () => resolve());
  });
  const addr = server.address();
  if (addr === null || typeof addr === 'string') throw new Error('no TCP address');
  return {
    port: addr.port,
    server,
    close: () => new Promise<void>((r) => {
      if (leakTimer) clearInterval(leakTimer);
      server.close(() => r());
      server.closeAllConnections();
    }),
  };
}

async function main(): Promise<void> {
  const cfg = configFromEnv(process.env);
  const svc = await startSampleService(cfg);
  process.stdout.write(JSON.stringify({ listening: svc.port, pod: cfg.pod }) + '\n');
  // The parent went away (exited or was killed): a replica never outlives its supervisor.
  process.on('disconnect', () => process.exit(0));
  process.on('SIGTERM', () => void svc.close().then(() => process.exit(0)));
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e: unknown) => {
    process.stderr.write(`sample-service: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
