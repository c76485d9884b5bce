import { gaussian, type FitOptions, type Forecast, type Forecaster, type Series } from './forecaster.js';

/**
 * Equal-weight combination of forecasters (mean of point forecasts, mean of interval half-widths):
 * combining ETS with a seasonal baseline is a cheap, well-documented way to cut long-horizon error.
 */
export class CombinedForecaster implements Forecaster {
  readonly name: string;
  constructor(private readonly members: Forecaster[], name?: string) {
    this.name = name ?? `mean(${members.map((m) => m.name).join(',')})`;
  }
  fit(history: Series, opts?: FitOptions): void {
    for (const m of this.members) m.fit(history, opts);
  }
  update(values: Series): void {
    for (const m of this.members) m.update(values);
  }
  predict(steps: number): Forecast {
    const fs = this.members.map((m) => m.predict(steps));
    const point = new Float64Array(steps);
    const sd = new Float64Array(steps);
    for (const f of fs) {
      for (let k = 0; k < steps; k++) {
        point[k] += f.p50[k] / fs.length;
        sd[k] += (f.p90[k] - f.p10[k]) / (2 * 1.2815515655446004) / fs.length;
      }
    }
    return gaussian(point, sd);
  }
}
