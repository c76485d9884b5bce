/**
 * The resyncing watch against a FAKE API server's scripted watch streams: events applied to the local copy, a
 * stream that ends cleanly is resumed from the last resourceVersion, a 410 Gone (ERROR event or HTTP status)
 * makes it list again.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { V1Pod } from '@kubernetes/client-node';
import { FakeKubernetesApiServer, fixture, type KubeObject } from './fixtures/kubernetes/fake-kubernetes-api-server.js';
import { clusterAccessFromKubeconfig } from '../src/execute/providers/kubernetes/factory.js';
import { ResyncingWatch } from '../src/monitor/kubernetes/resync-watch.js';

const PODS = '/api/v1/namespaces/default/pods';

async function until(what: string, ok: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function recordedPod(name: string, resourceVersion: string, phase = 'Running'): KubeObject {
  const p = structuredClone(fixture<{ items: KubeObject[] }>('pod-list.json').items[0]) as KubeObject & { status: Record<string, unknown> };
  p.metadata = { ...p.metadata, name, namespace: 'default', resourceVersion };
  p.status.phase = phase;
  return p;
}

describe('ResyncingWatch', () => {
  let fake: FakeKubernetesApiServer;
  before(async () => {
    fake = await new FakeKubernetesApiServer().start();
    fake.put('/api/v1', 'pods', recordedPod('hello-world', '0'));
  });
  after(async () => fake.stop());

  it('applies events, resumes a cleanly ended stream from the last version, re-lists on 410 Gone', async () => {
    const api = clusterAccessFromKubeconfig(fake.writeKubeconfig());
    const listedVersions: (string | undefined)[] = [];
    fake.scriptWatch(PODS,
      // 1: two events, then the server closes the stream (its watch timeout).
      [
        { event: { type: 'ADDED', object: recordedPod('web-1', '5001', 'Pending') } },
        { event: { type: 'MODIFIED', object: recordedPod('web-1', '5002', 'Running') } },
        { event: { type: 'BOOKMARK', object: { kind: 'Pod', apiVersion: 'v1', metadata: { resourceVersion: '5003' } } } },
        { end: true, delayMs: 20 },
      ],
      // 2: resumed from 5003; the version has been compacted away: 410 as an ERROR event.
      [{ event: fixture('watch-410-expired.json') }, { end: true }],
      // 3: after the re-list, a deletion.
      [{ event: { type: 'DELETED', object: recordedPod('hello-world', '5010') } }],
    );
    const events: string[] = [];
    const resyncs: string[] = [];
    const w = new ResyncingWatch<V1Pod>({
      watch: api.watch, path: PODS,
      list: async () => {
        const l = await api.core.listNamespacedPod({ namespace: 'default' });
        listedVersions.push(l.metadata?.resourceVersion);
        return l;
      },
      onEvent: (type, pod) => events.push(`${type} ${pod.metadata?.name} ${pod.status?.phase ?? ''}`.trim()),
      onResync: (items, reason) => resyncs.push(`${reason}: ${items.map((p) => p.metadata?.name).join(',')}`),
      backoffMs: 10,
    });
    try {
      await w.start();
      assert.deepEqual(w.items().map((p) => p.metadata?.name), ['hello-world'], 'the initial list is in the copy');
      await until('the deletion after the re-list', () => events.includes('DELETED hello-world Running'));
      assert.deepEqual(events, ['ADDED web-1 Pending', 'MODIFIED web-1 Running', 'DELETED hello-world Running']);
      assert.equal(w.lists, 2, 'initial list + one re-list after 410');
      assert.equal(resyncs[1].startsWith('410 Gone'), true, resyncs.join(' | '));
      const watches = fake.requests.filter((r) => r.path === PODS && r.query.get('watch') === 'true');
      assert.equal(watches.length, 3);
      assert.equal(watches[0].query.get('resourceVersion'), listedVersions[0], 'watched from the list\'s version');
      assert.equal(watches[2].query.get('resourceVersion'), listedVersions[1], 'after the re-list, from its version');
      assert.equal(watches[1].query.get('resourceVersion'), '5003', 'resumed from the bookmark, no re-list');
      assert.equal(watches[0].query.get('allowWatchBookmarks'), 'true');
      // The re-list replaced the copy: web-1 only lived in the watch stream, the fake's store still has hello-world…
      // …and the DELETED event then removed it.
      assert.deepEqual(w.items().map((p) => p.metadata?.name), []);
    } finally {
      w.stop();
    }
  });

  it('a watch answered with HTTP 410 re-lists before watching again', async () => {
    const api = clusterAccessFromKubeconfig(fake.writeKubeconfig());
    fake.requests.length = 0;
    fake.scriptWatch('/api/v1/namespaces/kube-system/pods', [{ status: 410 }]);
    const w = new ResyncingWatch<V1Pod>({ watch: api.watch, path: '/api/v1/namespaces/kube-system/pods', list: () => api.core.listNamespacedPod({ namespace: 'kube-system' }), backoffMs: 10 });
    try {
      await w.start();
      await until('a second list', () => w.lists === 2);
      await until('a second watch', () => w.watches === 2);
    } finally {
      w.stop();
    }
  });
});
