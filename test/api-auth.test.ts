import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, DRAIN, type Harness } from './api-harness.js';

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(() => h.close());

test('no token, a malformed header and an unknown token are 401; the public OpenAPI document needs none', async () => {
  assert.equal((await h.call('GET', '/api/status')).status, 401);
  assert.equal((await h.call('GET', '/api/status', { auth: `Basic ${h.tokens.admin}` })).status, 401);
  assert.equal((await h.call('GET', '/api/status', { auth: 'Bearer atk_not-a-real-token' })).status, 401);
  assert.equal((await h.call('GET', '/api/status', { auth: `Bearer ${h.entries[3].sha256}` })).status, 401, 'the stored hash is not a token');
  assert.equal((await h.call('GET', '/openapi.json')).status, 200);
});

test('role matrix: each role may do what its rank allows and gets 403 above it', async () => {
  const matrix: { method: string; path: string; body?: unknown; need: 'viewer' | 'operator' | 'approver' | 'admin' }[] = [
    { method: 'GET', path: '/api/status', need: 'viewer' },
    { method: 'GET', path: '/api/approvals', need: 'viewer' },
    { method: 'GET', path: '/metrics', need: 'viewer' },
    { method: 'POST', path: '/api/proposals', body: { action: DRAIN, rationale: 'matrix' }, need: 'operator' },
    { method: 'POST', path: '/api/approvals/00000000-0000-0000-0000-000000000000/approve', body: {}, need: 'approver' },
    { method: 'PUT', path: '/api/policy', body: {}, need: 'admin' },
  ];
  const rank = ['viewer', 'operator', 'approver', 'admin'] as const;
  for (const row of matrix) {
    for (const role of rank) {
      const r = await h.call(row.method, row.path, { as: role, body: row.body });
      const allowed = rank.indexOf(role) >= rank.indexOf(row.need);
      if (allowed) assert.notEqual(r.status, 403, `${role} ${row.method} ${row.path}: ${r.text}`);
      else {
        assert.equal(r.status, 403, `${role} ${row.method} ${row.path}: ${r.text}`);
        assert.match((r.body as { message: string }).message, new RegExp(`needs the ${row.need} role`));
      }
    }
  }
});

test('a viewer cannot approve and an operator cannot change the policy: nothing changes', async () => {
  const p = await h.call('POST', '/api/proposals', { as: 'operator', body: { action: DRAIN, rationale: 'drain for a kernel update' } });
  assert.equal(p.status, 201, p.text);
  const id = (p.body as { approval: { id: string } }).approval.id;
  const head = (await h.store.journal.head()).seq;
  assert.equal((await h.call('POST', `/api/approvals/${id}/approve`, { as: 'viewer', body: {} })).status, 403);
  assert.equal((await h.call('POST', `/api/approvals/${id}/approve`, { as: 'operator', body: {} })).status, 403);
  assert.equal((await h.store.approvals.get(id))?.status, 'pending');
  const policyBefore = (await h.call('GET', '/api/policy', { as: 'viewer' })).body;
  const put = await h.call('PUT', '/api/policy', { as: 'operator', body: { cluster: { maxNodes: 3 } } });
  assert.equal(put.status, 403);
  assert.deepEqual((await h.call('GET', '/api/policy', { as: 'viewer' })).body, policyBefore);
  assert.equal((await h.store.journal.head()).seq, head, 'refused requests write nothing to the journal');
});

test('an admin replaces the policy: validated, served, journaled with the admin as actor', async () => {
  const bad = await h.call('PUT', '/api/policy', { as: 'admin', body: { services: { web: { minReplicas: 9, maxReplicas: 3 } } } });
  assert.equal(bad.status, 400);
  assert.ok((bad.body as { fields: { field: string }[] }).fields.some((f) => f.field === 'body.services.web.maxReplicas'), bad.text);
  const typo = await h.call('PUT', '/api/policy', { as: 'admin', body: { cluster: { maxNode: 3 } } });
  assert.equal(typo.status, 400);
  assert.match(typo.text, /body\.cluster/);
  const ok = await h.call('PUT', '/api/policy', { as: 'admin', body: { cluster: { maxNodes: 7 }, approvals: { expirySeconds: 600 } } });
  assert.equal(ok.status, 200, ok.text);
  const served = (await h.call('GET', '/api/policy', { as: 'viewer' })).body as { policy: { cluster: { maxNodes: number } }; sha256: string };
  assert.equal(served.policy.cluster.maxNodes, 7);
  const entry = (await h.store.journal.list({ kind: 'policy' })).at(-1)!;
  assert.equal(entry.actor, 'admin-user');
  assert.equal((entry.payload as { after: string }).after, served.sha256);
});

test('tokens and their hashes never appear in responses, the journal or the logs; Authorization is redacted', async () => {
  const all = [...Object.values(h.tokens), ...h.entries.map((e) => e.sha256)];
  const bodies: string[] = [];
  for (const path of ['/api/status', '/api/policy', '/api/approvals', '/api/decisions?kind=policy', '/metrics', '/openapi.json']) {
    bodies.push((await h.call('GET', path, { as: 'admin' })).text);
  }
  const journal = JSON.stringify(await h.store.journal.list({ limit: 1000 }));
  const logs = h.logs.join('');
  assert.ok(logs.includes('"authorization":"[redacted]"'), 'request headers are logged with the credential redacted');
  for (const secret of all) {
    for (const [where, text] of [['responses', bodies.join('\n')], ['journal', journal], ['logs', logs]] as const) {
      assert.ok(!text.includes(secret), `a secret leaked into the ${where}`);
    }
  }
});
