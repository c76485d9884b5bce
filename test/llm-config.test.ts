import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { inspect } from 'node:util';
import { UserError } from '../src/core/errors.js';
import { loadLlmConfig } from '../src/llm/config.js';

const dir = mkdtempSync(join(tmpdir(), 'llm-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

function userError(fn: () => unknown, location: RegExp, message?: RegExp): UserError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof UserError, `expected a UserError, got ${String(e)}`);
    assert.match(e.location ?? '', location);
    if (message) assert.match(e.message, message);
    return e;
  }
  assert.fail('expected a UserError');
}

describe('LLM configuration', () => {
  it('defaults to no LLM', () => {
    const c = loadLlmConfig({ env: {} });
    assert.equal(c.backend, 'none');
    assert.equal(c.maxAttempts, 3);
    assert.equal(c.responseFormat, 'auto');
  });

  it('reads the AUTONOMIC_LLM_* variables and holds the key as a Secret', () => {
    const c = loadLlmConfig({
      env: {
        AUTONOMIC_LLM_BACKEND: 'openai',
        AUTONOMIC_LLM_BASE_URL: 'http://127.0.0.1:11434/v1',
        AUTONOMIC_LLM_MODEL: 'llama3.2',
        AUTONOMIC_LLM_API_KEY: 'sk-config-secret-123456',
        AUTONOMIC_LLM_TIMEOUT_MS: '1500',
        AUTONOMIC_LLM_RESPONSE_FORMAT: 'json_object',
        AUTONOMIC_LLM_REDACT_PATTERNS: 'CUST-\\d+\nEMP-\\d+\n',
      },
    });
    assert.equal(c.backend, 'openai');
    assert.equal(c.baseUrl, 'http://127.0.0.1:11434/v1');
    assert.equal(c.model, 'llama3.2');
    assert.equal(c.timeoutMs, 1500);
    assert.equal(c.responseFormat, 'json_object');
    assert.deepEqual(c.redactPatterns, ['CUST-\\d+', 'EMP-\\d+']);
    assert.equal(c.apiKey?.reveal(), 'sk-config-secret-123456');
    for (const shown of [JSON.stringify(c), inspect(c), String(c.apiKey)]) assert.ok(!shown.includes('sk-config-secret-123456'));
  });

  it('infers the backend from a base URL or a model file', () => {
    assert.equal(loadLlmConfig({ env: { AUTONOMIC_LLM_BASE_URL: 'https://generativelanguage.googleapis.com/v1beta/openai/', AUTONOMIC_LLM_MODEL: 'gemini-2.0-flash' } }).backend, 'openai');
    assert.equal(loadLlmConfig({ env: { AUTONOMIC_LLM_MODEL_PATH: '/models/qwen.gguf' } }).backend, 'llama-cpp');
    assert.equal(loadLlmConfig({ env: { AUTONOMIC_LLM_BACKEND: 'none', AUTONOMIC_LLM_BASE_URL: 'http://x:1/v1' } }).backend, 'none', 'an explicit none wins');
  });

  it('names the variable at fault, never its value', () => {
    userError(() => loadLlmConfig({ env: { AUTONOMIC_LLM_BACKEND: 'gpt' } }), /^AUTONOMIC_LLM_BACKEND$/, /none|openai|llama-cpp/);
    userError(() => loadLlmConfig({ env: { AUTONOMIC_LLM_BASE_URL: 'not a url', AUTONOMIC_LLM_MODEL: 'm' } }), /^AUTONOMIC_LLM_BASE_URL$/);
    userError(() => loadLlmConfig({ env: { AUTONOMIC_LLM_BASE_URL: 'ftp://host/v1', AUTONOMIC_LLM_MODEL: 'm' } }), /^AUTONOMIC_LLM_BASE_URL$/);
    userError(() => loadLlmConfig({ env: { AUTONOMIC_LLM_TIMEOUT_MS: 'soon' } }), /^AUTONOMIC_LLM_TIMEOUT_MS$/, /number/);
    userError(() => loadLlmConfig({ env: { AUTONOMIC_LLM_MAX_ATTEMPTS: '7' } }), /^AUTONOMIC_LLM_MAX_ATTEMPTS$/);
    userError(() => loadLlmConfig({ env: { AUTONOMIC_LLM_BASE_URL: 'http://h:1/v1' } }), /^AUTONOMIC_LLM_MODEL$/, /needs a model/);
    userError(() => loadLlmConfig({ env: { AUTONOMIC_LLM_BACKEND: 'llama-cpp' } }), /^AUTONOMIC_LLM_MODEL_PATH$/, /gguf/);
    userError(() => loadLlmConfig({ env: { AUTONOMIC_LLM_REDACT_PATTERNS: 'ok\n(unclosed' } }), /^AUTONOMIC_LLM_REDACT_PATTERNS$/, /invalid redaction pattern/);
  });

  it('reads a YAML or JSON file, nested under llm: or not; variables override it', () => {
    const yaml = file('llm.yaml', 'llm:\n  backend: openai\n  baseUrl: http://127.0.0.1:8080/v1\n  model: qwen2.5\n  maxAttempts: 2\n  redactPatterns: ["TICKET-\\\\d+"]\n');
    const c = loadLlmConfig({ env: { AUTONOMIC_LLM_MODEL: 'override' }, file: yaml });
    assert.equal(c.backend, 'openai');
    assert.equal(c.model, 'override');
    assert.equal(c.maxAttempts, 2);
    assert.deepEqual(c.redactPatterns, ['TICKET-\\d+']);
    const json = file('llm.json', JSON.stringify({ backend: 'llama-cpp', modelPath: '/m.gguf', gpu: 'cpu' }));
    const d = loadLlmConfig({ env: { AUTONOMIC_LLM_CONFIG: json } });
    assert.equal(d.backend, 'llama-cpp');
    assert.equal(d.gpu, 'cpu');
  });

  it('reports file errors with the file and field, without echoing a secret', () => {
    const bad = file('bad.yaml', 'backend: openai\nbaseUrl: http://h/v1\nmodel: m\ntimeoutMs: -5\n');
    userError(() => loadLlmConfig({ env: {}, file: bad }), /bad\.yaml: timeoutMs/);
    const unknown = file('unknown.yaml', 'backend: none\nbogus: 1\n');
    userError(() => loadLlmConfig({ env: {}, file: unknown }), /unknown\.yaml/, /bogus/);
    const keyed = file('keyed.yaml', 'apiKey: 12345678901234567890\n');
    const e = userError(() => loadLlmConfig({ env: {}, file: keyed }), /keyed\.yaml: apiKey/);
    assert.ok(!e.message.includes('12345678901234567890'));
    const broken = file('broken.yaml', 'apiKey: "sk-unterminated-secret-value\n  : :\n');
    const b = userError(() => loadLlmConfig({ env: {}, file: broken }), /broken\.yaml/, /not valid YAML/);
    assert.ok(!b.message.includes('sk-unterminated-secret-value'));
    userError(() => loadLlmConfig({ env: {}, file: join(dir, 'missing.yaml') }), /missing\.yaml/, /ENOENT/);
  });
});
