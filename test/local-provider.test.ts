/**
 * The local provider on real processes (no Prometheus needed): scaling changes the number of replica processes,
 * a restart replaces a pid, rollback returns to the previous revision, node actions are refused, the proxy retries
 * a request on another replica when one has crashed, and nothing survives a stop.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { trackedChildren } from '../src/execute/providers/local/child-registry.js';
import { LocalDeployment } from '../src/execute/providers/local/deployment.js';
import { LocalProvider } from '../src/execute/providers/local/local-provider.js';
import { RoundRobinProxy } from '../src/execute/providers/local/proxy.js';
import { DEFAULT_DEPLOYMENT } from '../src/execute/providers/local/stack.js';

function alive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor(what: string, fn: () => boolean, ms = 10_000): Promise<void> {
  const end = performance.now() + ms;
  while (!fn()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A deployment behind a proxy whose active health check is slow, so only the passive one and retries can act. */
async function setup(replicas: number, retryBudget: number): Promise<{ d: LocalDeployment; proxy: RoundRobinProxy; provider: LocalProvider; stop: () => Promise<void> }> {
  const proxy = new RoundRobinProxy({ namespace: 'local', service: 'web', retryBudget, healthIntervalMs: 60_000 });
  await proxy.start();
  const d = new LocalDeployment({ ...DEFAULT_DEPLOYMENT, replicas }, proxy);
  await d.start();
  await waitFor('replicas ready at the proxy', () => proxy.readyPods().length === replicas);
  return { d, proxy, provider: new LocalProvider([d]), stop: async () => { await d.stop(); await proxy.stop(); } };
}

test('scale, restart-pod and rollback act on real processes; node actions are refused', { timeout: 60_000 }, async () => {
  const { d, provider, stop } = await setup(1, 2);
  try {
    const [first] = d.list();
    assert.ok(alive(first.pid));

    const up = await provider.apply({ kind: 'scale', service: 'web', from: 1, to: 3 });
    assert.ok(up.ok, up.message);
    const three = d.list();
    assert.equal(three.length, 3);
    assert.ok(three.every((p) => alive(p.pid)), 'every replica is a running process');
    assert.equal(new Set(three.map((p) => p.pid)).size, 3);

    const down = await provider.apply({ kind: 'scale', service: 'web', from: 3, to: 1 });
    assert.ok(down.ok, down.message);
    assert.equal(d.list().length, 1);
    const gone = three.filter((p) => !d.list().some((q) => q.pod === p.pod));
    assert.equal(gone.length, 2);
    assert.ok(gone.every((p) => !alive(p.pid)), 'stopped replicas are gone');
    assert.equal(d.list()[0].pod, first.pod, 'the oldest replica is kept');

    const restart = await provider.apply({ kind: 'restart-pod', service: 'web', pod: first.pod });
    assert.ok(restart.ok, restart.message);
    const [fresh] = d.list();
    assert.notEqual(fresh.pod, first.pod);
    assert.notEqual(fresh.pid, first.pid);
    assert.ok(alive(fresh.pid) && !alive(first.pid));

    assert.equal((await provider.apply({ kind: 'restart-pod', service: 'web', pod: 'web-nope-00000' })).ok, false);
    assert.equal((await provider.apply({ kind: 'rollback', service: 'web' })).ok, false, 'no previous revision yet');
    await d.rollout({ ...d.revision, version: 'v2', errorShare: 0.1 });
    assert.deepEqual(d.list().map((p) => p.version), ['v2']);
    const back = await provider.apply({ kind: 'rollback', service: 'web' });
    assert.ok(back.ok, back.message);
    assert.deepEqual(d.list().map((p) => p.version), ['v1']);
    assert.ok(d.list().every((p) => alive(p.pid)));

    for (const a of [
      { kind: 'add-nodes', instanceType: 'm5.large', count: 1, spot: false },
      { kind: 'remove-node', node: 'n1' },
      { kind: 'cordon-drain', node: 'n1' },
    ] as const) {
      const o = await provider.apply(a);
      assert.equal(o.ok, false);
      assert.match(o.message, /no nodes to manage/);
    }
    assert.match((await provider.apply({ kind: 'scale', service: 'api', from: 1, to: 2 })).message, /no local deployment named api/);
  } finally {
    await stop();
  }
  assert.equal(trackedChildren().length, 0, 'no child process survives the stop');
});

test('the proxy retries a request that hit a crashed replica on another one, within its budget', { timeout: 60_000 }, async () => {
  const { d, proxy, stop } = await setup(2, 1);
  try {
    const [victim] = d.list();
    await (await fetch(`${victim.url}/admin/fault?mode=crash`, { method: 'POST' })).text();
    await waitFor('the replica to exit', () => !alive(victim.pid));
    assert.ok(proxy.isReady(victim.pod), 'the active health check has not noticed yet');
    const codes: number[] = [];
    for (let i = 0; i < 10; i++) {
      const r = await fetch(proxy.url);
      await r.text();
      codes.push(r.status);
    }
    assert.deepEqual(codes, Array(10).fill(200), 'every request answered by the surviving replica');
    assert.ok(proxy.stats.retries >= 1, 'at least one request was retried');
    assert.equal(proxy.stats.exhausted, 0);
    assert.equal(proxy.isReady(victim.pod), false, 'the failed connection took the crashed replica out of rotation');
    // Its dead pod is reported the way a crash-looping pod is, until the loop restarts it.
    assert.ok(d.drainEvents(0).some((e) => e.reason === 'BackOff' && e.object === `pod/${victim.pod}`));
  } finally {
    await stop();
  }
});

test('with no retry budget a request that hits a crashed replica fails', { timeout: 60_000 }, async () => {
  const { d, proxy, stop } = await setup(2, 0);
  try {
    const [victim] = d.list();
    await (await fetch(`${victim.url}/admin/fault?mode=crash`, { method: 'POST' })).text();
    await waitFor('the replica to exit', () => !alive(victim.pid));
    const codes: number[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await fetch(proxy.url);
      await r.text();
      codes.push(r.status);
    }
    assert.ok(codes.includes(502), `one request went to the dead replica and was not retried (${codes.join(',')})`);
    assert.equal(proxy.stats.retries, 0);
  } finally {
    await stop();
  }
});
