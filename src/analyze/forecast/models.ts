import { EtsForecaster } from './ets.js';
import type { Forecaster } from './forecaster.js';
import { NaiveForecaster } from './naive.js';
import { ProfileForecaster } from './profile.js';
import { AutoForecaster } from './select.js';
import { SeasonalNaiveForecaster } from './seasonal-naive.js';
import { WEEK } from './forecaster.js';

/** Forecasters by name, for the bench and the CLI. */
export const MODEL_FACTORIES: Record<string, () => Forecaster> = {
  naive: () => new NaiveForecaster(),
  seasonal_naive: () => new SeasonalNaiveForecaster(),
  seasonal_naive_weekly: () => new SeasonalNaiveForecaster(WEEK),
  ets: () => new EtsForecaster(),
  ets_mul: () => new EtsForecaster({ seasonal: 'mul', name: 'ets_mul' }),
  holt: () => new EtsForecaster({ seasonal: 'none', name: 'holt' }),
  profile: () => new ProfileForecaster({ name: 'profile' }),
  auto: () => new AutoForecaster(),
};

export function createForecaster(name: string): Forecaster {
  const make = MODEL_FACTORIES[name];
  if (!make) throw new Error(`unknown forecaster '${name}'`);
  return make();
}
