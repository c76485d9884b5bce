/**
 * Offered load per service: named generators (`steady`, `diurnal`, `spiky`) and replayed CSV traces.
 * Generators are pure functions of (seed, stream, time) built on hashed value noise, so the load at an
 * instant does not depend on the step size or on how often it was asked for: runs are reproducible.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import { UserError } from '../../core/errors.js';

export const GeneratorParamsSchema = z.object({
  /** Mean offered load, req/s. When omitted the cluster picks one from the service's capacity. */
  base: z.number().nonnegative().optional(),
  /** Relative amplitude of the daily cycle (0.5 → ±50 %). */
  dailyAmplitude: z.number().min(0).max(1).default(0.5),
  /** Hour of day (UTC) of the daily peak. */
  peakHour: z.number().min(0).max(24).default(14),
  /** Weekend load relative to weekdays. */
  weekendFactor: z.number().positive().default(0.7),
  /** Linear growth per day, relative (0.01 → +1 %/day). */
  trendPerDay: z.number().default(0),
  /** Relative noise amplitude (minute-scale). */
  noise: z.number().min(0).max(1).default(0.05),
  /** Bursts (flash crowds): expected number per day, multiplier at peak, duration. */
  burstsPerDay: z.number().min(0).default(1),
  burstMultiplier: z.number().min(1).default(2),
  burstMinutes: z.number().positive().max(60).default(10),
  /** `spiky` only: expected spikes per hour. */
  spikesPerHour: z.number().positive().default(1),
});
export type GeneratorParams = z.infer<typeof GeneratorParamsSchema>;

export const GENERATORS = ['steady', 'diurnal', 'spiky'] as const;
export type GeneratorName = (typeof GENERATORS)[number];

export const TracePointSchema = z.object({ t: z.number(), value: z.number().nonnegative() });
export type TracePoint = z.infer<typeof TracePointSchema>;

export const LoadSpecSchema = z.union([
  z.object({ generator: z.enum(GENERATORS), params: GeneratorParamsSchema.prefault({}) }),
  z.object({
    trace: z.array(TracePointSchema).min(1),
    /** Multiplies trace values to get req/s. */
    scale: z.number().positive().default(1),
    /** Loop the trace after its end instead of holding the last value. */
    repeat: z.boolean().default(false),
  }),
]);
export type LoadSpec = z.infer<typeof LoadSpecSchema>;
export type LoadSpecInput = z.input<typeof LoadSpecSchema>;

/** Offered load (req/s) at epoch second t. */
export type LoadFn = (t: number) => number;

/** 32-bit integer hash of (seed, stream, k) to [0, 1): stateless, so any instant can be evaluated alone. */
export function hash01(seed: number, stream: number, k: number): number {
  let h = (seed ^ Math.imul(stream + 0x9e3779b9, 0x85ebca6b) ^ Math.imul(k | 0, 0xc2b2ae35)) >>> 0;
  h ^= (k / 4294967296) | 0; // fold the high bits of large k
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}

/** Smooth noise in [−1, 1]: triangular values at one-minute knots, linearly interpolated. */
function valueNoise(seed: number, stream: number, t: number): number {
  const x = t / 60;
  const k = Math.floor(x);
  const f = x - k;
  const a = hash01(seed, stream, k) + hash01(seed, stream + 7919, k) - 1;
  const b = hash01(seed, stream, k + 1) + hash01(seed, stream + 7919, k + 1) - 1;
  return a + f * (b - a);
}

/**
 * Bursts: time is cut into buckets; each bucket holds a burst with probability p, starting at a hashed offset.
 * The burst ramps up over a minute, holds, and ramps down, so the load stays continuous.
 */
function burstFactor(seed: number, stream: number, t: number, bucketS: number, p: number, durationS: number, mult: number): number {
  if (p <= 0 || mult <= 1) return 1;
  const b = Math.floor(t / bucketS);
  let best = 0;
  for (let k = b - Math.ceil(durationS / bucketS); k <= b; k++) {
    if (hash01(seed, stream + 104729, k) >= p) continue;
    const start = k * bucketS + hash01(seed, stream + 15485863, k) * bucketS;
    const dt = t - start;
    if (dt < 0 || dt > durationS) continue;
    const ramp = Math.min(60, durationS / 2);
    const shape = Math.min(1, dt / ramp, (durationS - dt) / ramp);
    if (shape > best) best = shape;
  }
  return 1 + (mult - 1) * best;
}

const DAY = 86400;

