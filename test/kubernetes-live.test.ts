/**
 * Against a real cluster, only when KUBECONFIG is set (skipped with a message otherwise). Read-only by default:
 * a snapshot, the inventory and a server-side dry-run apply (dryRun=All stores nothing). With
 * AUTONOMIC_LIVE_WRITES=1 it also campaigns for a Lease in AUTONOMIC_LIVE_NAMESPACE (default "default") and
 * releases it.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SnapshotSchema } from '../src/core/snapshot.js';
import { clusterAccessFromKubeconfig, kubernetesProviderFromKubeconfig, kubernetesSourceFromKubeconfig } from '../src/execute/providers/kubernetes/factory.js';
import { LeaseElection } from '../src/execute/providers/kubernetes/lease-election.js';

const KUBECONFIG = process.env.KUBECONFIG;
const skip = KUBECONFIG ? false : 'KUBECONFIG is not set: no live cluster to test against';
const namespace = process.env.AUTONOMIC_LIVE_NAMESPACE ?? 'default';

describe('Kubernetes provider and source on a live cluster', { skip }, () => {
  it('reads a valid snapshot and an inventory', async () => {
    const source = kubernetesSourceFromKubeconfig(KUBECONFIG?.split(':')[0], { namespaces: [namespace] });
    const snap = await source.snapshot();
    assert.doesNotThrow(() => SnapshotSchema.parse(snap));
    assert.ok(snap.nodes.length > 0, 'a cluster has nodes');
    const inv = await source.inventory();
    assert.ok(inv.namespaces().includes(namespace));
  });

  it('server-side dry-run apply as "autonomic" stores nothing', async () => {
    const provider = kubernetesProviderFromKubeconfig(KUBECONFIG?.split(':')[0], { namespace });
    const name = `autonomic-dry-run-${Date.now()}`;
    const r = await provider.applyManifests([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data: { k: 'v' } }], { dryRun: true });
    assert.equal(r.failed, undefined, r.failed?.message);
    await assert.rejects(provider.api.core.readNamespacedConfigMap({ name, namespace }));
  });

  it('leader election on a Lease (AUTONOMIC_LIVE_WRITES=1)', { skip: process.env.AUTONOMIC_LIVE_WRITES === '1' ? false : 'writes a Lease: set AUTONOMIC_LIVE_WRITES=1' }, async () => {
    const api = clusterAccessFromKubeconfig(KUBECONFIG?.split(':')[0]);
    const name = `autonomic-live-test-${process.pid}`;
    const a = new LeaseElection(api, { name, namespace, id: 'live-a' });
    const b = new LeaseElection(api, { name, namespace, id: 'live-b' });
    try {
      assert.equal(await a.tryAcquire(), true);
      assert.equal(await b.tryAcquire(), false);
      assert.equal((await b.leader())?.holder, 'live-a');
    } finally {
      await a.close();
      await b.close();
      await api.coordination.deleteNamespacedLease({ name, namespace }).catch(() => undefined);
    }
  });
});
