import { test } from 'node:test';
import assert from 'node:assert/strict';
import { actionTarget, describeAction, ActionSchema } from '../src/core/action.js';

test('actions name the resource they touch', () => {
  assert.equal(actionTarget({ kind: 'scale', service: 'web', from: 2, to: 4 }), 'service/web');
  assert.equal(actionTarget({ kind: 'remove-node', node: 'n-1' }), 'node/n-1');
  assert.equal(describeAction({ kind: 'add-nodes', instanceType: 'm5.large', count: 2, spot: true }), 'add 2× m5.large (spot)');
});

test('the action schema rejects negative replica counts', () => {
  assert.equal(ActionSchema.safeParse({ kind: 'scale', service: 'web', from: 2, to: -1 }).success, false);
});
