/**
 * The Kubernetes telemetry source and inventory against a FAKE API server serving recorded API bodies: first the
 * recorded lists verbatim (a 2016 single-node cluster, GKE metrics), then a coherent scenario built from them.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeKubernetesApiServer, fixture } from './fixtures/kubernetes/fake-kubernetes-api-server.js';
import { NODE_A, NODE_B, seedShopScenario, WEB_PODS } from './fixtures/kubernetes/shop-scenario.js';
import { clusterAccessFromKubeconfig, kubernetesSourceFromKubeconfig } from '../src/execute/providers/kubernetes/factory.js';
import { KubernetesSource } from '../src/monitor/kubernetes/kubernetes-source.js';
import { SnapshotSchema } from '../src/core/snapshot.js';

const AT = Date.parse('2024-05-02T09:17:00Z');

describe('KubernetesSource on recorded API bodies served verbatim', () => {
  let fake: FakeKubernetesApiServer;
  before(async () => {
    fake = await new FakeKubernetesApiServer().start();
    const list = (kind: string, apiVersion: string, items: unknown[]) => ({ status: 200, body: { kind, apiVersion, metadata: { resourceVersion: '1' }, items } });
    fake.verbatim.set('/api/v1/nodes', { status: 200, body: fixture('node-list.json') });
    fake.verbatim.set('/api/v1/pods', { status: 200, body: fixture('pod-list.json') });
    fake.verbatim.set('/apis/apps/v1/namespaces/kube-system/deployments', { status: 200, body: fixture('deployment-list.json') });
    fake.verbatim.set('/apis/storage.k8s.io/v1/storageclasses', { status: 200, body: fixture('storage-class-list.json') });
    fake.verbatim.set('/apis/autoscaling/v2/namespaces/kube-system/horizontalpodautoscalers', list('HorizontalPodAutoscalerList', 'autoscaling/v2', [fixture('horizontal-pod-autoscaler.json')]));
    fake.verbatim.set('/apis/metrics.k8s.io/v1beta1/nodes', { status: 200, body: fixture('node-metrics-list.json') });
    fake.verbatim.set('/apis/metrics.k8s.io/v1beta1/pods', { status: 200, body: fixture('pod-metrics-list.json') });
    fake.verbatim.set('/api/v1/namespaces', list('NamespaceList', 'v1', [{ metadata: { name: 'default' } }, { metadata: { name: 'kube-system' } }]));
  });
  after(async () => fake.stop());

  it('maps nodes (allocatable, requests, readiness) and leaves out a Deployment that requests nothing, saying why', async () => {
    const source = kubernetesSourceFromKubeconfig(fake.writeKubeconfig(), { namespaces: ['kube-system'] });
    const snap = await source.snapshot();
    assert.doesNotThrow(() => SnapshotSchema.parse(snap));
    assert.equal(snap.degraded, undefined);
    assert.deepEqual(snap.nodes.map((n) => n.name), ['127.0.0.1']);
    const n = snap.nodes[0];
    assert.equal(n.cpuAllocatableMillis, 2000);
    assert.ok(Math.abs(n.memoryAllocatableMiB - 4048236 / 1024) < 1e-9);
    assert.equal(n.ready, true);
    assert.equal(n.pods, 1, 'the hello-world pod runs there');
    assert.equal(n.cpuRequestedMillis, 0, 'it requests nothing');
    assert.equal(n.instanceType, 'unknown');
    assert.deepEqual(snap.services, []);
    assert.deepEqual(source.skipped, ['event-exporter-gke: its containers request no CPU, so utilisation is undefined']);
    const inv = await source.inventory();
    assert.deepEqual(inv.storageClasses().map((s) => s.name), ['hostpath-csi', 'iscsi', 'nfs']);
    assert.deepEqual(inv.images(), ['ubuntu:14.04']);
    assert.deepEqual(inv.existingNames(), ['event-exporter-gke']);
    assert.equal(inv.nodes()[0].cpuFreeMillis, 2000);
  });
});

describe('KubernetesSource on a coherent scenario (recorded objects, re-addressed)', () => {
  let fake: FakeKubernetesApiServer;
  before(async () => {
    fake = await new FakeKubernetesApiServer().start();
    seedShopScenario(fake);
  });
  after(async () => fake.stop());

  const source = (config = {}): KubernetesSource => new KubernetesSource(clusterAccessFromKubeconfig(fake.writeKubeconfig()), { prices: { 'm5.xlarge': 0.192 }, ...config }, () => AT);

  it('a Deployment is a service: replicas, readiness, HPA-style pod groups and utilisation over ready pods', async () => {
    const snap = await source().snapshot();
    assert.equal(snap.at, AT / 1000);
    const [web] = snap.services;
    assert.equal(web.name, 'web');
    assert.equal(web.replicas, 3);
    assert.equal(web.readyReplicas, 2);
    assert.equal(web.pendingReplicas, 0);
    assert.equal(web.cpuRequestMillis, 250);
    assert.equal(web.memoryRequestMiB, 256);
    assert.deepEqual({ ready: web.pods.ready, unready: web.pods.unready, missing: web.pods.missing }, { ready: 2, unready: 1, missing: 0 });
    assert.ok(Math.abs(web.pods.cpuUsageMillis - 350) < 1e-6, String(web.pods.cpuUsageMillis));
    assert.ok(Math.abs(web.cpuUtilization - 350 / 500) < 1e-9);
    assert.ok(Math.abs(web.memoryUtilization - (180 + 300) / 512) < 1e-9);
    assert.deepEqual(web.pods.memory?.map((m) => [m.pod, m.workingSetMiB, m.limitMiB, m.requestMiB]), [
      [WEB_PODS[0], 180, 512, 256], [WEB_PODS[1], 300, 512, 256], [WEB_PODS[2], 200, 512, 256],
    ]);
    assert.equal(web.requestRate, 0, 'request rates are not in the Kubernetes API');
  });

  it('nodes: requested CPU/memory of every pod on them (DaemonSets too), instance type, spot, price, cost', async () => {
    const snap = await source().snapshot();
    const a = snap.nodes.find((n) => n.name === NODE_A);
    const b = snap.nodes.find((n) => n.name === NODE_B);
    assert.deepEqual([a?.cpuRequestedMillis, a?.memoryRequestedMiB, a?.pods], [600, 512, 3]);
    assert.deepEqual([b?.cpuRequestedMillis, b?.memoryRequestedMiB, b?.pods], [350, 256, 2]);
    assert.equal(a?.instanceType, 'm5.xlarge');
    assert.equal(a?.spot, false);
    assert.equal(b?.spot, true, 'karpenter.sh/capacity-type=spot');
    assert.equal(a?.readyForSeconds, AT / 1000 - Date.parse('2024-05-01T08:01:00Z') / 1000);
    assert.ok(Math.abs(snap.costPerHour - 0.384) < 1e-9);
  });

  it('events: only new ones per snapshot (first read: a recent window), a repeated event counts again', async () => {
    const s = source({ initialEventWindowSeconds: 60 });
    const first = await s.snapshot();
    assert.deepEqual(first.events.map((e) => [e.type, e.reason, e.object]), [['Warning', 'BackOff', `pod/${WEB_PODS[0]}`]]);
    assert.equal(first.events[0].at, Date.parse('2024-05-02T09:16:41Z') / 1000);
    const second = await s.snapshot();
    assert.deepEqual(second.events, []);
    const backoff = fake.list('/api/v1', 'events', 'default').find((e) => e.reason === 'BackOff');
    assert.ok(backoff);
    backoff.count = 8;
    backoff.lastTimestamp = '2024-05-02T09:17:30Z';
    const third = await s.snapshot();
    assert.deepEqual(third.events.map((e) => e.reason), ['BackOff']);
  });

  it('logs: the tail of troubled pods, timestamped, source pod/container', async () => {
    const snap = await source().snapshot();
    assert.deepEqual(snap.logs.map((l) => [l.source, l.line]), [
      [`${WEB_PODS[2]}/web`, 'starting web 1.2'],
      [`${WEB_PODS[2]}/web`, 'error: upstream api timed out after 5000ms'],
      [`${WEB_PODS[2]}/web`, 'panic: cannot connect to database'],
    ]);
    assert.equal(snap.logs[1].at, Date.parse('2024-05-02T09:16:31Z') / 1000);
    const [req] = fake.requestsTo('GET', `/pods/${WEB_PODS[2]}/log`);
    assert.equal(req.query.get('tailLines'), '20');
    assert.equal(req.query.get('container'), 'web');
  });

  it('inventory for the intent pipeline: free capacity, namespaces, default storage class, images, names', async () => {
    const s = source();
    await s.snapshot();
    const inv = await s.inventory();
    assert.equal(inv.source, 'kubernetes');
    const a = inv.nodes().find((n) => n.name === NODE_A);
    assert.equal(a?.cpuFreeMillis, 2000 - 600);
    assert.deepEqual(inv.namespaces(), ['default', 'kube-system']);
    assert.deepEqual(inv.storageClasses().filter((c) => c.isDefault).map((c) => c.name), ['nfs']);
    assert.deepEqual(inv.images(), ['example/web:1.2', 'registry.k8s.io/kube-proxy:v1.30.0']);
    assert.deepEqual(inv.existingNames(), ['web']);
  });
});

describe('KubernetesSource without metrics-server', () => {
  it('marks the snapshot degraded (no scale-down on unknown utilisation) instead of failing', async () => {
    const fake = await new FakeKubernetesApiServer().start();
    try {
      seedShopScenario(fake, { metrics: false });
      const snap = await new KubernetesSource(clusterAccessFromKubeconfig(fake.writeKubeconfig()), {}, () => AT).snapshot();
      assert.match(snap.degraded ?? '', /^metrics\.k8s\.io unavailable \(utilisation unknown\): listing NodeMetrics \(all\): HTTP 404 NotFound/);
      assert.equal(snap.services[0].pods.ready, 0);
      assert.equal(snap.services[0].pods.missing, 2, 'Ready pods without a sample are missing, as the HPA says');
    } finally {
      await fake.stop();
    }
  });

  it('an unreachable API server fails the snapshot with the object and the cause', async () => {
    const fake = await new FakeKubernetesApiServer().start();
    const kubeconfig = fake.writeKubeconfig();
    await fake.stop();
    const s = kubernetesSourceFromKubeconfig(kubeconfig, { requestTimeoutMs: 2000 });
    await assert.rejects(s.snapshot(), /no answer from the API server/);
  });
});
