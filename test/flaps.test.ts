import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ActionTally } from '../src/loop/flaps.js';

test('a direction change within 10 minutes is a flap, a later one is not', () => {
  const t = new ActionTally();
  t.record({ kind: 'scale', service: 'web', from: 2, to: 4 }, 0);
  t.record({ kind: 'scale', service: 'web', from: 4, to: 3 }, 300); // down 5 min after up: flap
  t.record({ kind: 'scale', service: 'web', from: 3, to: 2 }, 500); // same direction: no flap
  t.record({ kind: 'scale', service: 'web', from: 2, to: 5 }, 1200); // up 11.7 min later: no flap
  t.record({ kind: 'scale', service: 'api', from: 5, to: 4 }, 1250); // other service: independent
  assert.equal(t.flaps, 1);
  assert.equal(t.actions, 5);
});
