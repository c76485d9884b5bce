import { EtsForecaster } from './ets.js';
import type { Forecaster } from './forecaster.js';
import { NaiveForecaster } from './naive.js';
import { ProfileForecaster } from './profile.js';
import { AutoForecaster } from './select.js';
import { SeasonalNaiveForecaster } from './seasonal-naive.js';
import { WEEK } from './forecaster.js';

let neuralFactories: Record<'lstm' | 'transformer', () => Forecaster> | null = null;

function neural(name: 'lstm' | 'transformer'): () => Forecaster {
  return () => {
    if (!neuralFactories) throw new Error(`${name}: await prepareForecasters(['${name}']) first (tfjs loads and initialises asynchronously)`);
    return neuralFactories[name]();
  };
}

/** Forecasters by name, for the bench and the CLI (lstm and transformer after `prepareForecasters`). */
export const MODEL_FACTORIES: Record<string, () => Forecaster> = {
  naive: () => new NaiveForecaster(),
  seasonal_naive: () => new SeasonalNaiveForecaster(),
  seasonal_naive_weekly: () => new SeasonalNaiveForecaster(WEEK),
  ets: () => new EtsForecaster(),
  ets_mul: () => new EtsForecaster({ seasonal: 'mul', name: 'ets_mul' }),
  holt: () => new EtsForecaster({ seasonal: 'none', name: 'holt' }),
  profile: () => new ProfileForecaster({ name: 'profile' }),
  auto: () => new AutoForecaster(),
  lstm: neural('lstm'),
  transformer: neural('transformer'),
};

/** Models that run on tfjs: `prepareForecasters` must have resolved before they are created. */
export const NEURAL_MODELS: ReadonlySet<string> = new Set(['lstm', 'transformer']);

/**
 * Awaits whatever asynchronous setup the named models need. tfjs is imported here, on demand, so
 * code that never asks for a neural model (most CLI commands) does not pay for loading it.
 */
export async function prepareForecasters(names: Iterable<string>): Promise<void> {
  if (![...names].some((n) => NEURAL_MODELS.has(n))) return;
  const [{ LstmForecaster }, { TransformerForecaster }, { initNeuralForecasting }] = await Promise.all([
    import('./lstm.js'),
    import('./transformer.js'),
    import('./neural-common.js'),
  ]);
  await initNeuralForecasting();
  neuralFactories ??= { lstm: () => new LstmForecaster(), transformer: () => new TransformerForecaster() };
}

export function createForecaster(name: string): Forecaster {
  const make = MODEL_FACTORIES[name];
  if (!make) throw new Error(`unknown forecaster '${name}'`);
  return make();
}
