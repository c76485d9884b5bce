/**
 * A trained RL model as one JSON document: the actor's weights, the feature ranges seen in training (for the
 * out-of-distribution check), the environment config it was trained in (decision period, replica bounds,
 * reward weights) and a description of its training data and scores. What the registry stores and what
 * RlPolicy runs; no tfjs needed to load it.
 */
import { readFileSync, writeFileSync, mkdirSync, renameSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { UserError } from '../../core/errors.js';
import { ACTIONS } from './actions.js';
import { base64ToF32, f32ToBase64 } from './codec.js';
import { RlTrainConfigSchema, type RlTrainConfig } from './config.js';
import { envNodeActions } from './env.js';
import { FEATURE_NAMES } from './features.js';
import type { ActorWeights } from './network.js';
import { FeatureRanges } from './ranges.js';

/** /2: a second action head for the node pool (its labels under `nodeActions`). */
export const MODEL_FORMAT = 'autonomic-rl-ppo/2';

export interface TrainingSummary {
  seed: number;
  /** Series ids the environments drew episodes from. */
  series: string[];
  episodes: number;
  convergedAt: number | null;
  /** Smoothed mean reward per step at the end of training. */
  finalReward: number;
  trainSeconds: number;
}

export interface RlModel {
  actor: ActorWeights;
  ranges: FeatureRanges;
  config: RlTrainConfig;
  training: TrainingSummary;
}

const LayerJson = z.object({ inputs: z.number().int().positive(), outputs: z.number().int().positive(), w: z.string(), b: z.string() });
const ModelJson = z.object({
  format: z.literal(MODEL_FORMAT),
  features: z.array(z.string()),
  actions: z.array(z.string()),
  nodeActions: z.array(z.string()),
  actor: z.array(LayerJson).min(1),
  ranges: z.object({ min: z.array(z.number()), max: z.array(z.number()) }),
  config: z.unknown(),
  training: z.object({
    seed: z.number(),
    series: z.array(z.string()),
    episodes: z.number(),
    convergedAt: z.number().nullable(),
    finalReward: z.number(),
    trainSeconds: z.number(),
  }),
});

export function modelToJson(m: RlModel): string {
  return JSON.stringify({
    format: MODEL_FORMAT,
    features: [...FEATURE_NAMES],
    actions: ACTIONS.map((a) => a.label),
    nodeActions: envNodeActions(m.config.env).map((a) => a.label),
    actor: m.actor.layers.map((l) => ({ inputs: l.inputs, outputs: l.outputs, w: f32ToBase64(l.w), b: f32ToBase64(l.b) })),
    ranges: { min: Array.from(m.ranges.min), max: Array.from(m.ranges.max) },
    config: m.config,
    training: m.training,
  });
}

export function modelFromJson(text: string, where = 'rl model'): RlModel {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new UserError(`not JSON: ${(e as Error).message}`, where);
  }
  const format = typeof raw === 'object' && raw !== null && 'format' in raw ? raw.format : undefined;
  if (typeof format === 'string' && format.startsWith('autonomic-rl-ppo/') && format !== MODEL_FORMAT) {
    throw new UserError(`model format ${format} is not this version's ${MODEL_FORMAT} (it has no node-pool head): retrain it with \`autonomic train rl\``, where);
  }
  const p = ModelJson.safeParse(raw);
  if (!p.success) throw new UserError(`not an RL model (${p.error.issues[0].path.join('.')}: ${p.error.issues[0].message})`, where);
  const j = p.data;
  // A model trained on other features or actions would silently misread the state: refuse it.
  if (j.features.join() !== FEATURE_NAMES.join() || j.actions.join() !== ACTIONS.map((a) => a.label).join()) {
    throw new UserError('model was trained with a different feature or action set', where);
  }
  const config = RlTrainConfigSchema.parse(j.config);
  if (j.nodeActions.join() !== envNodeActions(config.env).map((a) => a.label).join()) {
    throw new UserError('model node actions do not match its own environment config', where);
  }
  const layers = j.actor.map((l) => ({ inputs: l.inputs, outputs: l.outputs, w: base64ToF32(l.w), b: base64ToF32(l.b) }));
  for (const l of layers) if (l.w.length !== l.inputs * l.outputs || l.b.length !== l.outputs) throw new UserError('corrupt actor weights', where);
  if (layers[layers.length - 1].outputs !== j.actions.length + j.nodeActions.length) throw new UserError('actor output does not match its action heads', where);
  return {
    actor: { layers },
    ranges: new FeatureRanges(FEATURE_NAMES.length, j.ranges.min, j.ranges.max),
    config,
    training: j.training,
  };
}

export function saveModel(path: string, m: RlModel): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, modelToJson(m));
  renameSync(tmp, path);
}

export function loadModel(path: string): RlModel {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UserError(`cannot read RL model: ${(e as Error).message}`, path);
  }
  return modelFromJson(text, path);
}
