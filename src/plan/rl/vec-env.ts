/**
 * What PPO trains on: N environments stepped together with a batch of discrete actions. Every episode has the
 * same length (a time limit, not a terminal state: the return is bootstrapped at the end), so one rollout is
 * exactly one episode per environment and a checkpoint between rollouts needs no environment state.
 */
export interface VecEnv {
  readonly numEnvs: number;
  readonly obsSize: number;
  /** Logits in total: the sum of `heads`. */
  readonly numActions: number;
  /**
   * Sizes of independent categorical action heads (a MultiDiscrete action: here replicas and node pool); the
   * joint log-probability is the sum over heads. Default: one head of `numActions`.
   */
  readonly heads?: readonly number[];
  readonly episodeSteps: number;
  /** Initial logits of the untrained policy (default uniform): a prior such as "mostly hold". */
  readonly priorLogits?: Float32Array;
  /** Starts episodes `firstEpisode`, `firstEpisode + 1`, … (one per env; the index seeds the episode). Observations [numEnvs × obsSize]. */
  reset(firstEpisode: number): Float32Array;
  /** `actions`: [numEnvs × heads.length], each the chosen index within its head. */
  step(actions: Int32Array): { obs: Float32Array; rewards: Float32Array };
}

/** The action heads of an environment. */
export function headsOf(env: Pick<VecEnv, 'numActions' | 'heads'>): readonly number[] {
  const heads = env.heads ?? [env.numActions];
  if (heads.reduce((a, b) => a + b, 0) !== env.numActions) throw new Error('action heads must sum to numActions');
  return heads;
}

/** Seed of one episode of a run: a 32-bit mix, so neighbouring episodes draw unrelated numbers. */
export function episodeSeed(seed: number, episode: number): number {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(episode + 1, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  return h >>> 0;
}
