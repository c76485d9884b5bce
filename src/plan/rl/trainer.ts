/**
 * PPO training loop: each update rolls out one episode in every environment (actions sampled from the current
 * actor), computes GAE advantages, runs the PPO epochs, tracks convergence and the feature ranges, and
 * optionally writes a checkpoint. Reproducible by seed: episode draws, action sampling and minibatch order all
 * derive from (seed, update index), so a resumed run continues exactly as an uninterrupted one would.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { Rng } from '../../core/rng.js';
import { UserError } from '../../core/errors.js';
import { initNeuralForecasting } from '../../analyze/forecast/neural-common.js';
import { base64ToF32, f32ToBase64 } from './codec.js';
import { RlTrainConfigSchema, type RlTrainConfig, type RlTrainConfigInput } from './config.js';
import { ConvergenceTracker } from './convergence.js';
import { gae } from './gae.js';
import type { RlModel } from './model.js';
import { ActorCritic, forward, softmax } from './network.js';
import { PpoLearner, type UpdateStats } from './ppo.js';
import { FeatureRanges } from './ranges.js';
import { episodeSeed, headsOf, type VecEnv } from './vec-env.js';

export interface EpisodeReport {
  /** 1-based. */
  episode: number;
  /** Mean reward per step of this episode. */
  reward: number;
  smoothed: number;
  convergedAt: number | null;
}

export interface TrainOptions {
  /** Episodes to train in total (rounded up to whole updates of numEnvs episodes). */
  episodes: number;
  /** Writes `checkpoint.json` here after every update. */
  checkpointDir?: string;
  /** Continue from the checkpoint in `checkpointDir`. */
  resume?: boolean;
  /** What the environments train on (stored with the model). */
  seriesIds?: string[];
  onEpisode?: (r: EpisodeReport) => void;
  onUpdate?: (update: number, stats: UpdateStats) => void;
}

export interface TrainResult {
  model: RlModel;
  rewards: number[];
  /** Episodes already done when this call started (resume), else 0. */
  resumedFrom: number;
}

const CHECKPOINT_FORMAT = 'autonomic-rl-ckpt/1';
const CheckpointJson = z.object({
  format: z.literal(CHECKPOINT_FORMAT),
  config: z.string(),
  nextUpdate: z.number().int().nonnegative(),
  rewards: z.array(z.number()),
  ranges: z.object({ min: z.array(z.number().nullable()), max: z.array(z.number().nullable()) }),
  weights: z.string(),
  adam: z.array(z.object({ name: z.string(), shape: z.array(z.number()), dtype: z.enum(['float32', 'int32']), data: z.string() })),
  trainSeconds: z.number(),
});

