import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from './api-harness.js';

let h: Harness;
before(async () => {
  h = await startHarness({ log: false });
});
after(() => h.close());

interface IntentBody { status: string; questions: { id: string; blocking: boolean }[]; yaml: string; findings: unknown[] }

test('POST /api/intents: operators get a plan and YAML, journaled with who asked; viewers are refused', async () => {
  const denied = await h.call('POST', '/api/intents', { as: 'viewer', body: { text: 'deploy nginx' } });
  assert.equal(denied.status, 403);

  const r = await h.call('POST', '/api/intents', { as: 'operator', body: { text: 'deploy nginx with three replicas behind a load balancer' } });
  assert.equal(r.status, 200, r.text);
  const body = r.body as IntentBody;
  assert.equal(body.status, 'ready');
  assert.match(body.yaml, /kind: Deployment/);
  assert.match(body.yaml, /replicas: 3/);
  const asked = await h.store.journal.list({ kind: 'intent.request' });
  assert.equal(asked.length, 1);
  assert.equal(asked[0].actor, 'operator-user');
  assert.ok((await h.store.journal.list({ kind: 'intent.build' })).length === 1, 'the pipeline stages are journaled');

  // Unknown answer ids and empty text are refused before anything runs.
  assert.equal((await h.call('POST', '/api/intents', { as: 'operator', body: { text: 'x', answers: { evil: '1' } } })).status, 400);
  assert.equal((await h.call('POST', '/api/intents', { as: 'operator', body: { text: '   ' } })).status, 400);
});

test('POST /api/intents returns clarifying questions when the request is incomplete', async () => {
  const r = await h.call('POST', '/api/intents', { as: 'operator', body: { text: 'deploy something' } });
  assert.equal(r.status, 200, r.text);
  const body = r.body as IntentBody;
  if (body.status === 'needs-answers') {
    assert.ok(body.questions.some((q) => q.blocking));
    assert.equal(body.yaml, '');
  } else {
    assert.ok(body.questions.length > 0, `expected questions, got ${r.text.slice(0, 300)}`);
  }
});

test('intent bundles are stored: listed, shown, approved once by an approver (replay → 409), never by an operator', async () => {
  const r = await h.call('POST', '/api/intents', { as: 'operator', body: { text: 'deploy redis:7.2 with two replicas' } });
  assert.equal(r.status, 200, r.text);
  const { id, files } = r.body as { id: string; files: { path: string; kind: string; content: string }[] };
  assert.match(id, /^int-/);
  assert.equal(files.length, 1);
  assert.equal(files[0].kind, 'kubernetes');
  assert.match(files[0].content, /image: redis:7\.2/);

  const list = await h.call('GET', '/api/intents', { as: 'viewer' });
  assert.equal(list.status, 200);
  assert.ok((list.body as { items: { id: string }[] }).items.some((i) => i.id === id));
  const shown = await h.call('GET', `/api/intents/${id}`, { as: 'viewer' });
  assert.equal((shown.body as { status: string }).status, 'ready');
  assert.equal((await h.call('GET', '/api/intents/int-nope', { as: 'viewer' })).status, 404);

  assert.equal((await h.call('POST', `/api/intents/${id}/approve`, { as: 'operator', body: {} })).status, 403, 'operators cannot approve');
  const ok = await h.call('POST', `/api/intents/${id}/approve`, { as: 'approver', body: { note: 'looks right' } });
  assert.equal(ok.status, 200, ok.text);
  assert.equal((ok.body as { status: string; decidedBy: string }).decidedBy, 'approver-user');
  const replay = await h.call('POST', `/api/intents/${id}/approve`, { as: 'approver', body: {} });
  assert.equal(replay.status, 409, 'a decided bundle cannot be decided again');
  const decisions = await h.store.journal.list({ kind: 'intent.decision' });
  assert.equal(decisions.filter((d) => (d.payload as { id: string }).id === id).length, 1);
});
