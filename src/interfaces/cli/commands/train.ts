/**
 * `autonomic train rl`: trains the PPO provisioning policy in twin environments driven by the given traces, with
 * a progress bar showing the reward, checkpoints (and --resume), and registers the result in the model registry.
 */
import { statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { UserError } from '../../../core/errors.js';
import { ModelRegistry } from '../../../knowledge/model-registry.js';
import { openStore } from '../../../knowledge/store.js';
import { loadCsvSeries, loadTraceFolder, type TraceSeries } from '../../../monitor/trace.js';
import { TwinVecEnv } from '../../../plan/rl/env.js';
import { saveModel } from '../../../plan/rl/model.js';
import { registerRlModel } from '../../../plan/rl/registry.js';
import { trainPpo } from '../../../plan/rl/trainer.js';
import { parseRewardWeights, RlTrainConfigSchema } from '../../../plan/rl/config.js';
import { requireInstanceType } from '../../../execute/twin/catalogue.js';
import { integer } from '../args.js';
import { printJson } from '../format.js';

interface TrainRlOptions {
  trace: string;
  episodes: number;
  seed: number;
  envs: number;
  reward?: string;
  nodeTypes?: string;
  spot?: boolean;
  checkpoint?: string;
  resume?: boolean;
  db?: string;
  json?: boolean;
  progress: boolean;
}

/** A trace folder (the protocol layout) or one CSV `timestamp,value` file. */
function readSeries(path: string): TraceSeries[] {
  let dir: boolean;
  try {
    dir = statSync(path).isDirectory();
  } catch {
    throw new UserError('no such file or folder', path);
  }
  return dir ? loadTraceFolder(path) : [loadCsvSeries(path, { id: basename(path, extname(path)) })];
}

export function registerTrain(program: Command): void {
  const train = program.command('train').description('Train policies in the digital twin.');
  train
    .command('rl')
    .description('Train the PPO provisioning policy on traces in vectorised twin environments (domain-randomised load scale, faults, start-up delays) and register it.')
    .requiredOption('--trace <file|dir>', "load traces: a trace folder or a CSV 'timestamp,value' file")
    .option('--episodes <n>', 'episodes to train at most (stops earlier at convergence)', integer('--episodes', 1, 1_000_000), 150)
    .option('--seed <n>', 'random seed: the same seed gives the same model', integer('--seed', 0, 2 ** 31 - 1), 1)
    .option('--envs <n>', 'environments stepped together', integer('--envs', 1, 64), 4)
    .option('--reward <weights>', 'reward weights as name=value pairs, e.g. slo=5,cost=1,flap=1,action=0.02 (per step: slo × compliance − cost × cost/reference − flap × flapped − action × acted)')
    .option('--node-types <types>', "instance types the node head may add, comma-separated (default: the environment's m5.xlarge)")
    .option('--spot', 'offer spot as well as on-demand nodes to the node head (training meets random spot reclaims)')
    .option('--checkpoint <dir>', 'write a checkpoint here after every update, and the model as model.json')
    .option('--resume', 'continue from the checkpoint in --checkpoint')
    .option('--db <path>', 'knowledge store (default .autonomic/autonomic.db or $AUTONOMIC_DB)')
    .option('--json', 'print the training summary as JSON')
    .option('--no-progress', 'no progress bar')
    .action(async (o: TrainRlOptions) => {
      if (o.resume && !o.checkpoint) throw new UserError('--resume needs --checkpoint DIR', '--resume');
      const series = readSeries(o.trace);
      const reward = o.reward ? parseRewardWeights(o.reward, '--reward') : {};
      const instanceTypes = o.nodeTypes ? o.nodeTypes.split(',').map((t) => t.trim()).filter(Boolean) : [];
      for (const t of instanceTypes) requireInstanceType(t, '--node-types');
      const cfg = RlTrainConfigSchema.parse({ seed: o.seed, numEnvs: o.envs, env: { reward, nodePool: { instanceTypes, allowSpot: o.spot === true } } });
      const env = new TwinVecEnv(series, cfg.numEnvs, cfg.seed, cfg.env);
      const bar = o.progress && !o.json && process.stderr.isTTY
        ? new cliProgress.SingleBar({ stream: process.stderr, format: ' rl-ppo [{bar}] {value}/{total} episodes | reward {reward} (smoothed {smoothed}) | {converged}', hideCursor: true, barsize: 30 }, cliProgress.Presets.shades_classic)
        : null;
      bar?.start(o.episodes, 0, { reward: '-', smoothed: '-', converged: 'not converged' });
      const result = await trainPpo(env, cfg, {
        episodes: o.episodes,
        checkpointDir: o.checkpoint,
        resume: o.resume,
        seriesIds: series.map((s) => s.id),
        onEpisode: (e) => bar?.update(e.episode, { reward: e.reward.toFixed(3), smoothed: e.smoothed.toFixed(3), converged: e.convergedAt ? `converged at episode ${e.convergedAt}` : 'not converged' }),
      }).finally(() => bar?.stop());
      const model = result.model;
      if (o.checkpoint) saveModel(join(o.checkpoint, 'model.json'), model);
      const starts = series.map((s) => s.start ?? 0);
      const ends = series.map((s) => (s.start ?? 0) + s.values.length * s.stepSeconds);
      const store = await openStore(o.db);
      let id: number;
      try {
        const rec = await registerRlModel(new ModelRegistry(store.db), model, { source: o.trace, series: series.map((s) => s.id), start: Math.min(...starts), end: Math.max(...ends) });
        id = rec.id;
      } finally {
        await store.close();
      }
      const t = model.training;
      const summary = { model_id: id, episodes: t.episodes, episodes_to_convergence: t.convergedAt, final_reward: t.finalReward, train_seconds: t.trainSeconds, resumed_from_episode: result.resumedFrom };
      if (o.json) return printJson(summary);
      process.stdout.write(
        `trained rl-ppo on ${series.length} series: ${t.episodes} episodes in ${t.trainSeconds} s, smoothed reward ${t.finalReward}; ` +
          (t.convergedAt ? `converged at episode ${t.convergedAt}` : 'did not converge (smoothed reward not above the threshold and stable for 50 episodes)') +
          `\nregistered as model #${id} (autonomic models list)\n`,
      );
    });
}
