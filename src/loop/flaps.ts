import type { Action } from '../core/action.js';

/**
 * Counts executed actions and flaps: a scale action whose direction is opposite to the previous
 * executed scale action of the same service within `windowSeconds` (default 10 min, as the issue's
 * benchmark defines flapping).
 */
export class ActionTally {
  actions = 0;
  flaps = 0;
  private readonly last = new Map<string, { at: number; dir: 1 | -1 }>();
  constructor(private readonly windowSeconds = 600) {}

  record(action: Action, at: number): void {
    this.actions++;
    if (action.kind !== 'scale' || action.to === action.from) return;
    const dir: 1 | -1 = action.to > action.from ? 1 : -1;
    const prev = this.last.get(action.service);
    if (prev && prev.dir !== dir && at - prev.at <= this.windowSeconds) this.flaps++;
    this.last.set(action.service, { at, dir });
  }
}
