/**
 * `autonomic run` on Kubernetes as a user starts it: the real CLI, `--source kubernetes --provider kubernetes` against
 * the FAKE Kubernetes API server (recorded API bodies, see test/fixtures/kubernetes/README.md), ticks with the
 * cluster's telemetry and a journal that verifies; and the provider flags' bad input (exit 2, one located line).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeKubernetesApiServer } from './fixtures/kubernetes/fake-kubernetes-api-server.js';
import { seedShopScenario } from './fixtures/kubernetes/shop-scenario.js';

const BIN = join(import.meta.dirname, '..', 'bin', 'autonomic.js');
let fake: FakeKubernetesApiServer;
let dir: string;
before(async () => {
  fake = await new FakeKubernetesApiServer().start();
  seedShopScenario(fake);
  dir = mkdtempSync(join(tmpdir(), 'autonomic-run-k8s-'));
});
after(async () => {
  await fake.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Async spawn: the fake API server lives in this process and must keep answering while the CLI runs. */
function cliAsync(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

test('run --source kubernetes --provider kubernetes ticks on the cluster and journals every decision', async () => {
  const kubeconfig = fake.writeKubeconfig();
  const db = join(dir, 'k8s.db');
  const r = await cliAsync(['run', '--source', 'kubernetes', '--provider', 'kubernetes', '--kubeconfig', kubeconfig, '--mode', 'auto', '--ticks', '2', '--interval', '1s', '--json', '--db', db]);
  assert.equal(r.code, 0, r.stderr);
  const ticks = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { tick?: number; services?: number; nodes?: number; error?: string });
  const seen = ticks.filter((t) => t.tick !== undefined && t.error === undefined);
  assert.equal(seen.length, 2, r.stdout);
  assert.ok(seen.every((t) => t.services === 1 && t.nodes === 2), 'the Deployment and both nodes are in every snapshot');
  assert.ok(fake.requests.some((q) => q.path.includes('/apis/metrics.k8s.io/')), 'metrics come from metrics.k8s.io');
  const verify = spawnSync(process.execPath, [BIN, 'audit', 'verify', '--db', db], { cwd: dir, encoding: 'utf8' });
  assert.equal(verify.status, 0, verify.stderr);
  const runs = JSON.parse(spawnSync(process.execPath, [BIN, 'runs', 'list', '--json', '--db', db], { cwd: dir, encoding: 'utf8' }).stdout) as { config: { source: string; provider: string } }[];
  assert.equal(runs[0].config.source, 'kubernetes');
  assert.equal(runs[0].config.provider, 'kubernetes');
});

test('provider flags: bad input is one located line, exit 2, nothing started', async () => {
  const cases: [string[], RegExp][] = [
    [['run', '--provider', 'gitops', '--mode', 'auto', '--prometheus', 'http://127.0.0.1:9'], /--provider: needs --gitops-repo/],
    [['run', '--provider', 'gitops', '--gitops-repo', join(dir, 'nope'), '--mode', 'auto', '--prometheus', 'http://127.0.0.1:9'], /nope/],
    [['run', '--gitops-repo', dir, '--prometheus', 'http://127.0.0.1:9'], /--gitops-repo: only with --provider gitops/],
    [['run', '--source', 'kubernetes', '--prometheus', 'http://127.0.0.1:9'], /--source: --source kubernetes reads the Kubernetes API/],
    [['run', '--source', 'kubernetes', '--kubeconfig', join(dir, 'missing-kubeconfig')], /missing-kubeconfig/],
    [['run', '--kubeconfig', join(dir, 'k'), '--prometheus', 'http://127.0.0.1:9'], /--kubeconfig: only with --source kubernetes or --provider kubernetes/],
  ];
  for (const [args, re] of cases) {
    const r = await cliAsync([...args, '--db', join(dir, 'bad.db')]);
    assert.equal(r.code, 2, `${args.join(' ')} → ${r.code}: ${r.stderr}`);
    assert.match(r.stderr, re);
    assert.ok(!r.stderr.includes('    at '), `no stack trace: ${r.stderr}`);
  }
});

test('ask --kubeconfig grounds questions on the cluster: an unknown namespace lists the real ones', async () => {
  const kubeconfig = fake.writeKubeconfig();
  const r = await cliAsync(['ask', 'deploy nginx:1.27 in namespace nope', '--kubeconfig', kubeconfig, '--json', '--db', join(dir, 'ask.db')]);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { result: { questions: { id: string; options: string[] }[] } };
  const ns = out.result.questions.find((q) => q.id === 'namespace');
  assert.ok(ns, r.stdout.slice(0, 500));
  assert.ok(ns.options.includes('default'), `options from the cluster: ${ns.options.join(', ')}`);
  assert.ok(fake.requests.some((q) => q.path === '/api/v1/namespaces'), 'the namespaces were read from the API');
});
