/**
 * `autonomic drift` and `autonomic retire` as a user runs them: real CLI child processes, a temp SQLite store, and a
 * real Prometheus scraping a twin served in this process (the twin's /metrics, as `autonomic sim serve` serves it).
 * The store is seeded the way `autonomic run` fills it: a live run's executed decisions, and 5-minute telemetry
 * buckets. The live tests skip (with the reason) when `prometheus` is not on PATH; the bad-input tests always run.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, onPath } from '../src/execute/providers/local/prometheus-server.js';
import { TwinCluster } from '../src/execute/twin/cluster.js';
import { startTwinServer, type TwinServer } from '../src/execute/twin/metrics-server.js';
import { openStore } from '../src/knowledge/store.js';
import { BUCKET_SECONDS, TelemetryStore } from '../src/knowledge/telemetry.js';
import { requestRateKey } from '../src/loop/telemetry-recorder.js';
import { nodePodsKey } from '../src/plan/lifecycle/node-occupancy.js';
import type { Action } from '../src/core/action.js';
import { stop, until } from './support/child-processes.js';

const BIN = join(import.meta.dirname, '..', 'bin', 'autonomic.js');
const PROMETHEUS = onPath('prometheus');
const SKIP = PROMETHEUS ? false : 'prometheus is not on PATH (apt-get install prometheus; .ci/run does)';
/** Simulated seconds per wall second; one simulated minute is a 6 s PromQL window. */
const SPEED = 10;
const WINDOW_S = 60 / SPEED;

const dir = mkdtempSync(join(tmpdir(), 'autonomic-lifecycle-cli-'));
const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
  rmSync(dir, { recursive: true, force: true });
});

interface Ran { code: number | null; stdout: string; stderr: string }

/** Asynchronous: the twin's /metrics is served by this process and must keep answering Prometheus meanwhile. */
async function cli(args: string[]): Promise<Ran> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((r) => child.once('close', (c) => r(c)));
  return { code, stdout, stderr };
}

function json<T>(r: Ran): T {
  assert.ok(r.stdout.trim().startsWith('{'), `expected one JSON object, got: ${r.stdout.slice(0, 300)} ${r.stderr.slice(0, 300)}`);
  return JSON.parse(r.stdout) as T;
}

/** Exit 2 with exactly one located `error:` line and no stack trace. */
function assertBadInput(r: Ran, pattern: RegExp): void {
  assert.equal(r.code, 2, `${r.stdout}\n${r.stderr}`);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0], /^error: /);
  assert.match(lines[0], pattern);
  assert.ok(!r.stderr.includes('    at '), 'no stack trace');
  assert.equal(r.stdout, '');
}

interface Live { twin: TwinCluster; promConfig: string; nodes: string[] }
let live: Promise<Live> | undefined;

/**
 * A small shop on the twin: `web` busy, `legacy-reports` with no load at all, three nodes of which the scheduler packs
 * all pods on the first. Served at /metrics and scraped every second by a real Prometheus; started once, for both tests.
 */
