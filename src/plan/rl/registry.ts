/**
 * Puts a trained RL model into the model registry (kind `rl-ppo`). The registry's score fields are the
 * forecasters' (MASE at 1 h / 24 h), which do not apply to a policy: they are left null, and the RL scores
 * (final smoothed reward, episode of convergence, training time) go into `params` beside the training data
 * description. The state blob is the whole model document (model.ts), so a registered model can be run as is.
 */
import type { ModelRecord, ModelRegistry } from '../../knowledge/model-registry.js';
import type { JsonValue } from '../../knowledge/journal.js';
import { modelToJson, type RlModel } from './model.js';

export const RL_MODEL_KIND = 'rl-ppo';

export interface TrainingData {
  /** What the series are (a path, a bench split...). */
  source: string;
  series: string[];
  /** Unix seconds spanned by the training series (0 when the traces carry no timestamps). */
  start: number;
  end: number;
}

export async function registerRlModel(registry: ModelRegistry, model: RlModel, data: TrainingData, seriesKey = `rl/${data.source}`): Promise<ModelRecord> {
  const t = model.training;
  const params: JsonValue = {
    training_data: { source: data.source, series: data.series },
    scores: { final_reward: t.finalReward, episodes: t.episodes, episodes_to_convergence: t.convergedAt, train_seconds: t.trainSeconds },
    seed: t.seed,
    config: JSON.parse(JSON.stringify(model.config)) as JsonValue,
  };
  return registry.register({
    seriesKey,
    kind: RL_MODEL_KIND,
    trainStart: data.start,
    trainEnd: data.end,
    scores: { mase_1h: null, mase_24h: null, n_origins: 0 },
    params,
    state: new TextEncoder().encode(modelToJson(model)),
  });
}
