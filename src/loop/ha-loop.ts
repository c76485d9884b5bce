import type { LeaderElection, LeaderInfo } from '../knowledge/leader-election.js';
import { FencedError, type TickEntry, type TickLedger } from '../knowledge/tick-ledger.js';
import type { DecisionEntry, DecisionSink } from './controller.js';
import { sleep } from '../core/sleep.js';

/**
 * A loop run by whichever replica leads: the others follow (wait, report who leads) and take over when the leader
 * goes. Only the leader ticks; each tick is committed through the tick ledger with the leader's fencing term, so
 * ticks stay contiguous and none is recorded twice across a failover. Losing leadership stops the loop at once:
 * a tick in flight is dropped uncommitted and its successor redoes it.
 */

/** Collects what the controller journals during a tick, so the tick commits it all at once with its record. */
export class TickBuffer implements DecisionSink {
  private entries: DecisionEntry[] = [];

  async appendBatch(entries: DecisionEntry[]): Promise<void> {
    this.entries.push(...entries);
  }

  /** The tick's entries, leaving the buffer empty for the next tick. */
  drain(): DecisionEntry[] {
    const out = this.entries;
    this.entries = [];
    return out;
  }
}

export interface HaTickResult {
  /** Loop time of the tick. */
  at: number;
  entries: TickEntry[];
}

export interface HaTicker {
  /** Run tick `n` (decide and act) and return what to journal for it. Throwing records the tick as undecided. */
  tick(n: number): Promise<HaTickResult>;
}

export type HaEvent =
  | { type: 'follower'; leader: LeaderInfo | null; error?: unknown }
  | { type: 'leader'; term: number; lastTick: number }
  | { type: 'tick'; tick: number; at: number; entries: number }
  | { type: 'tick-failed'; tick: number; error: unknown }
  | { type: 'lost'; term: number; reason: string };

export interface HaLoopOptions {
  election: LeaderElection;
  ledger: TickLedger;
  /** The replicated loop's name: its ticks are numbered within it. */
  loopId: string;
  runId?: string | null;
  /** Stops the loop (leader or follower) for good. */
  signal: AbortSignal;
  /** Wall-clock ms between tick starts. */
  intervalMs: number;
  /** Stop once the loop, whoever leads it, has committed this many ticks. */
  untilTick?: number;
  /** On each gain of leadership, with the loop's last committed tick: build the state to continue after it. */
  takeOver(lastTick: number): Promise<HaTicker>;
  onEvent?(e: HaEvent): void;
}

export interface HaLoopSummary {
  /** Ticks this replica committed. */
  committed: number;
  /** Times this replica became leader. */
  terms: number;
}

export async function runHaLoop(o: HaLoopOptions): Promise<HaLoopSummary> {
  const { election, ledger } = o;
  let committed = 0;
  let terms = 0;
  try {
    while (!o.signal.aborted) {
      const led = await election.waitForLeadership(o.signal, (leader, error) => o.onEvent?.({ type: 'follower', leader, error }));
      if (!led) break;
      terms++;
      const term = election.term;
      const fence = election.fence();
      const leadership = election.signal;
      const lost = AbortSignal.any([o.signal, leadership]);
      // Read after winning the term: the previous leader's last commit (if any) is final by now.
      let n = (await ledger.last(o.loopId))?.tick ?? 0;
      if (o.untilTick !== undefined && n >= o.untilTick) break;
      o.onEvent?.({ type: 'leader', term, lastTick: n });
      const ticker = await o.takeOver(n);
      while (!lost.aborted && (o.untilTick === undefined || n < o.untilTick)) {
        const started = performance.now();
        let result: HaTickResult;
        let error: string | undefined;
        try {
          result = await ticker.tick(n + 1);
        } catch (e) {
          o.onEvent?.({ type: 'tick-failed', tick: n + 1, error: e });
          error = e instanceof Error ? e.message : String(e);
          result = { at: Date.now() / 1000, entries: [] };
        }
        if (lost.aborted) break; // deposed mid-tick: act on nothing more, the new leader redoes the tick
        try {
          await ledger.commit({ loopId: o.loopId, tick: n + 1, at: result.at, holder: election.id, runId: o.runId, fence, entries: result.entries, error });
        } catch (e) {
          // Fenced, or the commit's fate is unknown: either way this replica's state may be ahead of the record,
          // so it steps down and whoever leads next rebuilds from the ledger.
          election.stepDown(e instanceof FencedError ? e.message : `commit of tick ${n + 1} failed: ${e instanceof Error ? e.message : String(e)}`);
          break;
        }
        n++;
        committed++;
        o.onEvent?.({ type: 'tick', tick: n, at: result.at, entries: result.entries.length });
        await sleep(Math.max(0, o.intervalMs - (performance.now() - started)), lost);
      }
      if (!o.signal.aborted && (o.untilTick === undefined || n < o.untilTick)) {
        o.onEvent?.({ type: 'lost', term, reason: String(leadership.reason ?? 'lost') });
      }
      if (o.untilTick !== undefined && n >= o.untilTick) break;
    }
  } finally {
    await election.close();
  }
  return { committed, terms };
}
