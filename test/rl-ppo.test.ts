import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initNeuralForecasting } from '../src/analyze/forecast/neural-common.js';
import { clippedPolicyLoss } from '../src/plan/rl/ppo.js';
import { trainPpo } from '../src/plan/rl/trainer.js';
import { CueEnv, trainStraightAndResumed } from './support/rl-cue-env.js';

/** d loss / d logp for one sample with the given ratio and advantage. */
function gradAt(ratio: number, adv: number, clip = 0.2): { loss: number; grad: number } {
  const oldLogp = tf.tensor1d([0]);
  const a = tf.tensor1d([adv]);
  const f = (lp: tf.Tensor) => clippedPolicyLoss(lp as tf.Tensor1D, oldLogp, a, clip);
  const x = tf.tensor1d([Math.log(ratio)]);
  const loss = f(x).dataSync()[0];
  const grad = tf.grad(f)(x).dataSync()[0];
  return { loss, grad };
}

test('PPO clipped loss: sign follows the advantage, and the clip stops the push beyond 1±ε', async () => {
  await initNeuralForecasting();
  // Positive advantage inside the clip range: minimising the loss raises the action's probability.
  const up = gradAt(1.0, 1);
  assert.ok(Math.abs(up.loss + 1) < 1e-6 && up.grad < 0);
  // Negative advantage: it lowers it.
  assert.ok(gradAt(1.0, -1).grad > 0);
  // Positive advantage with the ratio already above 1 + ε: clipped, no gradient, loss = −(1+ε)·A.
  const clipped = gradAt(1.5, 1);
  assert.equal(clipped.grad, 0);
  assert.ok(Math.abs(clipped.loss + 1.2) < 1e-6);
  // Negative advantage with the ratio below 1 − ε: clipped too.
  assert.equal(gradAt(0.5, -1).grad, 0);
  // Pessimistic side is never clipped: ratio above 1 + ε with a negative advantage still gets pushed down.
  assert.ok(gradAt(1.5, -1).grad > 0);
});

test('a short PPO run on a trivially learnable environment improves its reward', async () => {
  const r = await trainPpo(new CueEnv(4), { numEnvs: 4, ppo: { hidden: 16, learningRate: 0.01, minibatch: 32, epochs: 4 }, stopAtConvergence: false }, { episodes: 32 });
  const first = r.rewards.slice(0, 4).reduce((a, b) => a + b) / 4;
  const last = r.rewards.slice(-4).reduce((a, b) => a + b) / 4;
  assert.ok(first < 0.7, `starts near chance (${first})`);
  assert.ok(last > 0.9, `learns the cue (${first} → ${last})`);
});

test('training is reproducible by seed, and a resumed run continues exactly as an uninterrupted one', async () => {
  const cfg = { numEnvs: 2, ppo: { hidden: 8, minibatch: 16, epochs: 2 }, stopAtConvergence: false };
  const { straight, resumed } = await trainStraightAndResumed(cfg);
  assert.equal(resumed.resumedFrom, 4);
  assert.deepEqual(resumed.rewards, straight.rewards);
  assert.deepEqual(Array.from(resumed.model.actor.layers[2].w), Array.from(straight.model.actor.layers[2].w));
});
