import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Selectable } from 'kysely';
import type { KnowledgeDb, RunsTable } from './migrations.js';
import type { JsonValue } from './journal.js';

/**
 * Runs: one row per simulation/loop invocation, checkpointed as it goes, so a run killed mid-way
 * can be reported (or resumed from its last tick) instead of silently vanishing.
 */

export type RunStatus = 'running' | 'completed' | 'failed' | 'interrupted';
const RUN_STATUSES: readonly RunStatus[] = ['running', 'completed', 'failed', 'interrupted'];

export interface Run {
  id: string;
  createdAt: number;
  command: string;
  config: JsonValue;
  seed: number | null;
  status: RunStatus;
  /** Sim time of the last checkpoint. */
  lastTick: number | null;
  /** Latest cumulative stats, as given to checkpoint(). */
  progress: JsonValue | null;
  finishedAt: number | null;
  result: JsonValue | null;
  error: string | null;
  /** The process that owns (or owned) the run, used to spot runs whose process died. */
  pid: number | null;
  host: string | null;
  updatedAt: number;
}

export interface CreateRunInput {
  command: string;
  config?: unknown;
  seed?: number | null;
  /** Defaults to a random UUID. */
  id?: string;
}

/** Wall-clock seconds: runs are about real processes even when the loop runs in sim time. */
const now = (): number => Date.now() / 1000;

function toJson(v: unknown): string {
  const s = JSON.stringify(v ?? null);
  return s === undefined ? 'null' : s;
}

function parseJson(s: string | null): JsonValue | null {
  return s === null ? null : (JSON.parse(s) as JsonValue);
}

function rowToRun(r: Selectable<RunsTable>): Run {
  const status = r.status as RunStatus;
  if (!RUN_STATUSES.includes(status)) throw new Error(`run ${r.id} has unknown status ${r.status}`);
  const num = (v: number | null): number | null => (v === null ? null : Number(v)); // pg bigint → string
  return {
    id: r.id,
    createdAt: Number(r.created_at),
    command: r.command,
    config: JSON.parse(r.config) as JsonValue,
    seed: num(r.seed),
    status,
    lastTick: num(r.last_tick),
    progress: parseJson(r.progress),
    finishedAt: num(r.finished_at),
    result: parseJson(r.result),
    error: r.error,
    pid: num(r.pid),
    host: r.host,
    updatedAt: Number(r.updated_at),
  };
}

/** True unless we can prove the process is gone (ESRCH). EPERM means it exists under another user. */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

export class RunStore {
  private readonly host = hostname();

  private constructor(private readonly db: KnowledgeDb) {}

  /** Opens the store and marks runs whose owning process has died as interrupted. */
  static async open(db: KnowledgeDb): Promise<RunStore> {
    const store = new RunStore(db);
    await store.markInterrupted();
    return store;
  }

  async create(input: CreateRunInput): Promise<Run> {
    const t = now();
    const row: Selectable<RunsTable> = {
      id: input.id ?? randomUUID(),
      created_at: t,
      command: input.command,
      config: toJson(input.config ?? {}),
      seed: input.seed ?? null,
      status: 'running',
      last_tick: null,
      progress: null,
      finished_at: null,
      result: null,
      error: null,
      pid: process.pid,
      host: this.host,
      updated_at: t,
    };
    await this.db.insertInto('runs').values(row).execute();
    return rowToRun(row);
  }

  /** Cheap: one UPDATE by primary key. Only a running run accepts checkpoints. */
  async checkpoint(id: string, lastTick: number, progress: unknown): Promise<void> {
    const r = await this.db
      .updateTable('runs')
      .set({ last_tick: lastTick, progress: toJson(progress), updated_at: now() })
      .where('id', '=', id)
      .where('status', '=', 'running')
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) throw new Error(`checkpoint: run ${id} is not running`);
  }

  async complete(id: string, result: unknown): Promise<void> {
    await this.finish(id, { status: 'completed', result: toJson(result) });
  }

  async fail(id: string, message: string): Promise<void> {
    await this.finish(id, { status: 'failed', error: message });
  }

  /** Take over an interrupted (or failed) run so it can continue from `lastTick`. */
  async resume(id: string): Promise<Run> {
    const r = await this.db
      .updateTable('runs')
      .set({ status: 'running', pid: process.pid, host: this.host, finished_at: null, error: null, updated_at: now() })
      .where('id', '=', id)
      .where('status', 'in', ['interrupted', 'failed'])
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) throw new Error(`resume: run ${id} is not interrupted or failed`);
    const run = await this.get(id);
    if (!run) throw new Error(`resume: run ${id} vanished`);
    return run;
  }

  private async finish(id: string, set: { status: RunStatus; result?: string; error?: string }): Promise<void> {
    const t = now();
    const r = await this.db
      .updateTable('runs')
      .set({ ...set, finished_at: t, updated_at: t })
      .where('id', '=', id)
      .where('status', '=', 'running')
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) throw new Error(`${set.status}: run ${id} is not running`);
  }

  async get(id: string): Promise<Run | undefined> {
    const r = await this.db.selectFrom('runs').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? rowToRun(r) : undefined;
  }

  /** Newest first. */
  async list(filter: { status?: RunStatus; limit?: number } = {}): Promise<Run[]> {
    let q = this.db.selectFrom('runs').selectAll();
    if (filter.status !== undefined) q = q.where('status', '=', filter.status);
    q = q.orderBy('created_at', 'desc').orderBy('id');
    if (filter.limit !== undefined) q = q.limit(filter.limit);
    return (await q.execute()).map(rowToRun);
  }

  /**
   * Runs left 'running' by a process on this host that no longer exists become 'interrupted'.
   * Rows from other hosts are left alone: their pids mean nothing here. (A recycled pid makes a
   * dead run look alive; that errs towards leaving it 'running', never towards a false alarm.)
   * Returns the ids marked.
   */
  async markInterrupted(): Promise<string[]> {
    const running = await this.db
      .selectFrom('runs')
      .select(['id', 'pid', 'host'])
      .where('status', '=', 'running')
      .where('host', '=', this.host)
      .execute();
    const dead = running.filter((r) => r.pid === null || (Number(r.pid) !== process.pid && !isProcessAlive(Number(r.pid))));
    const marked: string[] = [];
    for (const r of dead) {
      const t = now();
      const u = await this.db
        .updateTable('runs')
        .set({ status: 'interrupted', finished_at: t, updated_at: t, error: `process ${r.pid ?? '?'} on ${this.host} exited without finishing the run` })
        .where('id', '=', r.id)
        .where('status', '=', 'running') // another opener may have got there first
        .executeTakeFirst();
      if (Number(u.numUpdatedRows) === 1) marked.push(r.id);
    }
    return marked;
  }
}