export async function trainPpo(env: VecEnv, input: RlTrainConfigInput, opts: TrainOptions): Promise<TrainResult> {
  await initNeuralForecasting();
  const cfg: RlTrainConfig = RlTrainConfigSchema.parse(input);
  if (cfg.numEnvs !== env.numEnvs) throw new Error(`config numEnvs ${cfg.numEnvs} ≠ environment's ${env.numEnvs}`);
  const N = env.numEnvs;
  const F = env.obsSize;
  const T = env.episodeSteps;
  const heads = headsOf(env);
  const H = heads.length;
  const net = new ActorCritic(F, env.numActions, cfg.ppo.hidden, cfg.seed, env.priorLogits, heads);
  const learner = new PpoLearner(net, cfg.ppo);
  let ranges = new FeatureRanges(F);
  let tracker = new ConvergenceTracker(cfg.convergence);
  let firstUpdate = 0;
  let priorSeconds = 0;
  const configKey = JSON.stringify(cfg);
  const ckptPath = opts.checkpointDir ? join(opts.checkpointDir, 'checkpoint.json') : null;

  if (opts.resume) {
    if (!ckptPath) throw new UserError('--resume needs --checkpoint DIR', '--resume');
    if (existsSync(ckptPath)) {
      const ck = readCheckpoint(ckptPath);
      if (ck.config !== configKey) throw new UserError('checkpoint was written with a different configuration or seed', ckptPath);
      net.setWeights(base64ToF32(ck.weights));
      await learner.optimizer.setWeights(ck.adam.map((a) => ({ name: a.name, tensor: decodeTensor(a) })));
      const nz = (xs: (number | null)[], d: number) => xs.map((v) => v ?? d);
      ranges = new FeatureRanges(F, nz(ck.ranges.min, Infinity), nz(ck.ranges.max, -Infinity));
      tracker = ConvergenceTracker.replay(cfg.convergence, ck.rewards);
      firstUpdate = ck.nextUpdate;
      priorSeconds = ck.trainSeconds;
    }
  }
  const resumedFrom = tracker.rewards.length;
  const updates = Math.ceil(opts.episodes / N);
  const started = performance.now();
  const elapsed = () => priorSeconds + (performance.now() - started) / 1000;

  try {
    for (let u = firstUpdate; u < updates; u++) {
      if (cfg.stopAtConvergence && tracker.convergedAt !== null) break;
      const rng = new Rng(episodeSeed(cfg.seed ^ 0x2545f491, u));
      learner.schedule((u * N) / cfg.ppo.annealEpisodes);
      const { actor, critic } = net.snapshot();
      const M = T * N;
      const obsBuf = new Float32Array(M * F);
      const actions = new Int32Array(M * H);
      const logp = new Float32Array(M);
      const values = new Float32Array(M);
      const rewards = new Float32Array(M);
      let obs = env.reset(u * N);
      for (let t = 0; t < T; t++) {
        ranges.observe(obs, N);
        obsBuf.set(obs, t * N * F);
        const logits = forward(actor, obs, N);
        const v = forward(critic, obs, N);
        const act = new Int32Array(N * H);
        for (let i = 0; i < N; i++) {
          let lp = 0;
          let off = i * env.numActions;
          for (let h = 0; h < H; h++) {
            const p = softmax(logits, off, heads[h]);
            let r = rng.next();
            let a = 0;
            while (a < p.length - 1 && r >= p[a]) r -= p[a++];
            act[i * H + h] = a;
            lp += Math.log(Math.max(p[a], 1e-12));
            off += heads[h];
          }
          logp[t * N + i] = lp;
          values[t * N + i] = v[i];
        }
        actions.set(act, t * N * H);
        const out = env.step(act);
        rewards.set(out.rewards, t * N);
        obs = out.obs;
      }
      const lastValues = forward(critic, obs, N);
      // Learnt on rewards × (1 − γ): returns then sit at the scale of one step's reward, which a zero-initialised
      // critic reaches in a few Adam steps instead of thousands. Reported rewards stay unscaled.
      const scale = 1 - cfg.ppo.gamma;
      const scaled = Float32Array.from(rewards, (r) => r * scale);
      const { advantages, returns } = gae(scaled, values, new Uint8Array(M), lastValues, N, cfg.ppo.gamma, cfg.ppo.lambda);
      const stats = learner.update({ obs: obsBuf, actions, logp, advantages, returns }, rng);
      opts.onUpdate?.(u, stats);
      for (let i = 0; i < N; i++) {
        let s = 0;
        for (let t = 0; t < T; t++) s += rewards[t * N + i];
        tracker.push(s / T);
        opts.onEpisode?.({ episode: tracker.rewards.length, reward: s / T, smoothed: tracker.lastSmoothed, convergedAt: tracker.convergedAt });
      }
      if (ckptPath) await writeCheckpoint(ckptPath, { configKey, nextUpdate: u + 1, tracker, ranges, net, learner, trainSeconds: elapsed() });
    }
    const { actor } = net.snapshot();
    return {
      rewards: [...tracker.rewards],
      resumedFrom,
      model: {
        actor,
        ranges,
        config: cfg,
        training: {
          seed: cfg.seed,
          series: opts.seriesIds ?? [],
          episodes: tracker.rewards.length,
          convergedAt: tracker.convergedAt,
          finalReward: round(tracker.lastSmoothed, 4),
          trainSeconds: round(elapsed(), 1),
        },
      },
    };
  } finally {
    learner.dispose();
    net.dispose();
  }
}

const round = (x: number, d: number): number => (Number.isFinite(x) ? Math.round(x * 10 ** d) / 10 ** d : x);

function decodeTensor(a: { shape: number[]; dtype: 'float32' | 'int32'; data: string }): tf.Tensor {
  const f = base64ToF32(a.data);
  return a.dtype === 'int32' ? tf.tensor(Int32Array.from(f), a.shape, 'int32') : tf.tensor(f, a.shape, 'float32');
}

function readCheckpoint(path: string): z.output<typeof CheckpointJson> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new UserError(`unreadable checkpoint: ${(e as Error).message}`, path);
  }
  const p = CheckpointJson.safeParse(raw);
  if (!p.success) throw new UserError(`not an RL checkpoint (${p.error.issues[0].path.join('.')}: ${p.error.issues[0].message})`, path);
  return p.data;
}

async function writeCheckpoint(
  path: string,
  s: { configKey: string; nextUpdate: number; tracker: ConvergenceTracker; ranges: FeatureRanges; net: ActorCritic; learner: PpoLearner; trainSeconds: number },
): Promise<void> {
  const adam = await s.learner.optimizer.getWeights();
  const finite = (xs: Float64Array) => Array.from(xs, (v) => (Number.isFinite(v) ? v : null));
  const doc = {
    format: CHECKPOINT_FORMAT,
    config: s.configKey,
    nextUpdate: s.nextUpdate,
    rewards: s.tracker.rewards,
    ranges: { min: finite(s.ranges.min), max: finite(s.ranges.max) },
    weights: f32ToBase64(s.net.weights()),
    adam: adam.map((a) => ({
      name: a.name,
      shape: a.tensor.shape,
      dtype: a.tensor.dtype === 'int32' ? 'int32' : 'float32',
      // Adam's iteration count is an int32 scalar; float32 holds it exactly.
      data: f32ToBase64(Float32Array.from(a.tensor.dataSync())),
    })),
    trainSeconds: s.trainSeconds,
  };
  for (const a of adam) if (a.name === 'iter') a.tensor.dispose();
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(`${path}.tmp`, JSON.stringify(doc));
  renameSync(`${path}.tmp`, path);
}
