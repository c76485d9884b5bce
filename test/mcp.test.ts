import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { Snapshot } from '../src/core/snapshot.js';
import { defaultPolicy } from '../src/govern/policy.js';
import { openStore, type Store } from '../src/knowledge/store.js';
import { PolicyHolder } from '../src/interfaces/api/policy-holder.js';
import { buildMcpServer } from '../src/interfaces/mcp/server.js';
import { buildScenarioTwin } from '../src/interfaces/cli/commands/sim.js';

let dir: string;
let store: Store;

async function connect(snapshot?: () => Promise<Snapshot | undefined>): Promise<Client> {
  const now = () => Date.now() / 1000;
  const server = buildMcpServer({ store, policy: new PolicyHolder(defaultPolicy()), now, startedAt: now(), snapshot }, 'mcp:tester');
  const [a, b] = InMemoryTransport.createLinkedPair();
  await server.connect(a);
  const client = new Client({ name: 'test', version: '1.0.0' });
  await client.connect(b);
  return client;
}

function json(r: Awaited<ReturnType<Client['callTool']>>): Record<string, unknown> {
  const content = r.content as { type: string; text: string }[];
  assert.equal(content[0].type, 'text');
  return JSON.parse(content[0].text) as Record<string, unknown>;
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'autonomic-mcp-'));
  store = await openStore(join(dir, 'knowledge.db'));
});
after(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

test('the MCP server lists read and proposal tools, and none that approves or writes policy', async () => {
  const client = await connect();
  const names = (await client.listTools()).tools.map((t) => t.name).sort();
  assert.deepEqual(names, ['approvals_pending', 'explain_decision', 'forecast_models', 'list_anomalies', 'list_decisions', 'propose_action', 'propose_intent', 'status']);
  const status = json(await client.callTool({ name: 'status', arguments: {} }));
  assert.equal((status.journal as { entries: number }).entries, 0);
  await client.close();
});

test('propose_action lands as a pending approval, never executed, and is explained', async () => {
  const client = await connect();
  const r = await client.callTool({ name: 'propose_action', arguments: { action: { kind: 'remove-node', node: 'n-7' }, rationale: 'idle for a day' } });
  assert.ok(!r.isError, JSON.stringify(r.content));
  const out = json(r);
  assert.equal(out.status, 'pending-approval');
  const approval = await store.approvals.get(String(out.approvalId));
  assert.equal(approval?.status, 'pending');
  assert.equal(approval?.source, 'mcp:mcp:tester');
  const pending = json(await client.callTool({ name: 'approvals_pending', arguments: {} }));
  assert.equal((pending.items as unknown[]).length, 1);

  const decisions = json(await client.callTool({ name: 'list_decisions', arguments: { kind: 'proposal' } }));
  const [entry] = decisions.items as { seq: number; actor: string }[];
  assert.equal(entry.actor, 'mcp:tester');
  const explained = json(await client.callTool({ name: 'explain_decision', arguments: { seq: entry.seq } }));
  assert.match((explained.explanation as { text: string }).text, /remove node n-7|idle for a day|proposed/);
  const missing = await client.callTool({ name: 'explain_decision', arguments: { seq: 99999 } });
  assert.equal(missing.isError, true);
  const invalid = await client.callTool({ name: 'propose_action', arguments: { action: { kind: 'delete-everything' }, rationale: 'x' } });
  assert.equal(invalid.isError, true, 'schema-invalid input is refused');
  assert.equal((await store.approvals.list({ status: 'pending' })).length, 1, 'the invalid proposal queued nothing');
  await client.close();
});

test('with a live snapshot the guardrails judge first: a denied action is not queued', async () => {
  const twin = buildScenarioTwin({ kind: 'generator', name: 'steady' }, 1, '');
  const snap = twin.snapshotNow();
  const client = await connect(async () => snap);
  const before = (await store.approvals.list()).length;
  const denied = await client.callTool({ name: 'propose_action', arguments: { action: { kind: 'rollback', service: 'no-such-service' }, rationale: 'try it' } });
  assert.equal(denied.isError, true);
  assert.match((denied.content as { text: string }[])[0].text, /Unknown service/);
  assert.equal((await store.approvals.list()).length, before);
  const web = snap.services[0];
  const ok = json(await client.callTool({ name: 'propose_action', arguments: { action: { kind: 'scale', service: web.name, from: web.replicas, to: web.replicas + 1 }, rationale: 'more headroom' } }));
  assert.equal(ok.status, 'pending-approval', 'even a low-risk action from outside the loop waits for a human');
  await client.close();
});

test('propose_intent runs the intent pipeline (clarifying questions first) and journals it; nothing is applied', async () => {
  const client = await connect();
  // An underspecified request stops at the questions: the full build is the intent pipeline's own tests' business.
  const r = json(await client.callTool({ name: 'propose_intent', arguments: { text: 'I need a web server' } }));
  assert.equal(r.status, 'needs-answers');
  assert.ok((r.questions as { id: string }[]).some((q) => q.id === 'image'));
  assert.ok((await store.journal.list({ kind: 'intent.parse' })).length >= 1);
  await client.close();
});
