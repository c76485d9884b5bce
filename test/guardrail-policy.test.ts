import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { UserError } from '../src/core/errors.js';
import { defaultPolicy, loadPolicyFile, parsePolicy, resolveServiceBounds } from '../src/govern/policy.js';

const root = join(import.meta.dirname, '..');

/** Parse, expecting a UserError; returns its message. */
function failure(text: string, file = 'policy.yaml'): string {
  try {
    parsePolicy(text, file);
  } catch (e) {
    assert.ok(e instanceof UserError, `expected a UserError, got ${String(e)}`);
    return e.message;
  }
  assert.fail('expected the policy to be rejected');
}

test('a wrong type names file, line, column and field', () => {
  const text = ['services:', '  "*":', '    minReplicas: 1', '  web:', '    minReplicas: 2', '    # ceiling', '    maxReplicas: ten', ''].join('\n');
  assert.equal(failure(text), 'policy.yaml:7:18: services.web.maxReplicas: expected a number, got "ten"');
});

test('an unknown key is an error pointing at the key', () => {
  const text = ['cluster:', '  maxNodes: 10', '  maxNode: 12', ''].join('\n');
  assert.equal(failure(text), 'policy.yaml:3:3: cluster.maxNode: unknown key "maxNode"');
  assert.match(failure('blastRadius:\n  maxShare: 0.3\n'), /^policy\.yaml:2:3: blastRadius\.maxShare: unknown key "maxShare"$/);
  assert.match(failure('tiers:\n  scale: high\n'), /^policy\.yaml:1:1: tiers: unknown key "tiers"$/);
});

test('minReplicas above maxReplicas is reported at the entry, including inherited bounds', () => {
  assert.equal(
    failure('services:\n  api:\n    minReplicas: 9\n    maxReplicas: 3\n'),
    'policy.yaml:4:18: services.api.maxReplicas: minReplicas 9 is greater than maxReplicas 3',
  );
  // web's own max is below the min it inherits from "*".
  assert.equal(
    failure('services:\n  "*": {minReplicas: 5}\n  web: {maxReplicas: 3}\n'),
    'policy.yaml:3:22: services.web.maxReplicas: minReplicas 5 is greater than maxReplicas 3 (inherited)',
  );
});

test('minNodes above maxNodes is reported at minNodes', () => {
  assert.equal(failure('cluster:\n  minNodes: 50\n  maxNodes: 10\n'), 'policy.yaml:2:13: cluster.minNodes: minNodes 50 is greater than maxNodes 10');
});

test('YAML syntax errors carry the line', () => {
  const msg = failure('services:\n  web:\n    minReplicas: [1, 2\nrateLimits: {}\n', 'p.yaml');
  assert.match(msg, /^p\.yaml:\d+:\d+: YAML syntax error: /);
  const dup = failure('cluster:\n  maxNodes: 10\n  maxNodes: 12\n');
  assert.match(dup, /^policy\.yaml:3:3: YAML syntax error: .*unique/i);
});

test('negative, fractional and absurd numbers are rejected clearly', () => {
  assert.equal(failure('services:\n  web:\n    minReplicas: -2\n'), 'policy.yaml:3:18: services.web.minReplicas: must be ≥ 0, got -2');
  assert.equal(failure('services:\n  web:\n    maxReplicas: 2.5\n'), 'policy.yaml:3:18: services.web.maxReplicas: expected a whole number, got 2.5');
  assert.equal(failure('services:\n  web:\n    maxReplicas: 1000000\n'), 'policy.yaml:3:18: services.web.maxReplicas: must be ≤ 100000, got 1000000');
  assert.equal(failure('cluster:\n  maxCostPerHour: -5\n'), 'policy.yaml:2:19: cluster.maxCostPerHour: must be > 0, got -5');
  assert.equal(failure('rateLimits:\n  windowSeconds: 0\n'), 'policy.yaml:2:18: rateLimits.windowSeconds: must be > 0, got 0');
});

test('enum, list and top-level shape errors are readable', () => {
  assert.equal(failure('riskTiers:\n  scale: medium\n'), 'policy.yaml:2:10: riskTiers.scale: expected one of "low", "high", got "medium"');
  assert.equal(failure('cluster:\n  allowedInstanceTypes: [m5.large, 7]\n'), 'policy.yaml:2:36: cluster.allowedInstanceTypes.1: expected a string, got 7');
  assert.equal(failure('- a\n- b\n'), 'policy.yaml:1:1: (top level): expected a mapping, got a list');
});

test('an empty file means all defaults, and listed services inherit from "*"', () => {
  const empty = parsePolicy('# nothing here\n', 'empty.yaml');
  assert.deepEqual(empty, defaultPolicy());
  assert.deepEqual(resolveServiceBounds(empty, 'anything'), { minReplicas: 1, maxReplicas: 100 });
  const p = parsePolicy('services:\n  "*": {minReplicas: 2, maxReplicas: 30}\n  web: {maxReplicas: 60}\n', 'x.yaml');
  assert.deepEqual(resolveServiceBounds(p, 'web'), { minReplicas: 2, maxReplicas: 60 });
  assert.deepEqual(resolveServiceBounds(p, 'api'), { minReplicas: 2, maxReplicas: 30 });
  // A prototype key is a service name like any other, not an inherited property.
  assert.deepEqual(resolveServiceBounds(p, 'constructor'), { minReplicas: 2, maxReplicas: 30 });
});

test('policies/default.yaml loads and documents exactly the built-in defaults', () => {
  const p = loadPolicyFile(join(root, 'policies', 'default.yaml'));
  assert.deepEqual(p, defaultPolicy());
  assert.equal(p.riskTiers['remove-node'], 'high');
  assert.equal(p.rateLimits.maxActionsPerWindow, 10);
});

test('loadPolicyFile names the file in errors, including a missing file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'autonomic-policy-'));
  const file = join(dir, 'bad.yaml');
  writeFileSync(file, 'approvals:\n  expirySeconds: soon\n');
  assert.throws(() => loadPolicyFile(file), (e: unknown) => e instanceof UserError && e.message === `${file}:2:18: approvals.expirySeconds: expected a number, got "soon"`);
  assert.throws(() => loadPolicyFile(join(dir, 'missing.yaml')), (e: unknown) => e instanceof UserError && e.message.includes('missing.yaml') && e.message.includes('not found'));
});
