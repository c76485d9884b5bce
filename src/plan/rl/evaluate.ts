/**
 * What the trained agent is worth against the simplest alternative: its greedy policy (the most probable choice
 * per head, as RlPolicy deploys it) against every fixed choice, on the same fresh episodes. Training reward says
 * whether PPO converged; this says whether the state-dependent policy it learnt beats holding one headroom all the
 * time — the rule-based baseline a skeptical operator would write by hand.
 */
import { argmax, forward, type ActorWeights } from './network.js';
import { headsOf, type VecEnv } from './vec-env.js';

/** Chooses one index per head for each environment, given the observations [numEnvs × obsSize]. */
export type Chooser = (obs: Float32Array, env: VecEnv) => Int32Array;

/** Mean reward per step over `episodes` episodes from `firstEpisode` (rounded up to whole batches of numEnvs). */
export function meanEpisodeReward(env: VecEnv, choose: Chooser, firstEpisode: number, episodes: number): number {
  let total = 0;
  let n = 0;
  for (let e = firstEpisode; e < firstEpisode + episodes; e += env.numEnvs) {
    let obs = env.reset(e);
    for (let t = 0; t < env.episodeSteps; t++) {
      const out = env.step(choose(obs, env));
      for (const r of out.rewards) total += r;
      n += out.rewards.length;
      obs = out.obs;
    }
  }
  return n > 0 ? total / n : NaN;
}

/** The actor's most probable choice per head. */
export function greedyChooser(actor: ActorWeights): Chooser {
  return (obs, env) => {
    const heads = headsOf(env);
    const logits = forward(actor, obs, env.numEnvs);
    const out = new Int32Array(env.numEnvs * heads.length);
    for (let i = 0; i < env.numEnvs; i++) {
      let off = i * env.numActions;
      heads.forEach((h, k) => {
        out[i * heads.length + k] = argmax(logits, off, h);
        off += h;
      });
    }
    return out;
  };
}

/** The same choice (one index per head) every step. */
export function fixedChooser(choice: readonly number[]): Chooser {
  return (_obs, env) => {
    const out = new Int32Array(env.numEnvs * choice.length);
    for (let i = 0; i < env.numEnvs; i++) out.set(choice, i * choice.length);
    return out;
  };
}

export interface GreedyVsFixed {
  episodes: number;
  firstEpisode: number;
  greedy: number;
  /** Every fixed choice's reward, best first. */
  fixed: { choice: number[]; reward: number }[];
}

/** Greedy policy against each of `choices` held fixed, on the same episodes. */
export function greedyVsFixed(env: VecEnv, actor: ActorWeights, choices: readonly (readonly number[])[], firstEpisode: number, episodes: number): GreedyVsFixed {
  const greedy = meanEpisodeReward(env, greedyChooser(actor), firstEpisode, episodes);
  const fixed = choices.map((c) => ({ choice: [...c], reward: meanEpisodeReward(env, fixedChooser(c), firstEpisode, episodes) }));
  fixed.sort((a, b) => b.reward - a.reward);
  return { episodes, firstEpisode, greedy, fixed };
}
