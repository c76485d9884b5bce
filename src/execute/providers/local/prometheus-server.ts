/**
 * A real Prometheus (and node_exporter, when installed) as child processes for the local stack: scraping every
 * second the proxy (static target), the replicas (file_sd: the stack rewrites the file as replicas come and go) and
 * the machine. Prometheus applies discovered targets at most every 5 s, so a new replica's own series appear a
 * few seconds after it starts; readiness comes from the proxy's scrape and is not delayed by that.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, renameSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';
import { trackChild } from './child-registry.js';

export function onPath(bin: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const p = join(dir, bin);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const addr = s.address();
  await new Promise<void>((r) => s.close(() => r()));
  if (addr === null || typeof addr === 'string') throw new Error('no free port');
  return addr.port;
}

export interface ManagedProcess {
  url: string;
  child: ChildProcess;
  log(): string;
  stop(): Promise<void>;
}

function manage(bin: string, args: string[], url: string): ManagedProcess {
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  trackChild(child);
  let log = '';
  const keep = (d: Buffer): void => {
    log = (log + d.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return {
    url, child, log: () => log,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    },
  };
}

async function waitReady(p: ManagedProcess, path: string, what: string, timeoutMs: number): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (performance.now() < end) {
    if (p.child.exitCode !== null || p.child.signalCode !== null) throw new Error(`${what} exited (${p.child.exitCode ?? p.child.signalCode}): ${p.log().slice(-800)}`);
    try {
      const r = await fetch(`${p.url}${path}`, { signal: AbortSignal.timeout(1000) });
      await r.body?.cancel();
      if (r.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  await p.stop();
  throw new Error(`${what} not ready within ${timeoutMs} ms: ${p.log().slice(-800)}`);
}

/** node_exporter with only the collectors the node signals use, on a free port; undefined when not installed. */
export async function startNodeExporter(): Promise<ManagedProcess | undefined> {
  const bin = onPath('prometheus-node-exporter') ?? onPath('node_exporter');
  if (!bin) return undefined;
  const port = await freePort();
  const p = manage(bin, [`--web.listen-address=127.0.0.1:${port}`, '--collector.disable-defaults', '--collector.cpu', '--collector.meminfo', '--collector.uname', '--collector.loadavg', '--collector.stat'], `http://127.0.0.1:${port}`);
  await waitReady(p, '/metrics', 'node_exporter', 10_000);
  return p;
}

export interface PrometheusTargets {
  /** host:port of the proxy (scraped at /-/metrics). */
  proxy: string;
  /** host:port of node_exporter, if running. */
  node?: string;
}

export class LocalPrometheus {
  readonly replicaTargetsFile: string;
  private constructor(readonly process: ManagedProcess, readonly configFile: string, dir: string) {
    this.replicaTargetsFile = join(dir, 'replicas.json');
  }

  get url(): string {
    return this.process.url;
  }

  /** Writes the config into `dir` and starts Prometheus on a free port; resolves once it is ready. */
  static async start(dir: string, targets: PrometheusTargets, bin = onPath('prometheus')): Promise<LocalPrometheus> {
    if (!bin) throw new Error('prometheus is not on PATH (Debian: apt-get install prometheus)');
    const targetsFile = join(dir, 'replicas.json');
    writeFileSync(targetsFile, '[]\n');
    const configFile = join(dir, 'prometheus.yml');
    writeFileSync(configFile, prometheusConfig(targets, targetsFile));
    const port = await freePort();
    const p = manage(bin, [`--config.file=${configFile}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--storage.tsdb.retention.time=1h'], `http://127.0.0.1:${port}`);
    await waitReady(p, '/-/ready', 'prometheus', 20_000);
    return new LocalPrometheus(p, configFile, dir);
  }

  /** Replaces the replica targets (atomically: Prometheus never reads half a file). */
  setReplicaTargets(hostPorts: readonly string[]): void {
    const tmp = `${this.replicaTargetsFile}.tmp`;
    writeFileSync(tmp, JSON.stringify([{ targets: hostPorts, labels: {} }]) + '\n');
    renameSync(tmp, this.replicaTargetsFile);
  }

  stop(): Promise<void> {
    return this.process.stop();
  }
}

/** The scrape config: every target each second; the exporters' own namespace/pod/service labels are kept. */
export function prometheusConfig(t: PrometheusTargets, replicaTargetsFile: string): string {
  return [
    'global:',
    '  scrape_interval: 1s',
    '  scrape_timeout: 1s',
    '  evaluation_interval: 1s',
    'scrape_configs:',
    '  - job_name: local-proxy',
    '    metrics_path: /-/metrics',
    '    honor_labels: true',
    '    static_configs:',
    `      - targets: ['${t.proxy}']`,
    '  - job_name: local-replicas',
    '    honor_labels: true',
    '    file_sd_configs:',
    `      - files: ['${replicaTargetsFile}']`,
    '        refresh_interval: 1s',
    ...(t.node ? ['  - job_name: node', '    static_configs:', `      - targets: ['${t.node}']`] : []),
    '',
  ].join('\n');
}
