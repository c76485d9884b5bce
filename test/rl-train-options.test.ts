import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../src/core/rng.js';
import { RlTrainConfigSchema } from '../src/plan/rl/config.js';
import { PpoLearner, scheduled } from '../src/plan/rl/ppo.js';
import { ActorCritic } from '../src/plan/rl/network.js';
import { PpoConfigSchema } from '../src/plan/rl/config.js';
import { initNeuralForecasting } from '../src/analyze/forecast/neural-common.js';
import { trainPpo } from '../src/plan/rl/trainer.js';
import { episodeSeed, type VecEnv } from '../src/plan/rl/vec-env.js';

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

/** Contextual bandit: the observation is a cue; the matching action earns 1. */
class CueEnv implements VecEnv {
  readonly obsSize = 2;
  readonly numActions = 2;
  readonly episodeSteps = 32;
  private rng = new Rng(1);
  private cue = new Int32Array(0);
  constructor(readonly numEnvs: number) {}
  private observe(): Float32Array {
    const o = new Float32Array(this.numEnvs * 2).fill(5);
    this.cue = Int32Array.from({ length: this.numEnvs }, () => this.rng.int(2));
    this.cue.forEach((c, i) => (o[i * 2 + c] = 6));
    return o;
  }
  reset(first: number): Float32Array {
    this.rng = new Rng(episodeSeed(7, first));
    return this.observe();
  }
  step(actions: Int32Array) {
    const rewards = Float32Array.from(actions, (a, i) => (a === this.cue[i] ? 1 : 0));
    return { obs: this.observe(), rewards };
  }
}

test('annealing follows the configured horizon, so a resumed run continues exactly as an uninterrupted one', async () => {
  // The schedule ends mid-run (6 episodes): the resumed half runs partly annealed, partly at the end values.
  const cfg = { numEnvs: 2, ppo: { hidden: 8, minibatch: 16, epochs: 2, learningRate: 0.01, learningRateEnd: 1e-4, entropyCoefEnd: 0, annealEpisodes: 6 }, stopAtConvergence: false };
  const dir = mkdtempSync(join(tmpdir(), 'rl-ckpt-'));
  try {
    const straight = await trainPpo(new CueEnv(2), cfg, { episodes: 8 });
    await trainPpo(new CueEnv(2), cfg, { episodes: 4, checkpointDir: dir });
    const resumed = await trainPpo(new CueEnv(2), cfg, { episodes: 8, checkpointDir: dir, resume: true });
    assert.equal(resumed.resumedFrom, 4);
    assert.deepEqual(resumed.rewards, straight.rewards);
    assert.deepEqual(Array.from(resumed.model.actor.layers[0].b), Array.from(straight.model.actor.layers[0].b));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
