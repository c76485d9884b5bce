import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApprovalQueue } from '../src/govern/approvals.js';
import { MemoryApprovalRepository } from '../src/govern/memory-approval-repository.js';
import { Guardrails } from '../src/govern/guardrails.js';
import { defaultPolicy } from '../src/govern/policy.js';
import { ApprovalFlow } from '../src/loop/approval-flow.js';
import { Controller } from '../src/loop/controller.js';
import { TwinCluster } from '../src/execute/twin/cluster.js';
import { scenarioTwin } from '../src/loop/scenario.js';
import type { Action } from '../src/core/action.js';

/** An approval queued the way the API queues a proposal (source `api:<who>`), then approved by a person. */
async function externalApproved(repo: MemoryApprovalRepository, action: Action, source: string): Promise<string> {
  const q = new ApprovalQueue(repo, { expirySeconds: 3600 });
  const a = await q.enqueue({ outcome: 'needs-approval', action, reasons: ['proposed from outside the loop'] },
    { action, source, rationale: 'more headroom for a launch', evidence: {}, expectedEffect: 'more replicas' }, Date.now() / 1000);
  await q.approve(a.id, 'alice', Date.now() / 1000);
  return a.id;
}

test('a live loop runs an approved API proposal once, after the guardrails recheck; other approvals are left alone', async () => {
  const twin = new TwinCluster(scenarioTwin({ kind: 'generator', name: 'steady' }, 1));
  const web = twin.snapshotNow().services.find((s) => s.name === 'web');
  assert.ok(web);
  const repo = new MemoryApprovalRepository();
  const target = web.replicas + 2;
  const apiId = await externalApproved(repo, { kind: 'scale', service: 'web', from: web.replicas, to: target }, 'api:bob');
  // Approved but queued by some other flow (e.g. a simulation's): not this loop's to run.
  const otherId = await externalApproved(repo, { kind: 'scale', service: 'api', from: 1, to: 3 }, 'predictive');
  const flow = new ApprovalFlow({ repo, expirySeconds: 3600, adoptExternal: (a) => /^(api|mcp):/.test(a.source) });
  const controller = new Controller({ source: twin, provider: twin, policies: [], guardrails: new Guardrails(defaultPolicy()), approvals: flow, mode: 'auto' });

  twin.advance(15);
  const r1 = await controller.tick();
  const ran = r1.decisions.filter((d) => d.approvalId === apiId);
  assert.equal(ran.length, 1);
  assert.equal(ran[0].outcome?.ok, true, ran[0].outcome?.message);
  assert.equal(ran[0].proposal.source, 'approval:alice');
  assert.equal(twin.snapshotNow().services.find((s) => s.name === 'web')?.replicas, target);
  assert.equal((await repo.get(apiId))?.status, 'executed');
  assert.equal((await repo.get(otherId))?.status, 'approved');

  twin.advance(15);
  const r2 = await controller.tick();
  assert.equal(r2.decisions.filter((d) => d.approvalId === apiId).length, 0, 'executed once');
});

test('without adoptExternal a flow never runs approvals it did not queue', async () => {
  const repo = new MemoryApprovalRepository();
  await externalApproved(repo, { kind: 'scale', service: 'web', from: 2, to: 4 }, 'api:bob');
  const flow = new ApprovalFlow({ repo, expirySeconds: 3600 });
  assert.deepEqual(await flow.approved(0), []);
});
