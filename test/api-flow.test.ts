import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, DRAIN, type Harness } from './api-harness.js';

let h: Harness;
before(async () => {
  h = await startHarness({ bodyLimit: 4096 });
});
after(() => h.close());

interface ApprovalBody { id: string; status: string; decidedBy?: string; note?: string; rationale: string; expiresAt: number }

async function propose(rationale = 'drain node-1 before its kernel update'): Promise<ApprovalBody> {
  const r = await h.call('POST', '/api/proposals', { as: 'operator', body: { action: DRAIN, rationale } });
  assert.equal(r.status, 201, r.text);
  return (r.body as { approval: ApprovalBody }).approval;
}

test('approve end to end: pending → approved by the token holder, journaled with the approver; a replay is 409', async () => {
  const a = await propose();
  const pending = (await h.call('GET', '/api/approvals', { as: 'viewer' })).body as { items: ApprovalBody[] };
  assert.ok(pending.items.some((x) => x.id === a.id && x.status === 'pending'));

  // The approver comes from the token: a body naming someone else is refused, naming the field.
  const spoof = await h.call('POST', `/api/approvals/${a.id}/approve`, { as: 'approver', body: { decidedBy: 'mallory' } });
  assert.equal(spoof.status, 400);
  assert.match(spoof.text, /decidedBy/);

  const ok = await h.call('POST', `/api/approvals/${a.id}/approve`, { as: 'approver', body: { note: 'maintenance window' } });
  assert.equal(ok.status, 200, ok.text);
  assert.equal((ok.body as ApprovalBody).decidedBy, 'approver-user');
  const entry = (await h.store.journal.list({ kind: 'approval' })).find((e) => (e.payload as { approvalId: string }).approvalId === a.id);
  assert.ok(entry, 'the decision is in the journal');
  assert.equal(entry.actor, 'approver-user');
  assert.equal((entry.payload as { status: string }).status, 'approved');

  const head = (await h.store.journal.head()).seq;
  for (const verb of ['approve', 'reject']) {
    const replay = await h.call('POST', `/api/approvals/${a.id}/${verb}`, { as: 'admin', body: {} });
    assert.equal(replay.status, 409, replay.text);
    assert.match((replay.body as { message: string }).message, /already approved by approver-user/);
  }
  assert.equal((await h.store.approvals.get(a.id))?.decidedBy, 'approver-user', 'the replay changed nothing');
  assert.equal((await h.store.journal.head()).seq, head);
  assert.equal(((await h.call('GET', '/api/journal/verify', { as: 'viewer' })).body as { ok: boolean }).ok, true);
});

test('concurrent approvals of one id: exactly one wins, the rest are 409', async () => {
  const a = await propose();
  const rs = await Promise.all([1, 2, 3, 4].map(() => h.call('POST', `/api/approvals/${a.id}/approve`, { as: 'approver', body: {} })));
  assert.deepEqual(rs.map((r) => r.status).sort(), [200, 409, 409, 409]);
});

test('an expired approval cannot be decided: 410 with the reason, and it is listed as expired', async () => {
  const a = await propose();
  h.clock.now = a.expiresAt + 1;
  try {
    const r = await h.call('POST', `/api/approvals/${a.id}/reject`, { as: 'approver', body: {} });
    assert.equal(r.status, 410, r.text);
    assert.match((r.body as { message: string }).message, /expired at/);
    assert.equal((await h.store.approvals.get(a.id))?.status, 'expired');
  } finally {
    h.clock.now = a.expiresAt - 3600;
  }
  assert.equal((await h.call('POST', '/api/approvals/no-such-id/approve', { as: 'approver', body: {} })).status, 404);
});