/** Builds a generator. `stream` separates services that share a seed; `base` is used when params.base is unset. */
export function generatorLoad(name: GeneratorName, params: GeneratorParams, seed: number, stream: number, startTime: number, base: number): LoadFn {
  const b = params.base ?? base;
  const noise = params.noise;
  switch (name) {
    case 'steady':
      return (t) => Math.max(0, b * (1 + noise * valueNoise(seed, stream, t)));
    case 'spiky': {
      const bucket = 3600 / params.spikesPerHour;
      const dur = Math.min(params.burstMinutes * 60, bucket);
      const mult = Math.max(params.burstMultiplier, 3);
      return (t) => Math.max(0, b * (1 + noise * valueNoise(seed, stream, t)) * burstFactor(seed, stream, t, bucket, 0.7, dur, mult));
    }
    case 'diurnal': {
      const p = Math.min(1, params.burstsPerDay / 24);
      const dur = params.burstMinutes * 60;
      return (t) => {
        const hour = (((t % DAY) + DAY) % DAY) / 3600;
        const daily = 1 + params.dailyAmplitude * Math.cos((2 * Math.PI * (hour - params.peakHour)) / 24);
        // Epoch day 0 was a Thursday: day-of-week 0 = Sunday.
        const dow = (((Math.floor(t / DAY) + 4) % 7) + 7) % 7;
        const weekly = dow === 0 || dow === 6 ? params.weekendFactor : 1;
        const trend = Math.max(0, 1 + (params.trendPerDay * (t - startTime)) / DAY);
        const n = 1 + noise * valueNoise(seed, stream, t);
        return Math.max(0, b * daily * weekly * trend * n * burstFactor(seed, stream, t, 3600, p, dur, params.burstMultiplier));
      };
    }
  }
}

/**
 * Replays trace points by linear interpolation, shifted so the first point lands on `startTime`,
 * multiplied by `scale` to get req/s.
 */
export function traceLoad(points: readonly TracePoint[], scale: number, repeat: boolean, startTime: number): LoadFn {
  const n = points.length;
  const ts = new Float64Array(n);
  const vs = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    ts[i] = points[i].t - points[0].t;
    vs[i] = points[i].value * scale;
  }
  const span = ts[n - 1];
  let hint = 0; // time mostly moves forward: start the search where the last one ended
  return (t) => {
    let x = t - startTime;
    if (x <= 0 || n === 1) return vs[0];
    if (x >= span) {
      if (!repeat || span <= 0) return vs[n - 1];
      x %= span;
    }
    if (ts[hint] > x) hint = 0;
    while (hint < n - 2 && ts[hint + 1] <= x) hint++;
    const f = (x - ts[hint]) / (ts[hint + 1] - ts[hint]);
    return vs[hint] + f * (vs[hint + 1] - vs[hint]);
  };
}

/** Parses a timestamp cell: epoch seconds, or an ISO-8601 date. NaN when neither. */
function parseTimestamp(s: string): number {
  if (/^-?\d+(\.\d+)?$/.test(s)) return Number(s);
  if (!/^\d{4}-\d{2}-\d{2}/.test(s)) return NaN;
  const ms = Date.parse(s);
  return Number.isFinite(ms) ? ms / 1000 : NaN;
}

/**
 * Reads a `timestamp,value` CSV (header optional; timestamps epoch seconds or ISO). Malformed rows,
 * non-numeric or negative values, non-increasing timestamps and empty files raise UserError naming file:line.
 */
export function parseLoadTrace(text: string, file: string): TracePoint[] {
  let rows: { record: string[]; info: { lines: number } }[];
  try {
    rows = parse(text, { info: true, skip_empty_lines: true, trim: true, relax_column_count: true, comment: '#' }) as unknown as {
      record: string[];
      info: { lines: number };
    }[];
  } catch (e) {
    const err = e as Error & { lines?: number };
    throw new UserError(`malformed CSV: ${err.message}`, err.lines !== undefined ? `${file}:${err.lines}` : file);
  }
  const out: TracePoint[] = [];
  for (let i = 0; i < rows.length; i++) {
    const { record, info } = rows[i];
    const where = `${file}:${info.lines}`;
    if (record.length < 2 || record[0] === '' || record[1] === '') {
      throw new UserError(`expected 'timestamp,value', got '${record.join(',')}'`, where);
    }
    const t = parseTimestamp(record[0]);
    const value = Number(record[1]);
    if (i === 0 && Number.isNaN(t) && Number.isNaN(value)) continue; // header line
    if (!Number.isFinite(t)) throw new UserError(`timestamp '${record[0]}' is neither epoch seconds nor an ISO date`, where);
    if (!Number.isFinite(value)) throw new UserError(`value '${record[1]}' is not a number`, where);
    if (value < 0) throw new UserError(`value ${value} is negative (load cannot be)`, where);
    const prev = out[out.length - 1];
    if (prev && t <= prev.t) throw new UserError(`timestamp ${record[0]} does not increase (previous row is at or after it)`, where);
    out.push({ t, value });
  }
  if (out.length === 0) throw new UserError('trace has no data rows', file);
  return out;
}

export function readLoadTrace(file: string): TracePoint[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UserError(`cannot read load trace: ${(e as Error).message}`, file);
  }
  return parseLoadTrace(text, file);
}

/** Builds the load function for a spec. */
export function makeLoad(spec: LoadSpec, seed: number, stream: number, startTime: number, base: number): LoadFn {
  if ('trace' in spec) return traceLoad(spec.trace, spec.scale, spec.repeat, startTime);
  return generatorLoad(spec.generator, spec.params, seed, stream, startTime, base);
}
