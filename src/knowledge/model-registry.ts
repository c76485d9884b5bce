import type { Selectable } from 'kysely';
import type { JsonValue } from './journal.js';
import type { KnowledgeDb, ModelEventsTable, ModelsTable } from './migrations.js';

/**
 * Model registry: every trained forecasting model per series, with its backtest scores, and the
 * one `active` model per series. A candidate becomes active only if its backtest score beats the
 * active model's; every registration, promotion, refusal and retirement is recorded with a reason.
 * Query builder only, so it runs unchanged on PostgreSQL.
 */

export type ModelStatus = 'candidate' | 'active' | 'retired';
const STATUSES: readonly ModelStatus[] = ['candidate', 'active', 'retired'];

export type ModelEventKind = 'registered' | 'promoted' | 'refused' | 'retired';

/** Backtest MASE at 1 h and 24 h (null when the backtest window had no origin for that horizon). */
export interface ModelScores {
  mase_1h: number | null;
  mase_24h: number | null;
  /** Forecast origins behind mase_1h. */
  n_origins: number;
}

export type ScoreMetric = 'mase_1h' | 'mase_24h';

export interface ModelRecord {
  id: number;
  seriesKey: string;
  kind: string;
  version: number;
  createdAt: number;
  trainStart: number;
  trainEnd: number;
  scores: ModelScores;
  params: JsonValue;
  state: Uint8Array | null;
  status: ModelStatus;
}

export interface NewModel {
  seriesKey: string;
  kind: string;
  trainStart: number;
  trainEnd: number;
  scores: ModelScores;
  params?: JsonValue;
  state?: Uint8Array | null;
}

export interface ModelEvent {
  id: number;
  at: number;
  seriesKey: string;
  modelId: number;
  event: ModelEventKind;
  reason: string;
  details: JsonValue;
}

export interface PromotionResult {
  promoted: boolean;
  reason: string;
  model: ModelRecord;
  /** The active model before the decision, if any. */
  previous: ModelRecord | null;
}

export interface PromoteOptions {
  /**
   * The incumbent's scores re-measured on the candidate's backtest window. Scores from different
   * windows are not strictly comparable, so a caller that can re-measure should; default: the
   * incumbent's stored scores.
   */
  incumbentScores?: ModelScores;
}

export interface ModelRegistryOptions {
  /** Score that decides promotions (default mase_24h; mase_1h when either side lacks it). */
  metric?: ScoreMetric;
  /** Wall-clock seconds (injectable for tests). */
  now?: () => number;
}

/** JSON has no NaN or Infinity: a missing or non-finite score is stored as null. */
function finiteOrNull(v: number | null | undefined): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function parseScores(id: number, text: string): ModelScores {
  const v: unknown = JSON.parse(text);
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error(`model ${id}: scores is not an object`);
  const o = v as Record<string, unknown>;
  const num = (x: unknown) => (typeof x === 'number' ? x : null);
  return { mase_1h: num(o.mase_1h), mase_24h: num(o.mase_24h), n_origins: typeof o.n_origins === 'number' ? o.n_origins : 0 };
}

function fromRow(r: Selectable<ModelsTable>): ModelRecord {
  const status = r.status as ModelStatus;
  if (!STATUSES.includes(status)) throw new Error(`model ${r.id} has unknown status ${r.status}`);
  const id = Number(r.id); // pg bigint → string
  return {
    id,
    seriesKey: r.series_key,
    kind: r.kind,
    version: Number(r.version),
    createdAt: Number(r.created_at),
    trainStart: Number(r.train_start),
    trainEnd: Number(r.train_end),
    scores: parseScores(id, r.scores),
    params: JSON.parse(r.params) as JsonValue,
    state: r.state === null ? null : new Uint8Array(r.state),
    status,
  };
}

function eventFromRow(r: Selectable<ModelEventsTable>): ModelEvent {
  return {
    id: Number(r.id),
    at: Number(r.at),
    seriesKey: r.series_key,
    modelId: Number(r.model_id),
    event: r.event as ModelEventKind,
    reason: r.reason,
    details: JSON.parse(r.details) as JsonValue,
  };
}

const fmt = (v: number) => v.toFixed(4);
const label = (m: ModelRecord) => `${m.kind} v${m.version} (#${m.id})`;

export class ModelRegistry {
  private readonly metric: ScoreMetric;
  private readonly now: () => number;

  constructor(private readonly db: KnowledgeDb, opts: ModelRegistryOptions = {}) {
    this.metric = opts.metric ?? 'mase_24h';
    this.now = opts.now ?? (() => Date.now() / 1000);
  }

