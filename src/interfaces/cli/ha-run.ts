import { LeaderElection, type LeaderInfo } from '../../knowledge/leader-election.js';
import type { Store } from '../../knowledge/store.js';
import type { Controller } from '../../loop/controller.js';
import { runHaLoop, type TickBuffer } from '../../loop/ha-loop.js';
import type { LiveLoopOptions, LiveLoopSummary } from '../../loop/live-loop.js';
import type { ReplicatedApprovalFlow } from '../../loop/replicated-approval-flow.js';

/**
 * `autonomic run --ha`: replicas of the live loop sharing a PostgreSQL store. The leader ticks; followers wait,
 * say who leads, and take over when it goes. Every replica keeps the store open, so reads (audit, runs,
 * approvals) are served from any of them.
 */

/** All `autonomic run --ha` replicas on one store form one replicated loop. */
export const RUN_LOOP_ID = 'autonomic-run';

/** The live loop's options; `maxTicks` counts the loop's ticks (any leader's) from this replica's start. */
export interface ReplicatedRunOptions extends LiveLoopOptions {
  store: Store;
  /** The store's postgres:// URL: the election needs a connection of its own. */
  url: string;
  runId: string;
  json: boolean;
  /** Journals into `buffer`, which each committed tick empties into the journal. */
  controller: Controller;
  buffer: TickBuffer;
  /** The controller's approval queue, told the fencing term each time this replica becomes leader. */
  approvals?: Pick<ReplicatedApprovalFlow, 'lead'>;
}

export async function runReplicated(o: ReplicatedRunOptions): Promise<LiveLoopSummary & { terms: number }> {
  const election = new LeaderElection({ url: o.url, name: RUN_LOOP_ID });
  const start = (await o.store.ticks.last(RUN_LOOP_ID))?.tick ?? 0;
  const say = (json: Record<string, unknown>, text: string): void => {
    if (o.json) process.stdout.write(JSON.stringify(json) + '\n');
    else process.stderr.write(`${text}\n`);
  };
  let failedTicks = 0;
  let lastSeen = '';
  const signal = o.signal ?? new AbortController().signal;
  const summary = await runHaLoop({
    election, ledger: o.store.ticks, loopId: RUN_LOOP_ID, runId: o.runId, signal,
    intervalMs: o.intervalSeconds * 1000,
    untilTick: o.maxTicks === undefined ? undefined : start + o.maxTicks,
    // The live system is the state: a new leader just continues (no replay, unlike a simulation).
    async takeOver() {
      o.approvals?.lead(election.fence(), election.id);
      return {
        async tick(n) {
          o.buffer.drain(); // leftovers of a tick that threw
          const r = await o.controller.tick();
          await o.onTick?.(r, n);
          return { at: r.at, entries: o.buffer.drain() };
        },
      };
    },
    onEvent(e) {
      switch (e.type) {
        case 'follower': {
          // Only changes are worth a line: followers poll every second.
          const seen = describeLeader(e.leader, e.error);
          if (seen !== lastSeen) say({ role: 'follower', replica: election.id, leader: e.leader?.holder ?? null, term: e.leader?.term ?? null }, `follower ${election.id}: ${seen}; waiting to take over`);
          lastSeen = seen;
          break;
        }
        case 'leader':
          lastSeen = '';
          say({ role: 'leader', replica: election.id, term: e.term, lastTick: e.lastTick }, `leader ${election.id}: term ${e.term}, continuing after tick ${e.lastTick}`);
          break;
        case 'lost':
          say({ role: 'lost', replica: election.id, term: e.term, reason: e.reason }, `leader ${election.id}: lost leadership of term ${e.term} (${e.reason}); stopped acting`);
          break;
        case 'tick-failed':
          failedTicks++;
          void o.onError?.(e.error, e.tick);
          break;
        case 'tick':
          break;
      }
    },
  });
  return { ticks: summary.committed, failedTicks, stoppedBy: signal.aborted ? 'signal' : 'ticks', terms: summary.terms };
}

function describeLeader(leader: LeaderInfo | null, error: unknown): string {
  if (error !== undefined) return `store unreachable (${error instanceof Error ? error.message : String(error)})`;
  if (!leader) return 'no leader yet';
  return `${leader.holder} leads (term ${leader.term})`;
}
