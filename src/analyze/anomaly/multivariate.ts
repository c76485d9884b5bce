/**
 * Per-service multivariate scoring: one univariate detector per signal (CPU, memory, latency,
 * errors, request rate, ...), combined by max (default: the score of the most anomalous signal,
 * which is then named) or noisy-or (several moderately odd signals add up).
 */
import type { Detector, DetectorResult, Sample } from './detector.js';

export type Combine = 'max' | 'noisy-or';

export class MultiSignalDetector implements Detector {
  readonly name: string;
  private readonly perSignal = new Map<string, Detector>();
  constructor(
    private readonly factory: (signal: string) => Detector,
    private readonly combineBy: Combine = 'max',
    name = 'multi',
  ) {
    this.name = name;
  }

  update(sample: Sample): DetectorResult {
    const t = typeof sample === 'number' ? 0 : sample.t;
    const values = typeof sample === 'number' ? { value: sample } : sample.values;
    const results: Array<[string, DetectorResult]> = [];
    for (const [signal, v] of Object.entries(values)) {
      if (!Number.isFinite(v)) continue; // a missing reading says nothing about anomaly
      let d = this.perSignal.get(signal);
      if (!d) {
        d = this.factory(signal);
        this.perSignal.set(signal, d);
      }
      results.push([signal, d.update({ t, values: { [signal]: v } })]);
    }
    if (results.length === 0) return { score: 0, signal: '', explanation: 'no finite signal values' };
    let [topSignal, top] = results[0];
    for (const [s, r] of results) if (r.score > top.score) [topSignal, top] = [s, r];
    const score = this.combineBy === 'max' ? top.score : 1 - results.reduce((a, [, r]) => a * (1 - r.score), 1);
    const others = results.filter(([s, r]) => s !== topSignal && r.score >= 0.5 * top.score && r.score > 0).map(([s]) => s);
    return {
      score,
      signal: topSignal,
      explanation: top.explanation + (others.length > 0 ? `; also unusual: ${others.join(', ')}` : ''),
    };
  }
}
