import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../../src/core/rng.js';
import type { RlTrainConfigInput } from '../../src/plan/rl/config.js';
import { trainPpo, type TrainResult } from '../../src/plan/rl/trainer.js';
import { episodeSeed, type VecEnv } from '../../src/plan/rl/vec-env.js';

/** The observation values of an unlit and a lit cue (a one-hot cue is { off: 0, on: 1 }). */
export interface CueLevels {
  off: number;
  on: number;
}

/** Contextual bandit for PPO tests: the observation shows a cue; the action matching it earns 1. */
export class CueEnv implements VecEnv {
  readonly obsSize = 2;
  readonly numActions = 2;
  readonly episodeSteps = 32;
  private rng = new Rng(1);
  private cue = new Int32Array(0);
  constructor(readonly numEnvs: number, private readonly levels: CueLevels = { off: 0, on: 1 }) {}
  private observe(): Float32Array {
    const o = new Float32Array(this.numEnvs * 2).fill(this.levels.off);
    this.cue = Int32Array.from({ length: this.numEnvs }, () => this.rng.int(2));
    this.cue.forEach((c, i) => (o[i * 2 + c] = this.levels.on));
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

/**
 * The same 8 episodes trained twice on 2 envs: straight through, and as 4 episodes checkpointed then resumed to 8.
 * A resumed run must continue exactly as the uninterrupted one, so tests compare the two results.
 */
export async function trainStraightAndResumed(cfg: RlTrainConfigInput, levels?: CueLevels): Promise<{ straight: TrainResult; resumed: TrainResult }> {
  const dir = mkdtempSync(join(tmpdir(), 'rl-ckpt-'));
  try {
    const straight = await trainPpo(new CueEnv(2, levels), cfg, { episodes: 8 });
    await trainPpo(new CueEnv(2, levels), cfg, { episodes: 4, checkpointDir: dir });
    const resumed = await trainPpo(new CueEnv(2, levels), cfg, { episodes: 8, checkpointDir: dir, resume: true });
    return { straight, resumed };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
