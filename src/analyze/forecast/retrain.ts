/**
 * Scheduled retraining: for each series of a telemetry history, fit every candidate model kind,
 * backtest it (rolling origin, backtest.ts) on the last part of the history, register it, and
 * promote it only if it beats the active model. No I/O of its own: the history and the registry
 * come in through the two small interfaces below (TelemetryStore and ModelRegistry implement them).
 */
import type { JsonValue } from '../../knowledge/journal.js';
import type { ModelRecord, ModelScores, NewModel, PromoteOptions, PromotionResult } from '../../knowledge/model-registry.js';
import { backtest, type BacktestResult } from './backtest.js';
import { EtsForecaster } from './ets.js';
import { DAY, InsufficientHistoryError, toF64, type Forecaster } from './forecaster.js';
import { MODEL_FACTORIES } from './models.js';
import { AutoForecaster } from './select.js';

export interface SeriesHistory {
  /** One value per step, oldest first; non-finite values are gaps. */
  values: Float64Array | number[];
  /** Seconds of values[0] (0 when the source has no clock). */
  start: number;
  stepSeconds: number;
}

/** Series key → history at 5-minute buckets. */
export interface TelemetryHistory {
  keys(): Promise<string[]>;
  history(key: string): Promise<SeriesHistory | undefined>;
}

/** The registry operations retraining uses. */
export interface RegistryPort {
  active(seriesKey: string): Promise<ModelRecord | undefined>;
  register(m: NewModel): Promise<ModelRecord>;
  promoteIfBetter(id: number, opts?: PromoteOptions): Promise<PromotionResult>;
}

/** An in-memory history source (tests, one-off traces). */
export class ArrayTelemetry implements TelemetryHistory {
  private readonly map: Map<string, SeriesHistory>;
  constructor(series: Record<string, SeriesHistory> | Map<string, SeriesHistory>) {
    this.map = series instanceof Map ? new Map(series) : new Map(Object.entries(series));
  }
  async keys(): Promise<string[]> {
    return [...this.map.keys()];
  }
  async history(key: string): Promise<SeriesHistory | undefined> {
    return this.map.get(key);
  }
}

export interface RetrainOptions {
  /** Model kinds (MODEL_FACTORIES names) to fit; neural ones need `prepareForecasters` first. */
  kinds?: string[];
  /** Only these series (default every key of the history). */
  seriesKeys?: string[];
  /** Backtest window: the last min(25 %, this many) steps (default 7 days). */
  maxValidation?: number;
  /** Progress per series and kind (for a CLI's stderr). */
  onProgress?: (msg: string) => void;
}

export const DEFAULT_RETRAIN_KINDS = ['naive', 'seasonal_naive', 'ets', 'auto'];

export type Decision = 'promoted' | 'refused' | 'skipped';

export interface KindOutcome {
  kind: string;
  decision: Decision;
  reason: string;
  modelId: number | null;
  version: number | null;
  scores: ModelScores | null;
  seconds: number;
}

export interface SeriesOutcome {
  seriesKey: string;
  n: number;
  validationSteps: number;
  kinds: KindOutcome[];
  /** The active model after retraining, if any. */
  activeId: number | null;
  activeKind: string | null;
}

/** Fewest backtest steps worth scoring: one hourly origin. */
const MIN_VALIDATION = 12;

/** JSON description of a fitted model for the registry's params column. */
function describe(f: Forecaster): JsonValue {
  if (f.describe) return f.describe();
  if (f instanceof EtsForecaster) return { ...f.params, seasonal: f.seasonal };
  if (f instanceof AutoForecaster) return { mode: f.choice.mode, perBucket: f.choice.perBucket };
  return {};
}

/**
 * MASE scale: the protocol's in-sample seasonal-naive MAE before t0, or the one-step naive MAE when
 * the history is shorter than a season. Pairs touching a gap are left out.
 */
function scaleFor(y: Float64Array, t0: number, season: number): number {
  const mad = (lag: number) => {
    let sum = 0;
    let cnt = 0;
    for (let i = lag; i < t0; i++) {
      const d = Math.abs(y[i] - y[i - lag]);
      if (Number.isFinite(d)) {
        sum += d;
        cnt++;
      }
    }
    return cnt > 0 ? sum / cnt : NaN;
  };
  const s = t0 > season ? mad(season) : NaN;
  if (s > 0) return s;
  const one = mad(1);
  return one > 0 ? one : 1;
}

/**
 * Backtests `make()` on y with origins every hour from t0, at 1 h and (where it fits) 24 h
 * (backtest.ts leaves gap targets out, so stored telemetry with holes can be scored).
 */
function score(y: Float64Array, t0: number, make: () => Forecaster): ModelScores {
  const scale = scaleFor(y, t0, DAY);
  const horizons = [12, DAY].filter((h) => t0 + h <= y.length);
  const f = make();
  let res: BacktestResult;
  try {
    res = backtest(y, f, { t0, every: 12, horizons });
  } finally {
    f.dispose?.();
  }
  const mase = (h: number) => {
    const r = res.horizons.find((x) => x.h === h);
    return r && r.errors.n > 0 ? r.errors.mae / scale : null;
  };
  return { mase_1h: mase(12), mase_24h: mase(DAY), n_origins: res.horizons[0]?.origins ?? 0 };
}

