/**
 * Convergence as the seed framework reports it: the smoothed episode reward is at or above a threshold and
 * stable (within a band) for `window` consecutive episodes. The reported episode is the one that completes
 * the stable stretch — the first moment anyone could have known.
 */
import type { ConvergenceConfig } from './config.js';

export class ConvergenceTracker {
  readonly rewards: number[] = [];
  readonly smoothed: number[] = [];
  convergedAt: number | null = null;

  constructor(readonly cfg: ConvergenceConfig) {}

  /** Adds the next episode's reward; returns the convergence episode (1-based) once reached. */
  push(reward: number): number | null {
    this.rewards.push(reward);
    const k = Math.min(this.cfg.smoothing, this.rewards.length);
    let s = 0;
    for (let i = this.rewards.length - k; i < this.rewards.length; i++) s += this.rewards[i];
    this.smoothed.push(s / k);
    if (this.convergedAt === null && this.smoothed.length >= this.cfg.window) {
      const w = this.smoothed.slice(-this.cfg.window);
      const lo = Math.min(...w);
      if (lo >= this.cfg.threshold && Math.max(...w) - lo <= this.cfg.tolerance) this.convergedAt = this.rewards.length;
    }
    return this.convergedAt;
  }

  get lastSmoothed(): number {
    return this.smoothed.length > 0 ? this.smoothed[this.smoothed.length - 1] : NaN;
  }

  /** Rebuilds the tracker from saved episode rewards (resume). */
  static replay(cfg: ConvergenceConfig, rewards: readonly number[]): ConvergenceTracker {
    const t = new ConvergenceTracker(cfg);
    for (const r of rewards) t.push(r);
    return t;
  }
}
