/**
 * Trace source: turns the workload traces under ../shared/data/traces (Bitbrains, datacenter
 * aggregates, NASA-HTTP) and generic `timestamp,value[,…]` CSV files into regular 5-minute series,
 * following forecast-protocol.md §1 exactly (the forecasting bench reproduces reference numbers).
 * Malformed input raises UserError naming the file and line.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { UserError } from '../core/errors.js';

/** Grid step of every series built here (protocol: 5-minute slots). */
export const STEP_SECONDS = 300;

export interface TraceSeries {
  /** Stable id, e.g. `bitbrains-rnd/2013-8/42`. */
  id: string;
  /** One value per grid slot, index 0 = first slot. */
  values: Float64Array;
  stepSeconds: number;
  /** Number of slots whose value was interpolated (informational). */
  interpolated: number;
  /** Unix seconds (or trace seconds) of slot 0 when the source has timestamps, else null. */
  start: number | null;
}

interface Table {
  file: string;
  header: string[];
  /** Data rows with their 1-based physical line numbers. */
  rows: { line: number; cells: string[] }[];
}

/** Reads a delimited text file with a header line; csv-parse does the quoting and line counting. */
export function readTable(file: string, delimiter = ','): Table {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UserError(`cannot read file: ${(e as Error).message}`, file);
  }
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, { delimiter, trim: true, skip_empty_lines: true, info: true, relax_column_count: true }) as unknown as {
      record: string[];
      info: { lines: number };
    }[];
  } catch (e) {
    const err = e as Error & { lines?: number };
    throw new UserError(`malformed CSV: ${err.message}`, err.lines !== undefined ? `${file}:${err.lines}` : file);
  }
  if (records.length === 0) throw new UserError('empty file (no header line)', file);
  const header = records[0].record.map((h) => h.trim());
  const rows = records.slice(1).map((r) => {
    if (r.record.length !== header.length) {
      throw new UserError(`expected ${header.length} fields, found ${r.record.length}`, `${file}:${r.info.lines}`);
    }
    return { line: r.info.lines, cells: r.record };
  });
  return { file, header, rows };
}

function columnIndex(t: Table, name: string): number {
  const i = t.header.indexOf(name);
  if (i < 0) throw new UserError(`missing column '${name}' (have: ${t.header.join(', ')})`, `${t.file}:1`);
  return i;
}

function num(t: Table, row: { line: number; cells: string[] }, col: number): number {
  const s = row.cells[col];
  const v = s === '' ? NaN : Number(s);
  if (!Number.isFinite(v)) throw new UserError(`column '${t.header[col]}': '${s}' is not a finite number`, `${t.file}:${row.line}`);
  return v;
}

/** Reads one numeric column of a table. */
export function readColumn(t: Table, name: string): Float64Array {
  const c = columnIndex(t, name);
  return Float64Array.from(t.rows, (r) => num(t, r, c));
}

/**
 * Protocol "common gap rule": rows on the same integer slot are averaged, the series spans the
 * smallest to the largest slot, and empty slots are linearly interpolated along the slot index.
 */
export function slotsToSeries(slots: ArrayLike<number>, values: ArrayLike<number>): { values: Float64Array; interpolated: number; firstSlot: number } {
  if (slots.length === 0) return { values: new Float64Array(0), interpolated: 0, firstSlot: 0 };
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < slots.length; i++) {
    lo = Math.min(lo, slots[i]);
    hi = Math.max(hi, slots[i]);
  }
  const n = hi - lo + 1;
  const sum = new Float64Array(n);
  const cnt = new Uint32Array(n);
  for (let i = 0; i < slots.length; i++) {
    sum[slots[i] - lo] += values[i];
    cnt[slots[i] - lo]++;
  }
  const y = new Float64Array(n);
  let interpolated = 0;
  let prev = -1;
  for (let i = 0; i < n; i++) {
    if (cnt[i] === 0) continue;
    y[i] = sum[i] / cnt[i];
    if (prev >= 0 && i - prev > 1) {
      for (let k = prev + 1; k < i; k++) {
        y[k] = y[prev] + ((y[i] - y[prev]) * (k - prev)) / (i - prev);
        interpolated++;
      }
    }
    prev = i;
  }
  return { values: y, interpolated, firstSlot: lo };
}

