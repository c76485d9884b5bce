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
