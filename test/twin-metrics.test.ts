/** The twin's /metrics: exposition content, counter behaviour, promtool's verdict, and `autonomic sim serve`. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { TwinCluster } from '../src/execute/twin/cluster.js';
import { PodCpuCounters, scrapeTwin } from '../src/execute/twin/metrics-server.js';
import { renderTwinMetrics } from '../src/execute/twin/metrics-exposition.js';
import { scenarioTwin } from '../src/loop/scenario.js';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Enough of the text format for these tests: `name{a="b",...} value` lines. */
function parse(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(m, `bad line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[3] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2].replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
    out.push({ name: m[1], labels, value: m[4] === 'NaN' ? NaN : m[4] === '+Inf' ? Infinity : Number(m[4]) });
  }
  return out;
}

const pick = (s: Sample[], name: string, labels: Record<string, string> = {}): Sample[] =>
  s.filter((x) => x.name === name && Object.entries(labels).every(([k, v]) => x.labels[k] === v));
const one = (s: Sample[], name: string, labels: Record<string, string> = {}): number => {
  const found = pick(s, name, labels);
  assert.equal(found.length, 1, `${name} ${JSON.stringify(labels)}: ${found.length} samples`);
  return found[0].value;
};

const shop = (): TwinCluster => new TwinCluster(scenarioTwin({ kind: 'generator', name: 'diurnal' }, 1));

test('the exposition carries the kube-state-metrics, cAdvisor and HTTP series of every pod, deployment and node', () => {
  const twin = shop();
  const c = new PodCpuCounters();
  scrapeTwin(twin, c, { timeScale: 1 });
  twin.advance(120);
  const snap = twin.snapshotNow();
  const s = parse(scrapeTwin(twin, c, { timeScale: 1, wallNow: 1_700_000_000 }));
  for (const svc of snap.services) {
    const d = { deployment: svc.name };
    assert.equal(one(s, 'kube_deployment_spec_replicas', d), svc.replicas);
    assert.equal(one(s, 'kube_deployment_status_replicas_ready', d), svc.readyReplicas);
    assert.equal(one(s, 'kube_deployment_status_replicas_available', d), svc.readyReplicas);
    assert.equal(one(s, 'kube_deployment_status_replicas', d), svc.replicas);
    assert.ok(Math.abs(one(s, 'http_request_duration_seconds', { service: svc.name, quantile: '0.99' }) - svc.latencyP99Ms / 1000) < 1e-12);
    assert.equal(one(s, 'autonomic_service_queue_depth', { service: svc.name }), svc.queueDepth);
    assert.equal(pick(s, 'http_requests_total', { service: svc.name }).length, 3);
    assert.equal(pick(s, 'container_cpu_usage_seconds_total', { container: svc.name }).length, svc.replicas);
  }
  const st = twin.stats().services.find((x) => x.name === 'web');
  assert.ok(st);
  assert.ok(Math.abs(one(s, 'http_requests_total', { service: 'web', code: '200' }) - (st.served - st.failed)) < 1e-6);
  // One phase of five is 1 for each pod; Ready pods report condition true.
  const pod = twin.podsOf('web')[0].name;
  assert.deepEqual(pick(s, 'kube_pod_status_phase', { pod }).map((x) => `${x.labels.phase}=${x.value}`), ['Pending=0', 'Running=1', 'Succeeded=0', 'Failed=0', 'Unknown=0']);
  assert.equal(one(s, 'kube_pod_status_ready', { pod, condition: 'true' }), 1);
  assert.equal(one(s, 'kube_pod_container_resource_requests', { pod, resource: 'cpu' }), 0.5);
  assert.equal(one(s, 'kube_pod_container_resource_requests', { pod, resource: 'memory' }), 512 * 1024 * 1024);
  assert.equal(one(s, 'kube_pod_container_resource_limits', { pod, resource: 'memory' }), 512 * 1024 * 1024);
  assert.equal(pick(s, 'kube_pod_container_resource_limits', { pod, resource: 'cpu' }).length, 0, 'the twin does not cap CPU');
  // cAdvisor's working set of a pod is the snapshot's per-pod memory.
  const mem = snap.services.find((x) => x.name === 'web')?.pods.memory?.find((m) => m.pod === pod);
  assert.ok(mem);
  assert.deepEqual({ limit: mem.limitMiB, request: mem.requestMiB }, { limit: 512, request: 512 });
  assert.equal(one(s, 'container_memory_working_set_bytes', { pod, container: 'web' }), mem.workingSetMiB * 1024 * 1024);
  // Every Ready pod has used CPU-seconds of its service's integral since it was first seen Ready.
  assert.ok(Math.abs(one(s, 'container_cpu_usage_seconds_total', { pod }) - st.cpuSecondsPerReadyPod) < 1e-9);
  for (const n of snap.nodes) {
    assert.equal(one(s, 'kube_node_status_condition', { node: n.name, condition: 'Ready', status: 'true' }), 1);
    assert.equal(one(s, 'kube_node_status_allocatable', { node: n.name, resource: 'cpu' }), n.cpuAllocatableMillis / 1000);
    assert.equal(one(s, 'node_total_hourly_cost', { node: n.name }), n.pricePerHour);
    assert.equal(one(s, 'kube_node_labels', { node: n.name }), 1);
    assert.equal(pick(s, 'kube_node_labels', { node: n.name, label_karpenter_sh_initialized: 'true' }).length, 1);
    assert.equal(one(s, 'kube_node_created', { node: n.name }), Math.floor(1_700_000_000 - n.readyForSeconds));
  }
});

test('counters only grow, divided by the time scale; a restarted container starts again from 0', () => {
  const twin = shop();
  const c = new PodCpuCounters();
  const pod = twin.podsOf('api')[0].name;
  const read = (scale: number): Sample[] => parse(scrapeTwin(twin, c, { timeScale: scale }));
  read(10);
  let prevCpu = -1;
  let prevReq = -1;
  for (let i = 0; i < 5; i++) {
    twin.advance(15);
    const s = read(10);
    const cpu = one(s, 'container_cpu_usage_seconds_total', { pod });
    const req = one(s, 'http_requests_total', { service: 'api', code: '200' });
    assert.ok(cpu > prevCpu && req > prevReq, `step ${i}: cpu ${cpu} req ${req}`);
    prevCpu = cpu;
    prevReq = req;
  }
  const sim = twin.stats().services.find((x) => x.name === 'api');
  assert.ok(sim && Math.abs(prevReq * 10 - (sim.served - sim.failed)) < 1e-6, 'counters are the twin integrals / time scale');

  twin.applyNow({ kind: 'restart-pod', service: 'api', pod });
  twin.advance(5);
  let s = read(10);
  assert.equal(one(s, 'container_cpu_usage_seconds_total', { pod }), 0, 'restarting: a new container');
  assert.equal(one(s, 'kube_pod_status_ready', { pod, condition: 'true' }), 0);
  assert.equal(one(s, 'kube_pod_container_status_restarts_total', { pod }), 0, 'a kubectl-style restart is a new pod start, not a crash');
  twin.advance(60);
  read(10); // first seen Ready again: the counter starts here
  twin.advance(15);
  s = read(10);
  const after = one(s, 'container_cpu_usage_seconds_total', { pod });
  assert.ok(after > 0 && after < prevCpu, `after restart ${after}, before ${prevCpu}`);
});

test('pending pods have no container series; provisioning nodes lack Karpenter\'s initialized label and are not Ready', () => {
  const twin = shop();
  twin.applyNow({ kind: 'scale', service: 'web', from: 12, to: 60 });
  twin.applyNow({ kind: 'add-nodes', instanceType: 'm5.xlarge', count: 1, spot: true });
  twin.advance(5);
  const s = parse(scrapeTwin(twin, new PodCpuCounters(), { timeScale: 1 }));
  const pending = twin.podsOf('web').filter((p) => p.phase === 'Pending');
  assert.ok(pending.length > 0);
  for (const p of pending) {
    assert.equal(pick(s, 'container_cpu_usage_seconds_total', { pod: p.name }).length, 0);
    assert.equal(one(s, 'kube_pod_status_phase', { pod: p.name, phase: 'Pending' }), 1);
    assert.equal(one(s, 'kube_pod_info', { pod: p.name }), 1);
    assert.equal(pick(s, 'kube_pod_info', { pod: p.name, node: '' }).length, 1);
  }
  const fresh = twin.snapshotNow().nodes.find((n) => n.provisioning);
  assert.ok(fresh);
  assert.equal(pick(s, 'kube_node_labels', { node: fresh.name, label_karpenter_sh_initialized: 'true' }).length, 0);
  assert.equal(pick(s, 'kube_node_labels', { node: fresh.name, label_karpenter_sh_capacity_type: 'spot' }).length, 1);
  assert.equal(one(s, 'kube_node_status_condition', { node: fresh.name, condition: 'Ready', status: 'false' }), 1);
});

test('label values are escaped', () => {
  const twin = shop();
  const input = { snapshot: twin.snapshotNow(), stats: twin.stats(), pods: [], timeScale: 1, wallNow: 0, namespace: 'a"b\\c\nd' };
  const text = renderTwinMetrics({ ...input, pods: [{ name: 'web-1-x', service: 'web', node: null, phase: 'Pending', restarts: 0, memoryMiB: 1, cpuSeconds: 0 }] });
  assert.ok(text.includes('namespace="a\\"b\\\\c\\nd"'));
  assert.equal(one(parse(text), 'kube_pod_info', { pod: 'web-1-x' }), 1);
});

const promtool = spawnSync('promtool', ['--version']).status === 0;

test('promtool check metrics accepts the exposition', { skip: promtool ? false : 'promtool is not on PATH (apt-get install prometheus)' }, () => {
  const twin = shop();
  twin.inject({ kind: 'crash-loop', target: 'checkout', at: 0 });
  twin.applyNow({ kind: 'scale', service: 'web', from: 12, to: 40 });
  const c = new PodCpuCounters();
  scrapeTwin(twin, c, { timeScale: 1 });
  twin.advance(90);
  const text = scrapeTwin(twin, c, { timeScale: 7 });
  assert.ok(text.includes('reason="CrashLoopBackOff"'));
  const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  assert.equal(r.status, 0, `promtool: ${r.stdout}${r.stderr}`);
  assert.equal(`${r.stdout}${r.stderr}`.trim(), '', 'no lint warnings either');
});

const BIN = fileURLToPath(new URL('../bin/autonomic.js', import.meta.url));

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  test(`autonomic sim serve serves /metrics and /healthz and stops cleanly on ${signal}`, { timeout: 30_000 }, async () => {
    const child = spawn(process.execPath, [BIN, 'sim', 'serve', '--port', '0', '--speed', '20', '--generator', 'steady', '--faults', 'crash-loop:web@1m'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let out = '';
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /twin serving (http:\/\/\S+)\/metrics/.exec(out);
          if (m) resolve(m[1]);
        });
        child.once('exit', (code) => reject(new Error(`exited ${code}: ${out}${err}`)));
      });
      assert.match(out, /speed 20×, 3 services, 4 nodes/);
      assert.equal(await (await fetch(`${url}/healthz`)).text(), 'ok\n');
      const m = await fetch(`${url}/metrics`);
      assert.match(m.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
      const body = await m.text();
      for (const name of ['container_cpu_usage_seconds_total', 'kube_deployment_spec_replicas', 'http_requests_total', 'kube_node_info']) assert.ok(body.includes(`\n${name}{`), name);
      assert.equal((await fetch(`${url}/nope`)).status, 404);
      const exited = once(child, 'exit');
      child.kill(signal);
      const [code] = (await exited) as [number | null];
      assert.equal(code, 0, err);
      assert.match(out, /twin stopped\n$/);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });
}

test('autonomic sim serve rejects bad input with exit code 2', () => {
  const r = spawnSync(process.execPath, [BIN, 'sim', 'serve', '--generator', 'steady', '--faults', 'crash-loop:nosuch@1m'], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /unknown service 'nosuch'/);
});
