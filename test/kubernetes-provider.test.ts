/**
 * The Kubernetes provider against a FAKE API server (test/fixtures/kubernetes/fake-kubernetes-api-server.ts, a real
 * HTTP server serving recorded API bodies) through a kubeconfig written for it: the real client library does the
 * HTTP, so the paths, content types, resourceVersions and error bodies are what a real cluster would see.
 */
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeKubernetesApiServer, fixture, type KubeObject } from './fixtures/kubernetes/fake-kubernetes-api-server.js';
import { NODE_A, NODE_B, seedShopScenario, WEB_PODS } from './fixtures/kubernetes/shop-scenario.js';
import { kubernetesProviderFromKubeconfig } from '../src/execute/providers/kubernetes/factory.js';
import type { KubernetesProvider } from '../src/execute/providers/kubernetes/kubernetes-provider.js';
import { RESTARTED_AT } from '../src/execute/providers/kubernetes/rollout.js';

type Obj = Record<string, unknown>;
const spec = (o: unknown): Obj => (o as { spec: Obj }).spec;

describe('KubernetesProvider on a fake API server', () => {
  let fake: FakeKubernetesApiServer;
  let provider: KubernetesProvider;
  let kubeconfig: string;

  before(async () => {
    fake = await new FakeKubernetesApiServer().start();
    kubeconfig = fake.writeKubeconfig('default');
  });
  after(async () => fake.stop());
  beforeEach(() => {
    // A fresh cluster per test: a new fake on the same kubeconfig would need a new port, so reseed instead.
    for (const r of ['nodes', 'pods', 'events', 'namespaces']) for (const o of fake.list('/api/v1', r)) fake.delete('/api/v1', r, o.metadata?.namespace as string | undefined, String(o.metadata?.name));
    for (const r of ['deployments', 'replicasets']) for (const o of fake.list('/apis/apps/v1', r)) fake.delete('/apis/apps/v1', r, 'default', String(o.metadata?.name));
    for (const o of fake.list('/apis/policy/v1', 'poddisruptionbudgets')) fake.delete('/apis/policy/v1', 'poddisruptionbudgets', 'default', String(o.metadata?.name));
    fake.requests.length = 0;
    fake.concurrentWrites.clear();
    seedShopScenario(fake);
    provider = kubernetesProviderFromKubeconfig(kubeconfig, { conflictBackoffMs: 5, evictionBackoffMs: 20, drainDeadlineMs: 300, podGoneTimeoutMs: 200, podGonePollMs: 10 });
  });

  it('scales through the scale subresource with the resourceVersion it read (merge patch)', async () => {
    const rvBefore = fake.get('/apis/apps/v1', 'deployments', 'default', 'web')?.metadata?.resourceVersion;
    const out = await provider.apply({ kind: 'scale', service: 'web', from: 3, to: 5 });
    assert.equal(out.ok, true, out.message);
    assert.match(out.message, /Deployment default\/web scaled 3 → 5 replicas/);
    assert.equal(spec(fake.get('/apis/apps/v1', 'deployments', 'default', 'web')).replicas, 5);
    const [patch] = fake.requestsTo('PATCH', '/deployments/web/scale');
    assert.equal(patch.contentType, 'application/merge-patch+json');
    assert.deepEqual(patch.body, { metadata: { resourceVersion: rvBefore }, spec: { replicas: 5 } });
  });

  it('on 409 Conflict re-reads the scale and retries with backoff, then succeeds', async () => {
    fake.concurrentWrites.set('default/web', 2);
    const out = await provider.apply({ kind: 'scale', service: 'web', from: 3, to: 6 });
    assert.equal(out.ok, true, out.message);
    assert.match(out.message, /after 2 conflicts with a concurrent writer/);
    assert.doesNotMatch(out.message, /the plan assumed/);
    assert.equal(fake.requestsTo('GET', '/deployments/web/scale').length, 3);
    assert.equal(fake.requestsTo('PATCH', '/deployments/web/scale').length, 3);
    assert.equal(spec(fake.get('/apis/apps/v1', 'deployments', 'default', 'web')).replicas, 6);
  });

  it('says when the replica count moved between the plan and the write', async () => {
    const out = await provider.apply({ kind: 'scale', service: 'web', from: 2, to: 5 });
    assert.equal(out.ok, true);
    assert.match(out.message, /scaled 3 → 5 replicas \(the plan assumed 2; it was 3 when applied\)/);
  });

  it('gives up after the bounded number of conflicts and says so (kind, name, status, server message)', async () => {
    fake.concurrentWrites.set('default/web', 100);
    const out = await provider.apply({ kind: 'scale', service: 'web', from: 3, to: 6 });
    assert.equal(out.ok, false);
    assert.match(out.message, /scaling Deployment default\/web: HTTP 409 Conflict: Operation cannot be fulfilled on deployments\.apps "web": the object has been modified/);
    assert.equal(fake.requestsTo('PATCH', '/deployments/web/scale').length, provider.config.conflictAttempts);
    assert.doesNotMatch(out.message, /\n\s+at /, 'no stack trace');
  });

  it('names a missing Deployment with the 404 the server sent', async () => {
    const out = await provider.apply({ kind: 'scale', service: 'shop/api', from: 1, to: 2 });
    assert.equal(out.ok, false);
    assert.match(out.message, /reading the scale of Deployment shop\/api: HTTP 404 NotFound: deployments\.apps "api" not found/);
  });

  it('restart-pod without a pod restarts the rollout by stamping the template (kubectl rollout restart)', async () => {
    const at = new Date('2024-05-02T10:00:00Z');
    const p = kubernetesProviderFromKubeconfig(kubeconfig);
    (p as unknown as { now: () => Date }).now = () => at;
    const out = await p.apply({ kind: 'restart-pod', service: 'web' });
    assert.equal(out.ok, true, out.message);
    const d = fake.get('/apis/apps/v1', 'deployments', 'default', 'web') as { spec: { template: { metadata: { annotations: Record<string, string> } } } };
    assert.equal(d.spec.template.metadata.annotations[RESTARTED_AT], at.toISOString());
    assert.equal(fake.requestsTo('PATCH', '/deployments/web')[0].contentType, 'application/merge-patch+json');
  });

  it('restart-pod with a pod evicts that pod through the Eviction API', async () => {
    const out = await provider.apply({ kind: 'restart-pod', service: 'web', pod: WEB_PODS[2] });
    assert.equal(out.ok, true, out.message);
    assert.equal(fake.get('/api/v1', 'pods', 'default', WEB_PODS[2]), undefined);
    const [ev] = fake.requestsTo('POST', `/pods/${WEB_PODS[2]}/eviction`);
    assert.deepEqual(ev.body, { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: WEB_PODS[2], namespace: 'default' } });
  });

  it('restart-pod refuses a pod that is not the service\'s', async () => {
    fake.put('/api/v1', 'pods', fixture<{ items: KubeObject[] }>('pod-list.json').items[0]);
    const out = await provider.apply({ kind: 'restart-pod', service: 'web', pod: 'hello-world' });
    assert.equal(out.ok, false);
    assert.match(out.message, /Pod default\/hello-world is not a pod of Deployment default\/web \(its selector app=web does not pick it\): not evicted/);
    assert.ok(fake.get('/api/v1', 'pods', 'default', 'hello-world'));
    assert.equal(fake.requestsTo('POST', '/eviction').length, 0);
  });

  it('rollback puts back the previous ReplicaSet revision template, guarded by a resourceVersion test', async () => {
    const out = await provider.apply({ kind: 'rollback', service: 'web' });
    assert.equal(out.ok, true, out.message);
    assert.match(out.message, /rolled back from revision 3 to revision 2 \(ReplicaSet web-6c8d7e5f4a\)/);
    const d = fake.get('/apis/apps/v1', 'deployments', 'default', 'web') as { spec: { template: { metadata: { labels: Record<string, string> }; spec: { containers: { image: string }[] } } } };
    assert.equal(d.spec.template.spec.containers[0].image, 'example/web:1.1');
    assert.equal(d.spec.template.metadata.labels['pod-template-hash'], undefined, 'the controller-added label is not copied back');
    const [patch] = fake.requestsTo('PATCH', '/deployments/web');
    assert.equal(patch.contentType, 'application/json-patch+json');
    assert.equal((patch.body as { op: string }[])[0].op, 'test');
  });

  it('rollback with no earlier revision fails with a clear reason', async () => {
    for (const rs of ['web-7b9f8c6d5e', 'web-6c8d7e5f4a']) fake.delete('/apis/apps/v1', 'replicasets', 'default', rs);
    const out = await provider.apply({ kind: 'rollback', service: 'web' });
    assert.equal(out.ok, false);
    assert.match(out.message, /has no previous revision to roll back to \(current revision 3, 1 ReplicaSet\(s\)\)/);
  });

  it('cordon-drain cordons, evicts the pods (not DaemonSet pods) and reports them', async () => {
    const out = await provider.apply({ kind: 'cordon-drain', node: NODE_A });
    assert.equal(out.ok, false, 'the PDB allows one disruption, and node A has two web pods');
    assert.match(out.message, /^drain blocked by PodDisruptionBudget default\/web-pdb: pod default\/web-5d4b9c7f6d-p8m4z could not be evicted/);
    assert.match(out.message, /Cannot evict pod as it would violate the pod's disruption budget/);
    assert.match(out.message, /evicted 1 pod\(s\) before that \(default\/web-5d4b9c7f6d-x2k9q\)/);
    assert.match(out.message, /Node 127\.0\.0\.1 is left cordoned \(kubectl uncordon 127\.0\.0\.1 to undo\)/);
    assert.equal(spec(fake.get('/api/v1', 'nodes', undefined, NODE_A)).unschedulable, true);
    assert.ok(fake.requestsTo('POST', '/pods/web-5d4b9c7f6d-p8m4z/eviction').length >= 2, 'the 429 was retried with backoff until the deadline');
    assert.ok(fake.get('/api/v1', 'pods', 'kube-system', 'kube-proxy-127-0-0-1'), 'DaemonSet pods stay');
  });

  it('cordon-drain stops before evicting anything when a pod has no controller (it would be lost), node left cordoned', async () => {
    // The recorded hello-world pod, verbatim: no ownerReferences, on node 127.0.0.1.
    fake.put('/api/v1', 'pods', fixture<{ items: KubeObject[] }>('pod-list.json').items[0]);
    const out = await provider.apply({ kind: 'cordon-drain', node: NODE_A });
    assert.equal(out.ok, false);
    assert.match(out.message, /^Node 127\.0\.0\.1 cordoned but not drained: default\/hello-world is not managed by a controller and would be lost for good/);
    assert.match(out.message, /nothing was evicted, node left cordoned/);
    assert.equal(fake.requestsTo('POST', '/eviction').length, 0);
    assert.equal(spec(fake.get('/api/v1', 'nodes', undefined, NODE_A)).unschedulable, true);
  });

  it('cordon-drain succeeds when the budget allows, and waits for the pods to be gone', async () => {
    const pdb = fake.get('/apis/policy/v1', 'poddisruptionbudgets', 'default', 'web-pdb') as { status: Obj };
    pdb.status.disruptionsAllowed = 5;
    const out = await provider.apply({ kind: 'cordon-drain', node: NODE_B });
    assert.equal(out.ok, true, out.message);
    assert.match(out.message, /Node node-b cordoned and drained: evicted 1 pod\(s\) \(default\/web-5d4b9c7f6d-h7v2c\); left in place: kube-system\/kube-proxy-node-b \(DaemonSet\)/);
    assert.equal(fake.requestsTo('PATCH', `/nodes/${NODE_B}`)[0].contentType, 'application/merge-patch+json');
  });

  it('refuses node-pool and traffic-split actions with a clear reason', async () => {
    const add = await provider.apply({ kind: 'add-nodes', instanceType: 'm5.xlarge', count: 2, spot: false });
    assert.equal(add.ok, false);
    assert.match(add.message, /not supported by this provider \(node pools are the cloud's/);
    const remove = await provider.apply({ kind: 'remove-node', node: NODE_A });
    assert.match(remove.message, /not supported by this provider \(node pools are the cloud's/);
    const canary = await provider.apply({ kind: 'rollout', service: 'web', revision: 'v2', weight: 10 });
    assert.equal(canary.ok, false);
    assert.match(canary.message, /not supported by this provider \(a weighted traffic split between revisions needs a service mesh/);
    assert.equal(fake.requests.length, 0, 'nothing was sent');
  });

  it('server-side applies manifests as "autonomic", dry-run stores nothing, and a failure names what was not sent', async () => {
    const cm = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'api', namespace: 'default' }, spec: { replicas: 2, selector: { matchLabels: { app: 'api' } }, template: { metadata: { labels: { app: 'api' } }, spec: { containers: [{ name: 'api', image: 'example/api:1' }] } } } };
    const dry = await provider.applyManifests([cm], { dryRun: true });
    assert.deepEqual(dry.failed, undefined);
    assert.deepEqual(dry.applied.map((a) => a.object), ['Deployment default/api']);
    assert.equal(fake.get('/apis/apps/v1', 'deployments', 'default', 'api'), undefined, 'dry run stores nothing');
    const [req] = fake.requestsTo('PATCH', '/deployments/api');
    assert.equal(req.contentType, 'application/apply-patch+yaml');
    assert.equal(req.query.get('fieldManager'), 'autonomic');
    assert.equal(req.query.get('dryRun'), 'All');

    const real = await provider.applyManifests([cm, { kind: 'Deployment', metadata: { name: 'x' } }, cm]);
    assert.equal(real.applied.length, 1);
    assert.ok(fake.get('/apis/apps/v1', 'deployments', 'default', 'api'));
    assert.equal(real.failed?.index, 1);
    assert.match(real.failed?.message ?? '', /apiVersion/);
    assert.deepEqual(real.notSent, ['Deployment default/api']);
  });

  it('a hung API server is a timeout outcome, not a hang', async () => {
    const slow = kubernetesProviderFromKubeconfig(kubeconfig, { requestTimeoutMs: 100 });
    fake.delayMs = 1000;
    try {
      const out = await slow.apply({ kind: 'scale', service: 'web', from: 3, to: 4 });
      assert.equal(out.ok, false);
      assert.match(out.message, /reading the scale of Deployment default\/web: no answer from the API server \(timed out after 100 ms\)/);
    } finally {
      fake.delayMs = 0;
    }
  });

  it('a kubeconfig that does not exist is a user error naming the path', () => {
    assert.throws(() => kubernetesProviderFromKubeconfig('/nonexistent/kubeconfig'), /\/nonexistent\/kubeconfig: kubeconfig file not found/);
  });
});

