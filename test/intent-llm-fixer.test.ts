/**
 * The LLM fixer of last resort in the file review loop, against a FAKE OpenAI-compatible server (recorded response
 * shapes, see test/fixtures/llm/README.md): a proposal that closes the open findings is kept; one that closes them
 * but opens another (here: a plain-text password) is dropped, so a model can never widen what is generated; with
 * no LLM configured nothing is sent at all.
 */
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { createLlmProvider } from '../src/llm/create.js';
import { loadLlmConfig } from '../src/llm/config.js';
import { reviewFiles } from '../src/plan/intent/file-review.js';
import { llmFixer } from '../src/plan/intent/llm-fixer.js';
import { cloudInitChecker } from '../src/plan/intent/vm/cloud-init-checker.js';
import type { ArtefactFile } from '../src/plan/intent/artefact.js';
import { FakeOpenAiServer } from './fixtures/llm/fake-openai-server.js';

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHh0ZXN0a2V5Zm9yYXV0b25vbWljdGVzdHMxMjM0NTY3 ops@laptop';
// No "#cloud-config" header (CI-001) and a user without keys (CI-005): errors no rule-based fixer repairs.
const BROKEN: ArtefactFile = { path: 'cloud-init/web.yaml', kind: 'cloud-init', content: 'hostname: web\nusers:\n  - name: ops\n    shell: /bin/bash\n' };
const FIXED = `#cloud-config\nhostname: web\nusers:\n  - name: ops\n    shell: /bin/bash\n    ssh_authorized_keys:\n      - ${KEY}\n`;
const WIDENED = `#cloud-config\nhostname: web\nssh_pwauth: true\nusers:\n  - name: ops\n    shell: /bin/bash\n    ssh_authorized_keys:\n      - ${KEY}\n`;

let fake: FakeOpenAiServer;
before(async () => {
  fake = await FakeOpenAiServer.start();
});
after(() => fake.close());
beforeEach(() => fake.reset());

const provider = () =>
  createLlmProvider(loadLlmConfig({ env: { AUTONOMIC_LLM_BASE_URL: fake.baseUrl, AUTONOMIC_LLM_MODEL: 'gpt-4.1', AUTONOMIC_LLM_TRANSPORT_RETRIES: '0', AUTONOMIC_LLM_TIMEOUT_MS: '5000' } }));

const reply = (content: string) => ({ content: JSON.stringify({ files: [{ path: BROKEN.path, content }], changes: [{ ruleId: 'CI-001', change: 'added the #cloud-config header and the key' }] }) });

test('a proposal that closes the findings without opening others is kept', async () => {
  fake.enqueue(reply(FIXED));
  const r = await reviewFiles([BROKEN], { checkers: [cloudInitChecker], maxRounds: 3, llm: llmFixer(provider()) });
  assert.equal(r.escalated, false, JSON.stringify(r.findings));
  assert.equal(r.files[0].content, FIXED);
  assert.ok(r.rounds.some((x) => x.fixes.some((f) => f.change.startsWith('LLM:'))));
  assert.equal(fake.requests.length, 1);
  const sent = JSON.stringify(fake.requests[0].body);
  assert.match(sent, /CI-001/, 'the open findings are in the prompt');
});

test('a proposal that opens a new finding (password login) is dropped and the bundle escalates', async () => {
  fake.enqueue(reply(WIDENED));
  const r = await reviewFiles([BROKEN], { checkers: [cloudInitChecker], maxRounds: 3, llm: llmFixer(provider()) });
  assert.equal(r.escalated, true);
  assert.equal(r.files[0].content, BROKEN.content, 'the widened file is not kept');
  assert.ok(r.rounds.some((x) => x.fixes.some((f) => f.ruleId === 'LLM' && /opened CI-007/.test(f.change))));
});

test('with no LLM configured nothing is sent and the open errors escalate', async () => {
  const none = createLlmProvider(loadLlmConfig({ env: {} }));
  const r = await reviewFiles([BROKEN], { checkers: [cloudInitChecker], maxRounds: 3, llm: llmFixer(none) });
  assert.equal(r.escalated, true);
  assert.equal(fake.requests.length, 0);
});
