/**
 * MCP over HTTP at /mcp in the API (the official SDK's Streamable HTTP transport, client and server): the same
 * bearer tokens and roles as the API. A viewer lists and calls read tools but cannot call a proposal tool; an
 * operator's proposal lands as a pending approval recorded as mcp:<token name>.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Role } from '../src/interfaces/api/auth/roles.js';
import { startHarness, type Harness } from './api-harness.js';

let h: Harness;
before(async () => {
  h = await startHarness({ log: false });
});
after(async () => {
  await h.close();
});

async function connect(role: Role): Promise<Client> {
  const client = new Client({ name: 'mcp-http-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${h.base}/mcp`), { requestInit: { headers: { authorization: `Bearer ${h.tokens[role]}` } } }));
  return client;
}

const READ_TOOLS = ['approvals_pending', 'explain_decision', 'forecast_models', 'list_anomalies', 'list_decisions', 'status'];

test('MCP over HTTP: a viewer lists and calls the read tools; a proposal tool is refused with 403 and nothing is queued', async () => {
  const client = await connect('viewer');
  try {
    assert.deepEqual((await client.listTools()).tools.map((t) => t.name).sort(), READ_TOOLS, 'no proposal tools for a viewer');
    const status = await client.callTool({ name: 'status', arguments: {} });
    assert.ok(!status.isError, JSON.stringify(status.content));
    assert.match((status.content as { text: string }[])[0].text, /"journal"/);
    await assert.rejects(
      client.callTool({ name: 'propose_action', arguments: { action: { kind: 'remove-node', node: 'n-1' }, rationale: 'idle' } }),
      (e: Error & { code?: number }) => e.code === 403 && /"forbidden".*propose_action needs the operator role; viewer-user is viewer/.test(e.message),
    );
  } finally {
    await client.close();
  }
  assert.deepEqual(await h.store.approvals.list(), []);
});

test('MCP over HTTP: an operator sees the proposal tools and its proposal is queued as pending, never executed', async () => {
  const client = await connect('operator');
  try {
    const names = (await client.listTools()).tools.map((t) => t.name).sort();
    assert.deepEqual(names, [...READ_TOOLS, 'propose_action', 'propose_intent'].sort());
    const r = await client.callTool({ name: 'propose_action', arguments: { action: { kind: 'remove-node', node: 'n-7' }, rationale: 'idle for a day' } });
    assert.ok(!r.isError, JSON.stringify(r.content));
    const out = JSON.parse((r.content as { text: string }[])[0].text) as { status: string; approvalId: string };
    assert.equal(out.status, 'pending-approval');
    const approval = await h.store.approvals.get(out.approvalId);
    assert.equal(approval?.status, 'pending');
    assert.equal(approval?.source, 'mcp:operator-user');
  } finally {
    await client.close();
  }
});

test('MCP over HTTP: no token is 401, a batch smuggling a proposal past a viewer is 403, GET is 405, bad bodies are 400', async () => {
  const post = (auth: string | undefined, body: string) => fetch(`${h.base}/mcp`, {
    method: 'POST', body,
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...(auth ? { authorization: auth } : {}) },
  });
  const list = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} });
  const none = await post(undefined, list);
  assert.equal(none.status, 401);
  assert.equal(((await none.json()) as { error: string }).error, 'unauthenticated');
  const batch = JSON.stringify([
    { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'status', arguments: {} } },
    { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'propose_intent', arguments: { text: 'nginx' } } },
  ]);
  const smuggled = await post(`Bearer ${h.tokens.viewer}`, batch);
  assert.equal(smuggled.status, 403);
  assert.match(((await smuggled.json()) as { message: string }).message, /propose_intent needs the operator role/);
  const bad = await post(`Bearer ${h.tokens.viewer}`, '"just a string"');
  assert.equal(bad.status, 400);
  const get = await fetch(`${h.base}/mcp`, { headers: { authorization: `Bearer ${h.tokens.viewer}` } });
  assert.equal(get.status, 405);
  assert.equal(get.headers.get('allow'), 'POST');
  assert.ok(!h.logs.join('').includes(h.tokens.viewer), 'tokens never logged');
});