/** Bitbrains VM file: time-interpolated onto a grid anchored at the first timestamp (numpy.interp semantics). */
export function loadBitbrainsVm(file: string, id: string): TraceSeries {
  const t = readTable(file, ';\t');
  const ts = readColumn(t, 'Timestamp [ms]'); // despite the name: Unix seconds
  const v = readColumn(t, 'CPU usage [MHZ]');
  if (ts.length < 2) throw new UserError('need at least two rows', file);
  for (let i = 1; i < ts.length; i++) {
    if (!(ts[i] > ts[i - 1])) throw new UserError(`timestamps not strictly increasing`, `${file}:${t.rows[i].line}`);
  }
  const first = ts[0];
  const n = Math.floor((ts[ts.length - 1] - first) / STEP_SECONDS) + 1;
  const y = new Float64Array(n);
  let interpolated = 0;
  let j = 0;
  for (let k = 0; k < n; k++) {
    const g = first + STEP_SECONDS * k;
    while (j + 1 < ts.length && ts[j + 1] <= g) j++;
    if (ts[j] === g || j + 1 >= ts.length) {
      y[k] = v[j];
    } else {
      y[k] = v[j] + ((v[j + 1] - v[j]) * (g - ts[j])) / (ts[j + 1] - ts[j]);
    }
    const near = j + 1 < ts.length ? Math.min(g - ts[j], ts[j + 1] - g) : g - ts[j];
    if (near > 150) interpolated++;
  }
  return { id, values: y, stepSeconds: STEP_SECONDS, interpolated, start: first };
}

/** Day files without timestamps: row i of day d goes to slot (d−1)·288 + i, then the common gap rule. */
function loadDayFiles(files: string[], column: string, id: string): TraceSeries {
  const slots: number[] = [];
  const vals: number[] = [];
  files.forEach((f, d) => {
    const t = readTable(f);
    const col = readColumn(t, column);
    col.forEach((x, i) => {
      slots.push(d * 288 + i);
      vals.push(x);
    });
  });
  const s = slotsToSeries(slots, vals);
  return { id, values: s.values, stepSeconds: STEP_SECONDS, interpolated: s.interpolated, start: null };
}

export function loadAlibaba2018(dir: string): TraceSeries {
  const files = [1, 2, 3, 4].map((d) => join(dir, `machine_usage_day_${d}_grouped_300_seconds.csv`));
  return loadDayFiles(files, 'cpu_util_percent', 'datacenter-aggregates/alibaba2018');
}

export function loadGoogle2019(dir: string): TraceSeries {
  const files = Array.from({ length: 14 }, (_, i) => join(dir, `instance_usage_grouped_300_seconds_day_${String(i + 1).padStart(2, '0')}.csv`));
  return loadDayFiles(files, 'avg_cpu', 'datacenter-aggregates/google2019');
}

export function loadAzure2019(dir: string): TraceSeries {
  const slots: number[] = [];
  const vals: number[] = [];
  for (const w of [1, 2]) {
    const t = readTable(join(dir, `vm_cpu_readings_week${w}_aggregated_cpu_mem.csv`));
    const ts = readColumn(t, 'timestamp');
    const v = readColumn(t, 'cpu_usage');
    ts.forEach((x, i) => {
      slots.push(Math.floor(x / STEP_SECONDS));
      vals.push(v[i]);
    });
  }
  const s = slotsToSeries(slots, vals);
  return { id: 'datacenter-aggregates/azure2019', values: s.values, stepSeconds: STEP_SECONDS, interpolated: s.interpolated, start: s.firstSlot * STEP_SECONDS };
}

