import type { Fence } from './leader-election.js';
import type { Journal, JournalInput } from './journal.js';
import type { KnowledgeDb, SqlFlavor } from './migrations.js';

/**
 * The tick ledger: exactly-once records of a replicated loop's ticks.
 *
 * A tick's journal entries, a `tick` journal entry and its `loop_ticks` row commit in one transaction, and only if
 * the tick is the loop's next one (ticks stay contiguous), (loop_id, tick) is new (no tick twice), and — for HA
 * replicas — the writer's fencing term is still the current one (a deposed leader cannot commit). A leader killed
 * mid-tick leaves nothing of that tick behind, so its successor redoes it; one killed after the commit leaves the
 * whole tick, and its successor continues after it.
 */

/** A write refused because a newer leader has taken over. */
export class FencedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FencedError';
  }
}

export interface CommittedTick {
  loopId: string;
  tick: number;
  at: number;
  term: number | null;
  holder: string;
  /** Seq of the tick's own journal entry (its last). */
  journalSeq: number;
}

/** A loop entry as the controller produces it: the payload is an object the ledger tags with the tick. */
export type TickEntry = Omit<JournalInput, 'payload'> & { payload?: Record<string, unknown> };

export interface TickCommit {
  loopId: string;
  /** 1 for the loop's first tick, then the last committed + 1. */
  tick: number;
  /** Loop (possibly simulated) time of the tick. */
  at: number;
  /** Who ran the tick (the election's replica id). */
  holder: string;
  runId?: string | null;
  /** Omitted for a single, unreplicated loop. */
  fence?: Fence;
  entries: readonly TickEntry[];
  /** The tick ran but decided nothing (e.g. no telemetry): recorded, so tick numbers still count loop iterations. */
  error?: string;
}

export class TickLedger {
  constructor(private readonly db: KnowledgeDb, private readonly journal: Journal, private readonly flavor: SqlFlavor) {}

  /** The loop's last committed tick, if any. */
  async last(loopId: string): Promise<CommittedTick | undefined> {
    const r = await this.db.selectFrom('loop_ticks').selectAll().where('loop_id', '=', loopId).orderBy('tick', 'desc').limit(1).executeTakeFirst();
    return r ? { loopId: r.loop_id, tick: Number(r.tick), at: Number(r.at), term: r.term === null ? null : Number(r.term), holder: r.holder, journalSeq: Number(r.journal_seq) } : undefined;
  }

  /** Journal the tick and record it, atomically (see the file comment for what is refused). */
  async commit(c: TickCommit): Promise<CommittedTick> {
    if (!Number.isSafeInteger(c.tick) || c.tick < 1) throw new RangeError(`tick must be a positive integer, got ${c.tick}`);
    const runId = c.runId ?? null;
    // Every entry names its tick and a decision id unique in the loop, so a duplicate is visible in the journal itself.
    const entries: JournalInput[] = c.entries.map((e, i) => ({
      ...e,
      payload: { ...(e.payload ?? {}), loopId: c.loopId, tick: c.tick, decisionId: `${c.loopId}#${c.tick}.${i + 1}` },
    }));
    const term = c.fence?.term ?? null;
    entries.push({
      at: c.at, runId, kind: 'tick', actor: c.holder,
      summary: `tick ${c.tick} of ${c.loopId}: ${c.error === undefined ? `${c.entries.length} entries` : `no decision (${c.error})`}${term === null ? '' : ` (term ${term})`}`,
      payload: { loopId: c.loopId, tick: c.tick, term, holder: c.holder, entries: c.entries.length, error: c.error ?? null },
    });
    let committed: CommittedTick | undefined;
    await this.journal.appendBatch(entries, {
      within: async (trx, result) => {
        if (c.fence) {
          // FOR SHARE: a new leader's term bump waits for this commit, so it sees the tick once it leads.
          let q = trx.selectFrom('leader_terms').select('term').where('name', '=', c.fence.name);
          if (this.flavor === 'postgres') q = q.forShare();
          const row = await q.executeTakeFirst();
          if (!row || Number(row.term) !== c.fence.term) {
            throw new FencedError(`tick ${c.tick} of ${c.loopId} refused: term ${c.fence.term} is over (current ${row ? Number(row.term) : 'none'})`);
          }
        }
        const prev = await trx.selectFrom('loop_ticks').select((eb) => eb.fn.max('tick').as('t')).where('loop_id', '=', c.loopId).executeTakeFirst();
        const last = Number(prev?.t ?? 0);
        if (c.tick !== last + 1) throw new FencedError(`tick ${c.tick} of ${c.loopId} refused: the last committed tick is ${last}`);
        committed = { loopId: c.loopId, tick: c.tick, at: c.at, term, holder: c.holder, journalSeq: result.lastSeq };
        await trx.insertInto('loop_ticks').values({
          loop_id: c.loopId, tick: c.tick, at: c.at, term, holder: c.holder, journal_seq: result.lastSeq, committed_at: Date.now() / 1000,
        }).execute();
      },
    });
    if (!committed) throw new Error('tick commit finished without a record');
    return committed;
  }
}
