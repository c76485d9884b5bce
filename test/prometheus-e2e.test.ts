/**
 * End to end with a real Prometheus: the twin serves /metrics, Prometheus scrapes it every second, and the
 * HPA's decision from the twin's own snapshot must match its decision from the Prometheus source's snapshot
 * taken at about the same moment. Skips (with the reason) when `prometheus` is not on PATH.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, onPath } from '../src/execute/providers/local/prometheus-server.js';
import type { Snapshot } from '../src/core/snapshot.js';
import { startTwinServer, type TwinServer } from '../src/execute/twin/metrics-server.js';
import { buildScenarioTwin } from '../src/interfaces/cli/commands/sim.js';
import { PrometheusHttpClient } from '../src/monitor/prometheus/http-client.js';
import { parseSampleValue } from '../src/monitor/prometheus/samples.js';
import { PrometheusSource } from '../src/monitor/prometheus/source.js';
import { HpaPolicy } from '../src/plan/scaling/hpa.js';
import { stop, until } from './support/child-processes.js';

const PROMETHEUS = onPath('prometheus');
/** Simulated seconds per wall second: 10 keeps the test short while the twin still steps in 0.5 s of its time. */
const SPEED = 10;
/** One simulated minute (the HPA's metrics window) in wall time. */
const WINDOW = `${60 / SPEED}s`;

/** Desired replicas per service from a fresh HPA (scale-down stabilisation off, so both directions show at once). */
function hpaDesired(snap: Snapshot): Record<string, number> {
  const hpa = new HpaPolicy({ default: { minReplicas: 1, maxReplicas: 100, behavior: { scaleDown: { stabilizationWindowSeconds: 0 } } } });
  const out = Object.fromEntries(snap.services.map((s) => [s.name, s.replicas]));
  for (const p of hpa.decide({ snapshot: snap, now: snap.at })) if (p.action.kind === 'scale') out[p.action.service] = p.action.to;
  return out;
}

