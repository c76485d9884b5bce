import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ACTIONS } from '../src/plan/rl/actions.js';
import { TwinVecEnv, type LoadSeries } from '../src/plan/rl/env.js';
import { fixedChooser, greedyChooser, greedyVsFixed, meanEpisodeReward } from '../src/plan/rl/evaluate.js';
import { fixedModel } from './support/rl-fixed-model.js';

// A daily-cycle series, two days: a warm-up and short episodes.
const series: LoadSeries[] = [{ id: 'toy/0', values: Array.from({ length: 576 }, (_, i) => 100 + 60 * Math.sin((2 * Math.PI * i) / 288)), start: null }];
const env = () => new TwinVecEnv(series, 2, 3, { episodeHours: 0.5, warmupHours: 2, randomisation: { faultProbability: 0 } });

test('greedy evaluation: an actor that always prefers one choice scores exactly that choice held fixed', () => {
  const wide = ACTIONS.findIndex((a) => a.label === 'fit p90 @65%');
  const model = fixedModel('fit p90 @65%');
  const e = env();
  const greedy = meanEpisodeReward(e, greedyChooser(model.actor), 100, 4);
  assert.equal(greedy, meanEpisodeReward(e, fixedChooser([wide, 0]), 100, 4));
  assert.ok(Number.isFinite(greedy));
});

test('greedyVsFixed ranks the fixed choices best first, on the same episodes as the greedy policy', () => {
  const model = fixedModel('fit p50 @95%');
  const r = greedyVsFixed(env(), model.actor, ACTIONS.map((_, a) => [a, 0]), 100, 2);
  assert.equal(r.fixed.length, ACTIONS.length);
  for (let k = 1; k < r.fixed.length; k++) assert.ok(r.fixed[k - 1].reward >= r.fixed[k].reward);
  // The tightest and the widest fit do not score the same: the comparison can tell choices apart.
  const score = (a: number) => r.fixed.find((f) => f.choice[0] === a)?.reward;
  assert.notEqual(score(0), score(ACTIONS.length - 1));
  // The greedy actor always takes the tightest fit: its score is that fixed choice's.
  assert.equal(r.greedy, score(0));
});
