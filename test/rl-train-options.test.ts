import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RlTrainConfigSchema } from '../src/plan/rl/config.js';
import { PpoLearner, scheduled } from '../src/plan/rl/ppo.js';
import { ActorCritic } from '../src/plan/rl/network.js';
import { PpoConfigSchema } from '../src/plan/rl/config.js';
import { initNeuralForecasting } from '../src/analyze/forecast/neural-common.js';
import { trainStraightAndResumed } from './support/rl-cue-env.js';

test('annealing is linear and holds its end value; the defaults anneal over the bench\'s 150 episodes', () => {
  const d = RlTrainConfigSchema.parse({}).ppo;
  assert.ok(d.learningRateEnd < d.learningRate && d.entropyCoefEnd < d.entropyCoef && d.annealEpisodes === 150);
  assert.equal(scheduled(1e-3, undefined, 0.7), 1e-3);
  assert.ok(Math.abs(scheduled(1e-3, 1e-4, 0.5) - 5.5e-4) < 1e-12);
  assert.equal(scheduled(0.01, 0, 3), 0);
  assert.equal(scheduled(0.01, 0, -1), 0.01);
});

test('the learner applies the schedule to Adam\'s step size', async () => {
  await initNeuralForecasting();
  const net = new ActorCritic(2, 2, 4, 1);
  const l = new PpoLearner(net, PpoConfigSchema.parse({ learningRate: 1e-3, learningRateEnd: 1e-4 }));
  try {
    l.schedule(0.5);
    assert.ok(Math.abs(Number(l.optimizer.getConfig().learningRate) - 5.5e-4) < 1e-12);
    l.schedule(2);
    assert.ok(Math.abs(Number(l.optimizer.getConfig().learningRate) - 1e-4) < 1e-12);
  } finally {
    l.dispose();
    net.dispose();
  }
});

test('annealing follows the configured horizon, so a resumed run continues exactly as an uninterrupted one', async () => {
  // The schedule ends mid-run (6 episodes): the resumed half runs partly annealed, partly at the end values.
  const cfg = { numEnvs: 2, ppo: { hidden: 8, minibatch: 16, epochs: 2, learningRate: 0.01, learningRateEnd: 1e-4, entropyCoefEnd: 0, annealEpisodes: 6 }, stopAtConvergence: false };
  const { straight, resumed } = await trainStraightAndResumed(cfg, { off: 5, on: 6 });
  assert.equal(resumed.resumedFrom, 4);
  assert.deepEqual(resumed.rewards, straight.rewards);
  assert.deepEqual(Array.from(resumed.model.actor.layers[0].b), Array.from(straight.model.actor.layers[0].b));
});