async function runCli(args: string[], db: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [join(import.meta.dirname, '..', 'bin', 'autonomic.js'), ...args], { env: { ...process.env, AUTONOMIC_DB: db } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const status = await new Promise<number | null>((r) => child.once('close', (code) => r(code)));
  return { status, stdout, stderr };
}

test(
  'the HPA decides the same from the twin and from a real Prometheus scraping it',
  { skip: PROMETHEUS ? false : 'prometheus is not on PATH (apt-get install prometheus; .ci/run does)', timeout: 60_000 },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'autonomic-prom-'));
    let server: TwinServer | undefined;
    let prom: ChildProcess | undefined;
    let promLog = '';
    try {
      const twin = buildScenarioTwin({ kind: 'generator', name: 'diurnal' }, 1, '');
      server = await startTwinServer(twin, { speed: SPEED, port: 0 });
      const promPort = await freePort();
      const config = join(dir, 'prometheus.yml');
      writeFileSync(
        config,
        `global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: autonomic-twin\n    static_configs:\n      - targets: ['127.0.0.1:${server.port}']\n`,
      );
      prom = spawn(
        PROMETHEUS ?? 'prometheus',
        [`--config.file=${config}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${promPort}`, '--storage.tsdb.retention.time=1h'],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      prom.stdout?.on('data', (d: Buffer) => (promLog += d.toString()));
      prom.stderr?.on('data', (d: Buffer) => (promLog += d.toString()));
      const url = `http://127.0.0.1:${promPort}`;
      const started = performance.now();

      const child = prom;
      const died = (): string | undefined => (child.exitCode !== null || child.signalCode !== null ? `prometheus exited (${child.exitCode ?? child.signalCode})` : undefined);
      await until('Prometheus /-/ready', 15_000, async () => ((await fetch(`${url}/-/ready`)).ok ? true : undefined), died);
      const client = new PrometheusHttpClient({ url, timeoutMs: 2000 });
      const now = (): number => Date.now() / 1000;
      // Prometheus hands new targets to the scraper about 5 s after start; then the rate window has to fill: a series
      // younger than the window makes rate() extrapolate only half a scrape back, and read low.
      const windowS = 60 / SPEED;
      await until(`series older than the ${WINDOW} window`, 25_000, async () => {
        const v = await client.instant(`min(count_over_time(container_cpu_usage_seconds_total[${2 * windowS}s]))`, now());
        return v.length > 0 && parseSampleValue(v[0].value[1]) >= windowS + 2 ? true : undefined;
      }, died);
      const readyAfter = (performance.now() - started) / 1000;

      const source = new PrometheusSource({ url, rateWindow: WINDOW, timeoutMs: 2000 });
      server.sync();
      const fromTwin = twin.snapshotNow();
      const fromProm = await source.snapshot();
      assert.equal(fromProm.degraded, undefined);
      assert.deepEqual(fromProm.services.map((s) => s.name).sort(), fromTwin.services.map((s) => s.name).sort());
      assert.equal(fromProm.nodes.length, fromTwin.nodes.length);
      assert.ok(Math.abs(fromProm.costPerHour - fromTwin.costPerHour) < 1e-9);
      const views: string[] = [];
      for (const t of fromTwin.services) {
        const p = fromProm.services.find((s) => s.name === t.name);
        assert.ok(p);
        views.push(`${t.name} cpu ${t.cpuUtilization.toFixed(3)}/${p.cpuUtilization.toFixed(3)} rate ${t.requestRate.toFixed(1)}/${p.requestRate.toFixed(1)}`);
        assert.equal(p.replicas, t.replicas, t.name);
        assert.equal(p.readyReplicas, t.readyReplicas, t.name);
        assert.equal(p.cpuRequestMillis, t.cpuRequestMillis, t.name);
        // The twin's CPU is a 1-minute mean published every 15 s; Prometheus' is rate() over the same simulated minute,
        // ending up to one scrape ago (observed: within 0.005 of utilisation and 2 % of rate). Bounds: 0.05 and 10 %.
        assert.ok(Math.abs(p.cpuUtilization - t.cpuUtilization) < 0.05, `${t.name} cpu ${p.cpuUtilization} vs ${t.cpuUtilization}`);
        assert.ok(Math.abs(p.requestRate - t.requestRate) < 0.1 * t.requestRate + 1, `${t.name} rate ${p.requestRate} vs ${t.requestRate}`);
        // Per-pod memory through cAdvisor's working set and kube-state-metrics' limit: the same pods and numbers.
        const memory = (x: typeof t): string[] => (x.pods.memory ?? []).map((m) => `${m.pod} ${m.workingSetMiB.toFixed(3)}/${m.limitMiB ?? '-'}/${m.requestMiB ?? '-'}`).sort();
        assert.ok(memory(t).length > 0);
        assert.deepEqual(memory(p), memory(t), t.name);
      }

      const twinDesired = hpaDesired(fromTwin);
      const promDesired = hpaDesired(fromProm);
      // Tolerance ±1 replica: the two views sample the same noisy minute at slightly different instants, and
      // ceil(replicas × utilisation / target) can land on either side of an integer.
      for (const [svc, want] of Object.entries(twinDesired)) {
        assert.ok(Math.abs(promDesired[svc] - want) <= 1, `${svc}: HPA wants ${want} from the twin, ${promDesired[svc]} from Prometheus`);
      }
      // Not a trivial agreement: at this hour the HPA wants to change the static replica counts.
      assert.ok(fromTwin.services.some((s) => twinDesired[s.name] !== s.replicas), JSON.stringify(twinDesired));

      // A container restart resets its CPU counter to 0; rate() must read through the reset.
      const pod = twin.podsOf('web').find((p) => p.phase === 'Ready')?.name ?? '';
      const outcome = twin.applyNow({ kind: 'restart-pod', service: 'web', pod });
      assert.ok(outcome.ok, outcome.message);
      const sel = `container_cpu_usage_seconds_total{pod="${pod}"}`;
      await until(`a counter reset of ${pod}, then the counter growing again`, 20_000, async () => {
        const resets = await client.instant(`resets(${sel}[20s])`, now());
        const value = await client.instant(sel, now());
        const r = resets.length > 0 ? parseSampleValue(resets[0].value[1]) : 0;
        const v = value.length > 0 ? parseSampleValue(value[0].value[1]) : 0;
        return r >= 1 && v > 0 ? true : undefined;
      }, died);
      const rate = await client.instant(`rate(${sel}[${WINDOW}])`, now());
      const cores = parseSampleValue(rate[0]?.value[1] ?? 'NaN');
      assert.ok(cores >= 0 && cores <= 0.5, `rate across the reset is ${cores} cores for a 500m pod`);
      const after = await source.snapshot();
      const web = after.services.find((s) => s.name === 'web');
      assert.ok(web && web.cpuUtilization >= 0 && web.cpuUtilization < 1, `web utilisation after the reset: ${web?.cpuUtilization}`);

      // The CLI's live loop on the same Prometheus: shadow mode, two ticks, one JSON line each, the run recorded.
      const promYaml = join(dir, 'prom.yaml');
      writeFileSync(promYaml, `url: ${url}\nrateWindow: ${WINDOW}\ntimeoutMs: 2000\n`);
      // Asynchronously: the twin's /metrics is served by this process and must keep answering scrapes meanwhile.
      const cli = await runCli(['run', '--prometheus-config', promYaml, '--ticks', '2', '--interval', '1s', '--json'], join(dir, 'run.db'));
      assert.equal(cli.status, 0, `${cli.stdout}\n${cli.stderr}`);
      const ticks = cli.stdout.trim().split('\n').map((l) => JSON.parse(l) as { tick: number; services: number; nodes: number; degraded: string | null });
      assert.deepEqual(ticks.map((t) => t.tick), [1, 2]);
      for (const t of ticks) {
        assert.equal(t.services, fromTwin.services.length);
        assert.equal(t.nodes, fromTwin.nodes.length);
        assert.equal(t.degraded, null);
      }
      const runs = await runCli(['runs', 'list', '--json'], join(dir, 'run.db'));
      const listed = JSON.parse(runs.stdout) as { command: string; status: string }[];
      assert.deepEqual(listed.map((r) => [r.command, r.status]), [['run', 'completed']]);

      console.log(
        `prometheus e2e: window full after ${readyAfter.toFixed(1)} s; twin/prometheus ${views.join(', ')}; HPA desired twin ${JSON.stringify(twinDesired)} prometheus ${JSON.stringify(promDesired)}; ` +
          `total ${((performance.now() - started) / 1000).toFixed(1)} s`,
      );
    } catch (e) {
      if (promLog) console.error(`prometheus log (tail):\n${promLog.slice(-2000)}`);
      throw e;
    } finally {
      if (prom) await stop(prom);
      await server?.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
