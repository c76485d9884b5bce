/**
 * What PPO trains on: N environments stepped together with a batch of discrete actions. Every episode has the
 * same length (a time limit, not a terminal state: the return is bootstrapped at the end), so one rollout is
 * exactly one episode per environment and a checkpoint between rollouts needs no environment state.
 */
export interface VecEnv {
  readonly numEnvs: number;
  readonly obsSize: number;
  readonly numActions: number;
  readonly episodeSteps: number;
  /** Initial logits of the untrained policy (default uniform): a prior such as "mostly hold". */
  readonly priorLogits?: Float32Array;
  /** Starts episodes `firstEpisode`, `firstEpisode + 1`, … (one per env; the index seeds the episode). Observations [numEnvs × obsSize]. */
  reset(firstEpisode: number): Float32Array;
  step(actions: Int32Array): { obs: Float32Array; rewards: Float32Array };
}

/** Seed of one episode of a run: a 32-bit mix, so neighbouring episodes draw unrelated numbers. */
export function episodeSeed(seed: number, episode: number): number {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(episode + 1, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  return h >>> 0;
}
