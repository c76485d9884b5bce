import type { Snapshot } from '../core/snapshot.js';
import type { LoopState } from '../knowledge/latest-state.js';
import { DEFAULT_OBJECTIVES, summariseSnapshot, type ServiceObjectives } from './state-summary.js';

/** Where the latest state goes (knowledge/latest-state.ts LatestStateStore implements it). */
export interface LoopStateSink {
  put(runId: string, state: LoopState, updatedAt: number): Promise<void>;
}

export interface StateRecorderOptions {
  sink: LoopStateSink;
  runId: string;
  objectives?: ServiceObjectives;
  /**
   * At most one write per this many wall-clock ms (default 1000): a simulation ticks thousands of times a second
   * and the view needs only the latest; `flush()` writes the last one held back.
   */
  minIntervalMs?: number;
  /** A failed write is reported here and the loop carries on: the overview is a view, never worth a tick. */
  onError?: (e: unknown) => void;
  wallClock?: () => number;
}

/** Called by the controller once per tick with what the loop saw (ControllerOptions.state). */
export interface TickObserver {
  record(snapshot: Snapshot): Promise<void>;
}

/** Keeps the run's row in `latest_state` current: the live overview `autonomic serve` and the dashboard show. */
export class StateRecorder implements TickObserver {
  private lastWriteMs = -Infinity;
  private held: Snapshot | undefined;
  private readonly wall: () => number;

  constructor(private readonly o: StateRecorderOptions) {
    this.wall = o.wallClock ?? (() => Date.now());
  }

  async record(snapshot: Snapshot): Promise<void> {
    const now = this.wall();
    if (now - this.lastWriteMs < (this.o.minIntervalMs ?? 1000)) {
      this.held = snapshot;
      return;
    }
    await this.write(snapshot, now);
  }

  /** Write the snapshot held back by the rate limit, if any (end of a run). */
  async flush(): Promise<void> {
    if (this.held) await this.write(this.held, this.wall());
  }

  private async write(snapshot: Snapshot, nowMs: number): Promise<void> {
    this.held = undefined;
    this.lastWriteMs = nowMs;
    try {
      await this.o.sink.put(this.o.runId, summariseSnapshot(snapshot, this.o.objectives ?? DEFAULT_OBJECTIVES), nowMs / 1000);
    } catch (e) {
      this.o.onError?.(e);
    }
  }
}