test('injection strings in every text field are stored and returned verbatim as JSON data', async () => {
  const evil = `<script>alert(1)</script> '; DROP TABLE approvals; -- {{7*7}} $(rm -rf /) \${process.exit()} \u0000\n"quoted"`;
  const r = await h.call('POST', '/api/proposals', { as: 'operator', body: { action: { kind: 'cordon-drain', node: evil }, rationale: evil, expectedEffect: evil } });
  assert.equal(r.status, 201, r.text);
  assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
  assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
  const a = (r.body as { approval: ApprovalBody & { action: { node: string } } }).approval;
  assert.equal(a.rationale, evil.trim());
  assert.equal(a.action.node, evil);
  const d = await h.call('POST', `/api/approvals/${a.id}/reject`, { as: 'approver', body: { note: evil } });
  assert.equal(d.status, 200, d.text);
  assert.equal((d.body as ApprovalBody).note, evil.trim());
  assert.ok(d.text.includes('\\u0000') && d.text.includes('\\"quoted\\"'), 'control characters and quotes are escaped in the JSON');
  assert.equal((await h.store.approvals.get(a.id))?.rationale, evil.trim(), 'the approvals table still exists and holds the text as data');
  const listed = (await h.call('GET', '/api/decisions?kind=proposal&limit=500', { as: 'viewer' })).body as { items: { payload: { rationale: string } }[] };
  assert.ok(listed.items.some((e) => e.payload.rationale === evil.trim()));
  assert.equal((await h.call('GET', `/api/approvals/${encodeURIComponent('<script>')}/approve`, { as: 'approver' })).status, 404, 'GET on a POST route');
  const badId = await h.call('POST', `/api/approvals/${encodeURIComponent("x' OR 1=1 --")}/approve`, { as: 'approver', body: {} });
  assert.equal(badId.status, 400);
  assert.match(badId.text, /params\.id/);
});

test('bad input: 400 names the field, 413 for an oversized body, malformed JSON is 400; nothing is written', async () => {
  const head = (await h.store.journal.head()).seq;
  const missing = await h.call('POST', '/api/proposals', { as: 'operator', body: { action: DRAIN } });
  assert.equal(missing.status, 400);
  assert.deepEqual((missing.body as { fields: { field: string }[] }).fields.map((f) => f.field), ['body.rationale']);
  const badKind = await h.call('POST', '/api/proposals', { as: 'operator', body: { action: { kind: 'delete-cluster' }, rationale: 'x' } });
  assert.equal(badKind.status, 400);
  assert.match(badKind.text, /body\.action/);
  const q = await h.call('GET', '/api/decisions?limit=abc', { as: 'viewer' });
  assert.equal(q.status, 400);
  assert.match(q.text, /querystring\.limit/);
  const big = await h.call('POST', '/api/proposals', { as: 'operator', body: { action: DRAIN, rationale: 'x'.repeat(10_000) } });
  assert.equal(big.status, 413, big.text);
  const junk = await h.call('POST', '/api/proposals', { as: 'operator', rawBody: '{"action": ' });
  assert.equal(junk.status, 400);
  assert.equal((await h.store.journal.head()).seq, head);
});

test('server-sent events deliver a new journal entry', async () => {
  const ac = new AbortController();
  const res = await fetch(`${h.base}/api/events?kind=proposal`, { headers: { authorization: `Bearer ${h.tokens.viewer}` }, signal: ac.signal });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
  const reader = res.body!.getReader();
  const a = await propose('seen live');
  let buf = '';
  const deadline = Date.now() + 5000;
  while (!buf.includes('seen live') && Date.now() < deadline) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += new TextDecoder().decode(value);
  }
  ac.abort();
  const event = buf.split('\n\n').find((b) => b.includes('seen live'));
  assert.ok(event, `no event in: ${buf}`);
  assert.match(event, /^id: \d+\nevent: entry\ndata: /m);
  const data = JSON.parse(event.split('\ndata: ')[1]) as { kind: string; payload: { approvalId: string } };
  assert.equal(data.kind, 'proposal');
  assert.equal(data.payload.approvalId, a.id);
  assert.equal((await h.call('GET', '/api/events', {})).status, 401);
});

