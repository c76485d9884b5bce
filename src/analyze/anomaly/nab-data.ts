/**
 * Reading and writing the Numenta Anomaly Benchmark (NAB) folder layout:
 * `data/<category>/<file>.csv` (timestamp,value), `labels/combined_windows.json`, and results
 * `<detector>/<category>/<detector>_<file>.csv` (timestamp,value,anomaly_score,label).
 * Rows are kept in file order with duplicates, because NAB scores row by row.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { UserError } from '../../core/errors.js';

export interface NabSeries {
  /** Path relative to `data/`, e.g. `realKnownCause/nyc_taxi.csv` (NAB's label key). */
  key: string;
  category: string;
  file: string;
  timestamps: string[];
  values: number[];
}

/** A labelled window as timestamps (`YYYY-MM-DD HH:MM:SS`, NAB's `.000000` dropped). */
export type WindowLimits = [string, string];

export interface NabResultRows {
  timestamps: string[];
  values: number[];
  scores: number[];
  labels: number[];
}

/** NAB writes window limits with microseconds; CSV rows have none. Compare on the common prefix. */
export function normTimestamp(ts: string): string {
  const t = ts.trim();
  return t.endsWith('.000000') ? t.slice(0, -7) : t;
}

function splitLines(text: string, where: string): string[][] {
  // Some NAB files use CRLF: strip the CR rather than relying on a parser option.
  const lines = text.split('\n').map((l) => l.replace(/\r$/, '')).filter((l) => l.length > 0);
  if (lines.length === 0) throw new UserError('empty CSV', where);
  return lines.map((l) => l.split(','));
}

function parseNum(s: string, where: string): number {
  const v = Number(s);
  if (s.trim() === '' || !Number.isFinite(v)) throw new UserError(`not a number: '${s}'`, where);
  return v;
}

export function parseSeriesCsv(text: string, where: string): { timestamps: string[]; values: number[] } {
  const rows = splitLines(text, where);
  const head = rows[0].map((h) => h.trim());
  const ti = head.indexOf('timestamp');
  const vi = head.indexOf('value');
  if (ti < 0 || vi < 0) throw new UserError(`header must contain timestamp,value (got ${head.join(',')})`, where);
  const timestamps: string[] = [];
  const values: number[] = [];
  for (let i = 1; i < rows.length; i++) {
    timestamps.push(normTimestamp(rows[i][ti] ?? ''));
    values.push(parseNum(rows[i][vi] ?? '', `${where}:${i + 1}`));
  }
  return { timestamps, values };
}

export function parseResultCsv(text: string, where: string): NabResultRows {
  const rows = splitLines(text, where);
  const head = rows[0].map((h) => h.trim());
  const idx = (name: string) => {
    const i = head.indexOf(name);
    if (i < 0) throw new UserError(`missing column '${name}'`, where);
    return i;
  };
  const [ti, vi, si, li] = [idx('timestamp'), idx('value'), idx('anomaly_score'), head.indexOf('label')];
  const out: NabResultRows = { timestamps: [], values: [], scores: [], labels: [] };
  for (let i = 1; i < rows.length; i++) {
    const r = rows[i];
    const at = `${where}:${i + 1}`;
    out.timestamps.push(normTimestamp(r[ti] ?? ''));
    out.values.push(parseNum(r[vi] ?? '', at));
    out.scores.push(parseNum(r[si] ?? '', at));
    out.labels.push(li >= 0 ? parseNum(r[li] ?? '0', at) : 0);
  }
  return out;
}

const windowsSchema = z.record(z.string(), z.array(z.tuple([z.string(), z.string()])));

/** `labels/combined_windows.json` (or another file of the same shape), keyed by data-relative path. */
export function readWindows(file: string): Map<string, WindowLimits[]> {
  if (!existsSync(file)) throw new UserError('no such file', file);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UserError(`invalid JSON: ${(e as Error).message}`, file);
  }
  const parsed = windowsSchema.safeParse(raw);
  if (!parsed.success) throw new UserError(`not a NAB windows file: ${parsed.error.issues[0]?.message ?? ''}`, file);
  const out = new Map<string, WindowLimits[]>();
  for (const [k, ws] of Object.entries(parsed.data)) {
    out.set(k, ws.map(([a, b]) => [normTimestamp(a), normTimestamp(b)] as WindowLimits));
  }
  return out;
}

/** Every `data/<category>/<file>.csv` under a NAB root, sorted by key for stable output. */
export function listSeries(root: string): string[] {
  const dataDir = join(root, 'data');
  if (!existsSync(dataDir)) throw new UserError(`no data/ folder (expected NAB layout)`, root);
  const keys: string[] = [];
  for (const cat of readdirSync(dataDir).sort()) {
    const cdir = join(dataDir, cat);
    if (!statSync(cdir).isDirectory()) continue;
    for (const f of readdirSync(cdir).sort()) if (f.endsWith('.csv')) keys.push(`${cat}/${f}`);
  }
  return keys;
}

export function readSeries(root: string, key: string): NabSeries {
  const file = join(root, 'data', key);
  const { timestamps, values } = parseSeriesCsv(readFileSync(file, 'utf8'), file);
  const [category, name] = key.split('/');
  return { key, category, file: name, timestamps, values };
}

/** NAB's results path: `<detector>/<category>/<detector>_<file>.csv`. */
export function resultPath(resultsRoot: string, detector: string, key: string): string {
  const [category, name] = key.split('/');
  return join(resultsRoot, detector, category, `${detector}_${name}`);
}

export function readResult(resultsRoot: string, detector: string, key: string): NabResultRows {
  const file = resultPath(resultsRoot, detector, key);
  if (!existsSync(file)) throw new UserError('no such results file', file);
  return parseResultCsv(readFileSync(file, 'utf8'), file);
}

export function writeResult(resultsRoot: string, detector: string, key: string, rows: NabResultRows): string {
  const file = resultPath(resultsRoot, detector, key);
  mkdirSync(dirname(file), { recursive: true });
  const lines = ['timestamp,value,anomaly_score,label'];
  for (let i = 0; i < rows.timestamps.length; i++) {
    lines.push(`${rows.timestamps[i]},${rows.values[i]},${rows.scores[i]},${rows.labels[i]}`);
  }
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}