/** Retrains every selected series; series are independent, so one failing kind never stops the rest. */
export async function retrain(history: TelemetryHistory, registry: RegistryPort, o: RetrainOptions = {}): Promise<SeriesOutcome[]> {
  const keys = o.seriesKeys ?? (await history.keys());
  const out: SeriesOutcome[] = [];
  for (const key of keys) {
    const h = await history.history(key);
    if (!h) throw new Error(`no telemetry for series '${key}'`);
    out.push(await retrainSeries(key, h, registry, o));
  }
  return out;
}

export async function retrainSeries(key: string, h: SeriesHistory, registry: RegistryPort, o: RetrainOptions = {}): Promise<SeriesOutcome> {
  const kinds = [...new Set(o.kinds ?? DEFAULT_RETRAIN_KINDS)];
  for (const k of kinds) if (!MODEL_FACTORIES[k]) throw new Error(`unknown model kind '${k}' (known: ${Object.keys(MODEL_FACTORIES).join(', ')})`);
  const y = toF64(h.values);
  const n = y.length;
  const valLen = Math.min(Math.floor(0.25 * n), o.maxValidation ?? 7 * DAY);
  const t0 = n - valLen;
  const trainStart = h.start;
  const trainEnd = h.start + (n - 1) * h.stepSeconds;
  const base: Omit<SeriesOutcome, 'kinds'> = { seriesKey: key, n, validationSteps: valLen, activeId: null, activeKind: null };
  const before = await registry.active(key);
  if (valLen < MIN_VALIDATION) {
    const reason = `history of ${n} steps leaves ${valLen} for the backtest, need ${MIN_VALIDATION}`;
    return { ...base, activeId: before?.id ?? null, activeKind: before?.kind ?? null, kinds: kinds.map((kind) => ({ kind, decision: 'skipped', reason, modelId: null, version: null, scores: null, seconds: 0 })) };
  }

  // Score every kind on the same window first, so candidates (and the incumbent's kind) compare like for like.
  const scored: { kind: string; scores: ModelScores | null; error: string | null; seconds: number; model: Forecaster | null }[] = [];
  for (const kind of kinds) {
    o.onProgress?.(`${key}: ${kind} backtest on the last ${valLen} steps`);
    const started = performance.now();
    try {
      const scores = score(y, t0, MODEL_FACTORIES[kind]);
      // The registered model is refitted on the whole history: the backtest estimated its skill.
      const model = MODEL_FACTORIES[kind]();
      model.fit(y);
      scored.push({ kind, scores, error: null, seconds: (performance.now() - started) / 1000, model });
    } catch (e) {
      // A kind that cannot fit this series (too short for a network, degenerate data) is skipped
      // with its reason; the other kinds still compete.
      if (!(e instanceof Error)) throw e;
      const why = e instanceof InsufficientHistoryError ? e.message : `${e.name}: ${e.message}`;
      scored.push({ kind, scores: null, error: why, seconds: (performance.now() - started) / 1000, model: null });
    }
  }
  const incumbentRescore = before ? scored.find((s) => s.kind === before.kind)?.scores ?? undefined : undefined;

  // Best first, so the first promotion is the best kind and later ones compare against it.
  const order = scored
    .map((s, i) => ({ s, i }))
    .sort((a, b) => rank(a.s.scores) - rank(b.s.scores) || a.i - b.i);
  const outcomes = new Map<string, KindOutcome>();
  let activeId = before?.id ?? null;
  let activeKind = before?.kind ?? null;
  for (const { s } of order) {
    if (!s.scores || !s.model) {
      outcomes.set(s.kind, { kind: s.kind, decision: 'skipped', reason: s.error ?? 'not scored', modelId: null, version: null, scores: null, seconds: s.seconds });
      continue;
    }
    const rec = await registry.register({ seriesKey: key, kind: s.kind, trainStart, trainEnd, scores: s.scores, params: describe(s.model), state: s.model.state?.() ?? null });
    s.model.dispose?.();
    // The fresh re-measurement stands in for the incumbent only while it is still the active one.
    const opts = before && activeId === before.id && incumbentRescore ? { incumbentScores: incumbentRescore } : {};
    const p = await registry.promoteIfBetter(rec.id, opts);
    if (p.promoted) {
      activeId = rec.id;
      activeKind = rec.kind;
    }
    outcomes.set(s.kind, { kind: s.kind, decision: p.promoted ? 'promoted' : 'refused', reason: p.reason, modelId: rec.id, version: rec.version, scores: s.scores, seconds: s.seconds });
    o.onProgress?.(`${key}: ${s.kind} v${rec.version} ${p.promoted ? 'promoted' : 'refused'}: ${p.reason}`);
  }
  return { ...base, activeId, activeKind, kinds: kinds.map((k) => outcomes.get(k) as KindOutcome) };
}

/** Sort key: the 24 h score, else the 1 h score, unscored last. */
function rank(s: ModelScores | null): number {
  return s?.mase_24h ?? s?.mase_1h ?? Infinity;
}