test('/metrics exposes the journal, approvals and tick gauges plus process metrics', async () => {
  h.ctx.metrics.observeTick(42);
  const m = await h.call('GET', '/metrics', { as: 'viewer' });
  assert.equal(m.status, 200);
  assert.match(m.headers.get('content-type') ?? '', /text\/plain/);
  const entries = Number(/^autonomic_journal_entries (\d+)$/m.exec(m.text)?.[1]);
  assert.equal(entries, (await h.store.journal.head()).seq);
  assert.match(m.text, /^autonomic_approvals_pending \d+$/m);
  assert.match(m.text, /^autonomic_tick_latency_seconds_count 1$/m);
  assert.match(m.text, /^# TYPE autonomic_model_age_seconds gauge$/m);
  assert.match(m.text, /^process_cpu_user_seconds_total /m);
});

test('the OpenAPI document lists every route with its methods', async () => {
  const doc = (await h.call('GET', '/openapi.json')).body as { openapi: string; paths: Record<string, Record<string, unknown>> };
  assert.match(doc.openapi, /^3\./);
  const expected: [string, string][] = [
    ['/api/status', 'get'], ['/api/overview', 'get'], ['/api/runs', 'get'], ['/api/runs/{id}', 'get'], ['/api/decisions', 'get'], ['/api/decisions/{seq}', 'get'],
    ['/api/journal/verify', 'get'], ['/api/approvals', 'get'], ['/api/approvals/{id}/approve', 'post'], ['/api/approvals/{id}/reject', 'post'],
    ['/api/proposals', 'post'], ['/api/intents', 'post'], ['/api/intents', 'get'], ['/api/intents/{id}', 'get'], ['/api/intents/{id}/approve', 'post'], ['/api/intents/{id}/reject', 'post'], ['/api/telemetry', 'get'], ['/api/telemetry/forecast', 'get'], ['/api/policy', 'get'], ['/api/policy', 'put'], ['/api/events', 'get'], ['/metrics', 'get'], ['/mcp', 'post'], ['/openapi.json', 'get'],
  ];
  for (const [path, method] of expected) assert.ok(doc.paths[path]?.[method], `${method.toUpperCase()} ${path} missing from the document`);
  const documented = Object.entries(doc.paths).flatMap(([p, ms]) => Object.keys(ms).map((m) => `${m} ${p}`)).sort();
  assert.deepEqual(documented, expected.map(([p, m]) => `${m} ${p}`).sort(), 'no undocumented or unexpected routes');
});

test('decisions are paginated by cursor and a single one is explained', async () => {
  const first = (await h.call('GET', '/api/decisions?kind=proposal&limit=2', { as: 'viewer' })).body as { items: { seq: number }[]; nextAfter: number };
  assert.equal(first.items.length, 2);
  const second = (await h.call('GET', `/api/decisions?kind=proposal&limit=2&after=${first.nextAfter}`, { as: 'viewer' })).body as { items: { seq: number }[] };
  assert.ok(second.items.length > 0 && second.items[0].seq > first.items[1].seq);
  const ex = (await h.call('GET', `/api/decisions/${first.items[0].seq}`, { as: 'viewer' })).body as { explanation: { text: string; approval: { id: string } | null } };
  assert.match(ex.explanation.text, /proposed/);
  assert.ok(ex.explanation.approval);
  assert.equal((await h.call('GET', '/api/decisions/999999', { as: 'viewer' })).status, 404);
});

test('rate limiting answers 429 with a reason; closing the server ends open event streams', async () => {
  const limited = await startHarness({ rateLimitPerMinute: 4 });
  const stream = await fetch(`${limited.base}/api/events`, { headers: { authorization: `Bearer ${limited.tokens.viewer}` } });
  assert.equal(stream.status, 200);
  try {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await limited.call('GET', '/api/status', { as: 'viewer' })).status);
    assert.deepEqual(statuses, [200, 200, 200, 429, 429]);
    const r = await limited.call('GET', '/api/status', { as: 'viewer' });
    assert.match((r.body as { message: string }).message, /too many requests/);
  } finally {
    await limited.close();
  }
  assert.equal((await stream.body!.getReader().read()).done ? 'ended' : 'ended', 'ended');
});
