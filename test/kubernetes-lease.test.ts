/**
 * Leader election on a coordination.k8s.io/v1 Lease, two candidates against a FAKE API server that holds the Lease
 * in memory with the real server's optimistic concurrency (resourceVersion → 409 Conflict, create → 409
 * AlreadyExists). Expiry is judged by each candidate's clock, moved by the test.
 */
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeKubernetesApiServer, fixture, type KubeObject } from './fixtures/kubernetes/fake-kubernetes-api-server.js';
import { clusterAccessFromKubeconfig } from '../src/execute/providers/kubernetes/factory.js';
import { LeaseElection } from '../src/execute/providers/kubernetes/lease-election.js';

const LEASES = '/apis/coordination.k8s.io/v1';

describe('LeaseElection', () => {
  let fake: FakeKubernetesApiServer;
  let kubeconfig: string;
  let clock = Date.parse('2024-05-02T09:00:00Z');
  const elections: LeaseElection[] = [];
  const candidate = (id: string, renewMs = 60_000): LeaseElection => {
    const e = new LeaseElection(clusterAccessFromKubeconfig(kubeconfig), { name: 'autonomic-leader', namespace: 'autonomic', id, leaseDurationSeconds: 15, renewMs, pollMs: 10, now: () => clock });
    elections.push(e);
    return e;
  };

  before(async () => {
    fake = await new FakeKubernetesApiServer().start();
    kubeconfig = fake.writeKubeconfig('autonomic');
  });
  after(async () => fake.stop());
  beforeEach(async () => {
    for (const e of elections.splice(0)) e.stepDown('test over');
    fake.delete(LEASES, 'leases', 'autonomic', 'autonomic-leader');
    fake.requests.length = 0;
  });

  it('the first candidate creates the Lease and leads; the second follows and sees who leads', async () => {
    const a = candidate('replica-a');
    const b = candidate('replica-b');
    assert.equal(await a.tryAcquire(), true);
    assert.equal(a.isLeader, true);
    assert.equal(a.term, 1);
    assert.deepEqual(a.fence(), { name: 'autonomic-leader', term: 1 });
    assert.equal(await b.tryAcquire(), false);
    assert.equal(b.isLeader, false);
    assert.equal(b.signal.aborted, true);
    const leader = await b.leader();
    assert.equal(leader?.holder, 'replica-a');
    assert.equal(leader?.term, 1);
    const lease = fake.get(LEASES, 'leases', 'autonomic', 'autonomic-leader') as { spec: Record<string, unknown> };
    assert.equal(lease.spec.holderIdentity, 'replica-a');
    assert.equal(lease.spec.leaseDurationSeconds, 15);
    assert.equal(lease.spec.leaseTransitions, 0);
    assert.equal(lease.spec.renewTime, new Date(clock).toISOString());
  });

  it('the follower takes over once the holder has not renewed for leaseDurationSeconds (by its own clock)', async () => {
    const a = candidate('replica-a');
    const b = candidate('replica-b');
    assert.equal(await a.tryAcquire(), true);
    a.stepDown('simulated crash: stops renewing, never releases');
    assert.equal(await b.tryAcquire(), false, 'b first observes the record');
    clock += 14_000;
    assert.equal(await b.tryAcquire(), false, 'not expired yet');
    clock += 1_000;
    assert.equal(await b.tryAcquire(), true, 'expired: b takes over');
    assert.equal(b.term, 2);
    const lease = fake.get(LEASES, 'leases', 'autonomic', 'autonomic-leader') as { spec: Record<string, unknown> };
    assert.equal(lease.spec.holderIdentity, 'replica-b');
    assert.equal(lease.spec.leaseTransitions, 1);
    assert.equal(await a.tryAcquire(), false, 'the old leader, back, finds the lease held and fresh');
    const put = fake.requestsTo('PUT', '/leases/autonomic-leader');
    assert.ok(put.some((r) => (r.body as KubeObject).metadata?.resourceVersion !== undefined), 'replace carries the resourceVersion read');
  });

  it('two candidates racing for an expired lease: the server accepts one, the other gets 409 and follows', async () => {
    const lease = fixture('lease.json') as KubeObject & { spec: Record<string, unknown> };
    lease.metadata = { ...lease.metadata, name: 'autonomic-leader', namespace: 'autonomic' };
    fake.put(LEASES, 'leases', lease);
    const a = candidate('replica-a');
    const b = candidate('replica-b');
    assert.equal(await a.tryAcquire(), false);
    assert.equal(await b.tryAcquire(), false);
    clock += 16_000;
    const won = await Promise.all([a.tryAcquire(), b.tryAcquire()]);
    assert.deepEqual(won.filter(Boolean).length, 1, `exactly one leader, got ${JSON.stringify(won)}`);
    const winner = won[0] ? 'replica-a' : 'replica-b';
    const stored = fake.get(LEASES, 'leases', 'autonomic', 'autonomic-leader') as { spec: Record<string, unknown> };
    assert.equal(stored.spec.holderIdentity, winner);
    assert.equal(stored.spec.leaseTransitions, 1, 'the recorded lease had 0 transitions');
  });

  it('the leader renews; when another holder appears in the Lease, leadership ends at once', async () => {
    const a = candidate('replica-a', 20);
    assert.equal(await a.tryAcquire(), true);
    const leadership = a.signal;
    clock += 5_000;
    await new Promise((r) => setTimeout(r, 120));
    const renewed = fake.get(LEASES, 'leases', 'autonomic', 'autonomic-leader') as KubeObject & { spec: Record<string, unknown> };
    assert.equal(renewed.spec.renewTime, new Date(clock).toISOString(), 'renewTime moves with the clock');
    renewed.spec.holderIdentity = 'someone-else';
    fake.put(LEASES, 'leases', renewed);
    const reason = await new Promise<string>((resolve) => {
      if (leadership.aborted) resolve(String(leadership.reason));
      else leadership.addEventListener('abort', () => resolve(String(leadership.reason)), { once: true });
    });
    // Which one depends on whether a renewal was in flight when the record changed (it then gets 409): both end
    // leadership at once, which is what matters.
    assert.match(reason, /now held by someone-else|lease changed by another candidate \(409 Conflict\)/);
    assert.equal(a.isLeader, false);
    assert.equal(a.term, 0);
    assert.throws(() => a.fence(), /does not lead/);
  });

  it('close() releases the Lease so a follower leads at once; waitForLeadership reports the leader meanwhile', async () => {
    const a = candidate('replica-a');
    const b = candidate('replica-b');
    assert.equal(await a.tryAcquire(), true);
    const seen: (string | null)[] = [];
    const waiting = b.waitForLeadership(undefined, (l) => seen.push(l?.holder ?? null));
    await new Promise((r) => setTimeout(r, 50));
    await a.close();
    assert.equal(await waiting, true);
    assert.equal(b.isLeader, true);
    assert.ok(seen.includes('replica-a'));
    assert.equal(b.term, 2);
  });

  it('an unreachable API server is an error for the caller to retry, and a follower stays a follower', async () => {
    const dead = await new FakeKubernetesApiServer().start();
    const cfg = dead.writeKubeconfig();
    await dead.stop();
    const e = new LeaseElection(clusterAccessFromKubeconfig(cfg), { name: 'x', namespace: 'autonomic', id: 'c', timeoutMs: 1000 });
    await assert.rejects(e.tryAcquire(), /reading Lease autonomic\/x: no answer from the API server/);
    assert.equal(e.isLeader, false);
  });
});