  /** Stores a new version (status candidate) of `kind` for the series. */
  async register(m: NewModel): Promise<ModelRecord> {
    const at = this.now();
    const scores: ModelScores = { mase_1h: finiteOrNull(m.scores.mase_1h), mase_24h: finiteOrNull(m.scores.mase_24h), n_origins: m.scores.n_origins };
    return this.db.transaction().execute(async (trx) => {
      const prev = await trx
        .selectFrom('models')
        .select((eb) => eb.fn.max('version').as('v'))
        .where('series_key', '=', m.seriesKey)
        .where('kind', '=', m.kind)
        .executeTakeFirst();
      const version = Number(prev?.v ?? 0) + 1;
      const row = await trx
        .insertInto('models')
        .values({
          series_key: m.seriesKey,
          kind: m.kind,
          version,
          created_at: at,
          train_start: m.trainStart,
          train_end: m.trainEnd,
          scores: JSON.stringify(scores),
          params: JSON.stringify(m.params ?? {}),
          // better-sqlite3 binds Buffers as blobs, not plain typed arrays.
          state: m.state ? Buffer.from(m.state.buffer, m.state.byteOffset, m.state.byteLength) : null,
          status: 'candidate',
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      const rec = fromRow(row);
      await trx
        .insertInto('model_events')
        .values({ at, series_key: m.seriesKey, model_id: rec.id, event: 'registered', reason: `registered ${label(rec)}`, details: JSON.stringify({ scores }) })
        .execute();
      return rec;
    });
  }

  async get(id: number): Promise<ModelRecord | undefined> {
    const r = await this.db.selectFrom('models').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? fromRow(r) : undefined;
  }

  async active(seriesKey: string): Promise<ModelRecord | undefined> {
    const r = await this.db.selectFrom('models').selectAll().where('series_key', '=', seriesKey).where('status', '=', 'active').executeTakeFirst();
    return r ? fromRow(r) : undefined;
  }

  /** Models in registration order (oldest first), optionally of one series or status. */
  async history(filter: { seriesKey?: string; status?: ModelStatus } = {}): Promise<ModelRecord[]> {
    let q = this.db.selectFrom('models').selectAll();
    if (filter.seriesKey !== undefined) q = q.where('series_key', '=', filter.seriesKey);
    if (filter.status !== undefined) q = q.where('status', '=', filter.status);
    return (await q.orderBy('id').execute()).map(fromRow);
  }

  /** Registry events in order (oldest first), optionally of one series. */
  async events(filter: { seriesKey?: string } = {}): Promise<ModelEvent[]> {
    let q = this.db.selectFrom('model_events').selectAll();
    if (filter.seriesKey !== undefined) q = q.where('series_key', '=', filter.seriesKey);
    return (await q.orderBy('id').execute()).map(eventFromRow);
  }

  /**
   * Makes candidate `id` the series' active model if its score is strictly lower (MASE: lower is
   * better) than the active model's, retiring that one; otherwise it stays a candidate. Either
   * way the decision and its reason are recorded. Ties keep the incumbent (no churn for nothing).
   */
  async promoteIfBetter(id: number, opts: PromoteOptions = {}): Promise<PromotionResult> {
    const at = this.now();
    return this.db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom('models').selectAll().where('id', '=', id).executeTakeFirst();
      if (!row) throw new Error(`model ${id} does not exist`);
      const model = fromRow(row);
      if (model.status !== 'candidate') throw new Error(`model ${id} is ${model.status}; only candidates can be promoted`);
      const cur = await trx.selectFrom('models').selectAll().where('series_key', '=', model.seriesKey).where('status', '=', 'active').executeTakeFirst();
      const previous = cur ? fromRow(cur) : null;

      const decide = (): { promoted: boolean; reason: string; details: Record<string, JsonValue> } => {
        if (!previous) {
          const s = model.scores[this.metric] ?? model.scores.mase_1h;
          if (s === null) return { promoted: false, reason: `${label(model)} has no backtest score`, details: {} };
          return { promoted: true, reason: `no active model for the series; ${label(model)} scored ${fmt(s)}`, details: { candidate: s } };
        }
        const inc = opts.incumbentScores ?? previous.scores;
        const where = opts.incumbentScores ? 're-measured on the same window' : 'stored';
        // Compare on the configured metric when both sides have it, else on the 1 h score.
        const metric: ScoreMetric = model.scores[this.metric] !== null && inc[this.metric] !== null ? this.metric : 'mase_1h';
        const c = model.scores[metric];
        const i = inc[metric];
        if (c === null || i === null) return { promoted: false, reason: `no comparable score between ${label(model)} and active ${label(previous)}`, details: { metric } };
        const details = { metric, candidate: c, incumbent: i, incumbent_id: previous.id, incumbent_scores: where };
        if (c < i) return { promoted: true, reason: `${metric} ${fmt(c)} beats ${fmt(i)} of active ${label(previous)} (${where})`, details };
        return { promoted: false, reason: `${metric} ${fmt(c)} does not beat ${fmt(i)} of active ${label(previous)} (${where})`, details };
      };
      const d = decide();
      const event = (modelId: number, kind: ModelEventKind, reason: string) =>
        trx.insertInto('model_events').values({ at, series_key: model.seriesKey, model_id: modelId, event: kind, reason, details: JSON.stringify(d.details) }).execute();
      if (d.promoted) {
        // Retire first: the partial unique index allows one active row per series at any moment.
        if (previous) {
          await trx.updateTable('models').set({ status: 'retired' }).where('id', '=', previous.id).execute();
          await event(previous.id, 'retired', `replaced by ${label(model)}`);
        }
        await trx.updateTable('models').set({ status: 'active' }).where('id', '=', model.id).execute();
        await event(model.id, 'promoted', d.reason);
        return { promoted: true, reason: d.reason, model: { ...model, status: 'active' }, previous };
      }
      await event(model.id, 'refused', d.reason);
      return { promoted: false, reason: d.reason, model, previous };
    });
  }
}