/** NASA per-minute counts summed into consecutive 5-minute buckets; the trailing partial bucket is dropped. */
export function loadNasaHttp(file: string, id = 'nasa-http/1995-07'): TraceSeries {
  const t = readTable(file);
  const r = readColumn(t, 'requests');
  const n = Math.floor(r.length / 5);
  const y = new Float64Array(n);
  for (let b = 0; b < n; b++) y[b] = r[5 * b] + r[5 * b + 1] + r[5 * b + 2] + r[5 * b + 3] + r[5 * b + 4];
  const first = t.rows.length > 0 ? Date.parse(t.rows[0].cells[columnIndex(t, 'timestamp')]) / 1000 : NaN;
  return { id, values: y, stepSeconds: STEP_SECONDS, interpolated: 0, start: Number.isFinite(first) ? first : null };
}

/** Bitbrains VMs of the DEV set in the protocol's order. */
export const BITBRAINS_DEV_VMS = [42, 79, 94, 96, 186, 384, 411, 415, 417, 421];

/**
 * The protocol's 14 series from a traces folder (DEV layout). Bitbrains VMs present in
 * `bitbrains-rnd/2013-8/` are all used, in numeric order, so a HOLDOUT folder with other VMs works too.
 */
export function loadTraceFolder(dir: string, listVms?: (vmDir: string) => number[]): TraceSeries[] {
  const out: TraceSeries[] = [];
  const vmDir = join(dir, 'bitbrains-rnd', '2013-8');
  if (existsSync(vmDir)) {
    const vms = listVms ? listVms(vmDir) : BITBRAINS_DEV_VMS.filter((v) => existsSync(join(vmDir, `${v}.csv`)));
    for (const vm of vms) out.push(loadBitbrainsVm(join(vmDir, `${vm}.csv`), `bitbrains-rnd/2013-8/${vm}`));
  }
  const agg = join(dir, 'datacenter-aggregates');
  if (existsSync(join(agg, 'alibaba2018'))) out.push(loadAlibaba2018(join(agg, 'alibaba2018')));
  if (existsSync(join(agg, 'google2019'))) out.push(loadGoogle2019(join(agg, 'google2019')));
  if (existsSync(join(agg, 'azure2019'))) out.push(loadAzure2019(join(agg, 'azure2019')));
  const nasa = join(dir, 'nasa-http', 'nasa_http_1995-07_requests_per_minute.csv');
  if (existsSync(nasa)) out.push(loadNasaHttp(nasa));
  if (out.length === 0) throw new UserError('no known trace layout found (bitbrains-rnd/, datacenter-aggregates/, nasa-http/)', dir);
  return out;
}

/** Parses a timestamp cell: numeric (Unix seconds) or ISO 8601. */
function parseTimestamp(s: string): number {
  if (/^-?\d+(\.\d+)?$/.test(s)) return Number(s);
  const ms = Date.parse(s);
  return Number.isFinite(ms) ? ms / 1000 : NaN;
}

/**
 * Generic CSV `timestamp,value[,…]` (header required; timestamp in Unix seconds or ISO 8601;
 * the value column is `opts.column` or the second column). Rows go to slot floor(ts/step), then
 * the common gap rule, so irregular or missing samples become a regular series.
 */
export function loadCsvSeries(file: string, opts: { column?: string; stepSeconds?: number; id?: string } = {}): TraceSeries {
  const step = opts.stepSeconds ?? STEP_SECONDS;
  const t = readTable(file);
  if (t.header.length < 2) throw new UserError('expected at least two columns: timestamp,value', `${file}:1`);
  const vc = opts.column !== undefined ? columnIndex(t, opts.column) : 1;
  const slots: number[] = [];
  const vals: number[] = [];
  for (const row of t.rows) {
    const ts = parseTimestamp(row.cells[0]);
    if (!Number.isFinite(ts)) throw new UserError(`'${row.cells[0]}' is not a timestamp (Unix seconds or ISO 8601)`, `${file}:${row.line}`);
    slots.push(Math.floor(ts / step));
    vals.push(num(t, row, vc));
  }
  if (slots.length === 0) throw new UserError('no data rows', file);
  const s = slotsToSeries(slots, vals);
  return { id: opts.id ?? file, values: s.values, stepSeconds: step, interpolated: s.interpolated, start: s.firstSlot * step };
}