function liveSystem(): Promise<Live> {
  live ??= (async () => {
    const twin = new TwinCluster({
      seed: 7,
      nodePools: [{ instanceType: 'm5.xlarge', count: 3 }],
      services: [
        { name: 'web', replicas: 3, load: { generator: 'steady', params: { base: 50 } } },
        { name: 'legacy-reports', replicas: 2, load: { generator: 'steady', params: { base: 0, burstsPerDay: 0, noise: 0 } } },
      ],
    });
    twin.advance(120);
    const server: TwinServer = await startTwinServer(twin, { speed: SPEED, port: 0 });
    cleanups.push(() => server.close());
    const promDir = join(dir, 'prometheus');
    mkdirSync(promDir);
    const config = join(promDir, 'prometheus.yml');
    writeFileSync(config, `global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n  - job_name: twin\n    static_configs:\n      - targets: ['127.0.0.1:${server.port}']\n`);
    const port = await freePort();
    let log = '';
    const prom = spawn(PROMETHEUS ?? 'prometheus', [`--config.file=${config}`, `--storage.tsdb.path=${join(promDir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    prom.stdout.on('data', (d: Buffer) => (log += d.toString()));
    prom.stderr.on('data', (d: Buffer) => (log += d.toString()));
    cleanups.push(() => stop(prom));
    const url = `http://127.0.0.1:${port}`;
    const died = (): string | undefined => (prom.exitCode !== null || prom.signalCode !== null ? `prometheus exited: ${log.slice(-500)}` : undefined);
    // Rates need series older than their window, or rate() reads low.
    await until('Prometheus with a full rate window', 120_000, async () => {
      const r = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(`min(count_over_time(container_cpu_usage_seconds_total[${2 * WINDOW_S}s]))`)}`);
      const body = (await r.json()) as { data?: { result?: { value: [number, string] }[] } };
      const v = Number(body.data?.result?.[0]?.value[1] ?? 0);
      return v >= WINDOW_S + 2 ? true : undefined;
    }, died);
    const promConfig = join(dir, 'prom.yaml');
    writeFileSync(promConfig, `url: ${url}\nrateWindow: ${WINDOW_S}s\ntimeoutMs: 15000\n`);
    return { twin, promConfig, nodes: twin.snapshotNow().nodes.map((n) => n.name).sort() };
  })();
  return live;
}

const executed = (action: Action): unknown => ({ action, outcome: { ok: true, message: 'done' }, verdict: 'allow' });

/** Runs `cases` three at a time: each CLI start costs seconds of CPU, and the cores are shared. */
async function inBatches<T>(cases: readonly T[], run: (c: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < cases.length; i += 3) await Promise.all(cases.slice(i, i + 3).map(run));
}

test('bad input: one located line, exit 2, nothing written', async () => {
  const db = join(dir, 'never.db');
  const promArgs = ['--prometheus', 'http://127.0.0.1:1', '--db', db];
  const badPolicy = join(dir, 'bad-policy.yaml');
  writeFileSync(badPolicy, 'drift:\n  reconcile: sometimes\n');
  const graph = join(dir, 'bad-graph.yaml');
  writeFileSync(graph, 'dependencies:\n  web: api\n');
  const promBad = join(dir, 'prom-bad.yaml');
  writeFileSync(promBad, 'url: ftp://example\n');
  // Nothing answers there: the command could not look, which is not "no drift".
  const promDead = join(dir, 'prom-dead.yaml');
  writeFileSync(promDead, 'url: http://127.0.0.1:1\ntimeoutMs: 500\nretry: { maxAttempts: 0 }\n');
  const cases: [string[], RegExp][] = [
    [['drift', '--db', db], /--prometheus: which live system\? give --prometheus URL, --prometheus-config FILE or --kubeconfig FILE/],
    [['retire', '--db', db, '--json'], /which live system/],
    [['drift', '--prometheus', 'http://x', '--kubeconfig', 'k.yaml', '--db', db], /--kubeconfig: give one live system/],
    [['drift', '--policy', join(dir, 'missing.yaml'), ...promArgs], /missing\.yaml: policy file not found/],
    // A directory where the policy file should be: unreadable.
    [['retire', '--policy', dir, ...promArgs], /cannot read policy file \(EISDIR\)/],
    [['drift', '--policy', badPolicy, ...promArgs], /bad-policy\.yaml:2:\d+: .*reconcile/],
    [['drift', '--settle', 'soon', ...promArgs], /--settle: expected a duration/],
    [['retire', '--idle-days', 'abc', ...promArgs], /--idle-days: expected a positive number, got 'abc'/],
    [['retire', '--idle-days', '400', ...promArgs], /--idle-days: 400 is more than the maximum of 365/],
    [['retire', '--idle-hours', '-3', ...promArgs], /--idle-hours: expected a positive number/],
    [['retire', '--graph', graph, ...promArgs], /bad-graph\.yaml:2:\d+: dependencies\.web/],
    [['retire', '--kubeconfig', join(dir, 'nope.kubeconfig'), '--db', db], /nope\.kubeconfig: kubeconfig file not found/],
    [['drift', '--prometheus-config', promBad, '--db', db], /prom-bad\.yaml url/],
    [['drift', '--prometheus-config', promDead, '--db', db], /prometheus http:\/\/127\.0\.0\.1:1: cannot read the live system/],
  ];
  await inBatches(cases, async ([args, pattern]) => assertBadInput(await cli(args), pattern));
  assert.ok(!existsSync(db), 'bad input never creates the store');

  const [help, rhelp] = await Promise.all([cli(['drift', '--help']), cli(['retire', '--help'])]);
  assert.equal(help.code, 0, help.stderr);
  assert.match(help.stdout, /Exit codes: 0 no drift .* 1 drift found, 2 bad input/);
  assert.match(help.stdout, /autonomic drift --prometheus http/);
  assert.equal(rhelp.code, 0, rhelp.stderr);
  assert.match(rhelp.stdout, /Exit codes: 0 nothing to retire, 1 candidates found, 2 bad input/);
  assert.match(rhelp.stdout, /--idle-days <n>/);
});

interface DriftJson {
  source: { kind: string; where: string };
  drifted: number;
  report: { checked: number; settling: number; items: { resource: string; field: string; desired: number | boolean; live: number | boolean; sourceSeq: number | null; ignored: boolean; message: string }[] };
  reconciliation: { proposals: { action: Action; source: string }[]; skipped: { reason: string }[] };
  queued: { verdict: { outcome: string; action: Action; reasons: string[] }; approvalId?: string }[] | null;
}

test('autonomic drift against a real Prometheus: live runs\' executed decisions vs the live replicas; --queue only queues', { skip: SKIP, timeout: 900_000 }, async () => {
  const { twin, promConfig, nodes } = await liveSystem();
  const db = join(dir, 'drift.db');
  const now = Date.now() / 1000;
  let webSeq: number;
  {
    const store = await openStore(db);
    const run = await store.runs.create({ command: 'run', config: { source: 'prometheus' } });
    const sim = await store.runs.create({ command: 'simulate', config: {} });
    const entry = (runId: string, at: number, action: Action, payload: unknown = executed(action)) =>
      ({ at, runId, kind: 'decision', actor: 'predictive', summary: 'scaled', payload });
    const seeded = await store.journal.appendBatch([
      // What Autonomic applied 20 minutes ago: web to 5 (the twin runs 3: someone scaled it by hand), drained the third node (empty: no drift).
      entry(run.id, now - 1200, { kind: 'scale', service: 'web', from: 3, to: 5 }),
      entry(run.id, now - 1200, { kind: 'cordon-drain', node: nodes[2] }),
      // A simulation acted on a simulated twin, and a denied decision changed nothing: neither counts.
      entry(sim.id, now - 1200, { kind: 'scale', service: 'legacy-reports', from: 2, to: 9 }),
      entry(run.id, now - 1100, { kind: 'scale', service: 'web', from: 5, to: 8 }, { action: { kind: 'scale', service: 'web', from: 5, to: 8 }, verdict: 'deny' }),
      // Just applied: Prometheus may not show it yet, so it settles first.
      entry(run.id, now - 5, { kind: 'scale', service: 'legacy-reports', from: 2, to: 3 }),
    ]);
    webSeq = seeded.firstSeq;
    await store.runs.complete(run.id, {});
    await store.close();
  }

  const ignore = join(dir, 'ignore-web.yaml');
  writeFileSync(ignore, "drift:\n  ignore: ['service/web']\n");
  const auto = join(dir, 'auto.yaml');
  writeFileSync(auto, 'drift:\n  reconcile: auto\n');
  // Read-only checks, two at a time: each CLI start costs seconds of CPU, and the cores are shared.
  const [r, text] = await Promise.all([
    // --settle 10m: the change seeded seconds ago stays settling however slowly these processes start.
    cli(['drift', '--prometheus-config', promConfig, '--db', db, '--settle', '10m', '--json']),
    cli(['drift', '--prometheus-config', promConfig, '--db', db, '--settle', '0']),
  ]);
  const [ig, proposedRun] = await Promise.all([
    cli(['drift', '--prometheus-config', promConfig, '--db', db, '--policy', ignore, '--settle', '10m', '--json']),
    cli(['drift', '--prometheus-config', promConfig, '--db', db, '--policy', auto, '--settle', '10m', '--json']),
  ]);
  assert.equal(r.code, 1, r.stderr);
  const d = json<DriftJson>(r);
  assert.equal(d.source.kind, 'prometheus');
  assert.equal(d.drifted, 1);
  assert.equal(d.report.checked, 3, 'web, legacy-reports and the drained node of the live run');
  assert.equal(d.report.settling, 1, 'the change seconds ago is not compared yet');
  assert.deepEqual(d.report.items.map((i) => [i.resource, i.field, i.desired, i.live, i.sourceSeq, i.ignored]), [['service/web', 'replicas', 5, 3, webSeq, false]]);
  assert.deepEqual(d.reconciliation.proposals, [], 'the built-in policy is report-only');
  assert.match(d.reconciliation.skipped[0].reason, /report-only/);
  assert.equal(d.queued, null);

  assert.equal(text.code, 1, text.stderr);
  console.log(`drift text output:\n${text.stdout}`);
  assert.match(text.stdout, /^2 drifted of 3 resource\(s\) Autonomic has applied/m);
  assert.match(text.stdout, /service\/web replicas: desired 5, live 3 .*changed outside Autonomic/);
  assert.match(text.stdout, /service\/legacy-reports replicas: desired 3, live 2/);
  assert.match(text.stdout, /left as is: service\/web \(the policy's drift\.reconcile is report-only\)/);

  // Ignored by policy: still reported, not counted as drift for the exit code.
  assert.equal(ig.code, 0, ig.stderr);
  assert.deepEqual(json<DriftJson>(ig).report.items.map((i) => [i.resource, i.ignored]), [['service/web', true]]);

  // drift.reconcile: auto proposes the way back; without --queue nothing is queued, with it the proposal waits for a human.
  assert.equal(proposedRun.code, 1, proposedRun.stderr);
  const proposed = json<DriftJson>(proposedRun);
  assert.deepEqual(proposed.reconciliation.proposals.map((p) => [p.source, p.action]), [['lifecycle/drift', { kind: 'scale', service: 'web', from: 3, to: 5 }]]);
  assert.equal(proposed.queued, null);
  const none = JSON.parse((await cli(['approvals', 'list', '--db', db, '--json'])).stdout) as unknown[];
  assert.deepEqual(none, [], 'nothing queued without --queue');

  const q = await cli(['drift', '--prometheus-config', promConfig, '--db', db, '--policy', auto, '--settle', '10m', '--queue', '--json']);
  assert.equal(q.code, 1, q.stderr);
  const queued = json<DriftJson>(q).queued ?? [];
  assert.equal(queued.length, 1);
  assert.equal(queued[0].verdict.outcome, 'needs-approval');
  assert.ok(queued[0].approvalId);
  assert.ok(queued[0].verdict.reasons.some((x) => /never changes the live system itself/.test(x)), queued[0].verdict.reasons.join(' | '));
  const pending = JSON.parse((await cli(['approvals', 'list', '--db', db, '--json'])).stdout) as { id: string; source: string; action: Action; status: string }[];
  assert.deepEqual(pending.map((a) => [a.id, a.source, a.action.kind, a.status]), [[queued[0].approvalId, 'lifecycle/drift', 'scale', 'pending']]);
  const journal = JSON.parse((await cli(['audit', 'list', '--db', db, '--kind', 'proposal', '--json'])).stdout) as { actor: string; summary: string }[];
  assert.ok(journal.some((e) => e.actor === 'autonomic drift' && e.summary.includes(queued[0].approvalId ?? '?')), JSON.stringify(journal));
  assert.equal(twin.snapshotNow().services.find((s) => s.name === 'web')?.replicas, 3, 'never applied by the command');
});

interface RetireJson {
  candidates: { resource: string; kind: string; action: Action; impact: { dependents: string[]; routedBy: string[] | 'unknown'; costSavedPerMonth: number; traffic: { coverage: number; max: number } } }[];
  queued: { resource: string; outcome: string; action: Action; approvalId: string | null }[] | null;
}

test('autonomic retire against a real Prometheus: idle service and empty nodes from stored history, impact, --queue for approval', { skip: SKIP, timeout: 900_000 }, async () => {
  const { twin, promConfig, nodes } = await liveSystem();
  const db = join(dir, 'retire.db');
  {
    // What `autonomic run` stores: request rates per service and pods per node in 5-minute buckets, up to now.
    const store = await openStore(db);
    const telemetry = new TelemetryStore(store.db);
    const bucket = Math.floor(Date.now() / 1000 / BUCKET_SECONDS);
    const days2 = (2 * 86_400) / BUCKET_SECONDS;
    const hours30 = (30 * 3600) / BUCKET_SECONDS;
    await telemetry.append(requestRateKey('web'), bucket - days2, new Array<number>(days2).fill(50));
    await telemetry.append(requestRateKey('legacy-reports'), bucket - days2, new Array<number>(days2).fill(0));
    await telemetry.append(nodePodsKey(nodes[0]), bucket - hours30, new Array<number>(hours30).fill(5));
    await telemetry.append(nodePodsKey(nodes[1]), bucket - hours30, new Array<number>(hours30).fill(0));
    await telemetry.append(nodePodsKey(nodes[2]), bucket - hours30, new Array<number>(hours30).fill(0));
    await store.close();
  }
  const base = ['retire', '--prometheus-config', promConfig, '--db', db];

  // Defaults: 14 idle days needed and only 2 are stored (missing history is not idleness); the two empty nodes qualify.
  const graph = join(dir, 'services.yaml');
  writeFileSync(graph, 'dependencies:\n  web: [legacy-reports]\nroutes:\n  web: [ingress/shop]\n  legacy-reports: []\n');
  const [r, oneDayRun] = await Promise.all([cli([...base, '--json']), cli([...base, '--idle-days', '1', '--graph', graph, '--json'])]);
  const [text, none] = await Promise.all([cli([...base, '--idle-days', '1', '--graph', graph]), cli([...base, '--idle-hours', '48'])]);
  assert.equal(r.code, 1, r.stderr);
  const byDefault = json<RetireJson>(r);
  assert.deepEqual(byDefault.candidates.map((c) => c.resource).sort(), [`node/${nodes[1]}`, `node/${nodes[2]}`]);
  for (const c of byDefault.candidates) {
    assert.deepEqual(c.action, { kind: 'remove-node', node: c.resource.slice('node/'.length) });
    assert.equal(c.impact.costSavedPerMonth, 140.16, 'an m5.xlarge at $0.192/h for 730 h');
  }
  assert.equal(byDefault.queued, null);

  assert.equal(oneDayRun.code, 1, oneDayRun.stderr);
  const oneDay = json<RetireJson>(oneDayRun);
  const legacy = oneDay.candidates.find((c) => c.resource === 'service/legacy-reports');
  assert.ok(legacy, JSON.stringify(oneDay.candidates.map((c) => c.resource)));
  assert.deepEqual(legacy.action, { kind: 'scale', service: 'legacy-reports', from: 2, to: 0 });
  assert.deepEqual(legacy.impact.dependents, ['web']);
  assert.deepEqual(legacy.impact.routedBy, []);
  assert.equal(legacy.impact.traffic.max, 0);
  assert.ok(!oneDay.candidates.some((c) => c.resource === 'service/web'), 'web has traffic');

  assert.equal(text.code, 1, text.stderr);
  console.log(`retire text output:\n${text.stdout}`);
  assert.match(text.stdout, /^service\/legacy-reports: legacy-reports served no requests in the last 1 days/m);
  assert.match(text.stdout, /depended on by: web; routed to by: nothing/);
  assert.match(text.stdout, /saves about \$140\.16\/month; no pods now/);
  assert.match(text.stdout, /3 candidate\(s\), about \$\d+\.\d\d\/month in all\. Retirement always waits for a human's approval\./);

  // --queue: every candidate through the guardrails into the approval queue; nothing is changed on the live system.
  const q = await cli([...base, '--idle-days', '1', '--queue', '--json']);
  assert.equal(q.code, 1, q.stderr);
  const queued = json<RetireJson>(q).queued ?? [];
  assert.equal(queued.length, 3);
  for (const x of queued) {
    assert.equal(x.outcome, 'needs-approval', x.resource);
    assert.ok(x.approvalId);
  }
  // The guardrails still bound what is queued: the built-in policy's minReplicas 1 clamps scale-to-0 to one replica.
  assert.deepEqual(queued.find((x) => x.resource === 'service/legacy-reports')?.action, { kind: 'scale', service: 'legacy-reports', from: 2, to: 1 });
  const pending = JSON.parse((await cli(['approvals', 'list', '--db', db, '--json'])).stdout) as { id: string; source: string; status: string }[];
  assert.deepEqual(pending.map((a) => a.id).sort(), queued.map((x) => x.approvalId).sort());
  assert.ok(pending.every((a) => a.source === 'lifecycle/retirement' && a.status === 'pending'));
  const snap = twin.snapshotNow();
  assert.equal(snap.nodes.length, 3);
  assert.equal(snap.services.find((s) => s.name === 'legacy-reports')?.replicas, 2);

  // Longer windows than the stored history: nothing to retire, exit 0.
  assert.equal(none.code, 0, none.stderr);
  assert.match(none.stdout, /^Nothing to retire/);
});
