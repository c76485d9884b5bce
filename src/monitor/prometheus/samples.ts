/**
 * Reading Prometheus sample values. The API sends values as strings so that NaN, +Inf and -Inf survive JSON;
 * the source treats anything not finite as "no sample", the same as a series Prometheus left out because it
 * went stale (a stale series simply has no sample in an instant query's result).
 */
import type { Matrix, Vector } from './http-client.js';

/** "1.5" → 1.5, "NaN" → NaN, "+Inf" → Infinity (Number("+Inf") would be NaN). */
export function parseSampleValue(s: string): number {
  if (s === '+Inf' || s === 'Inf') return Infinity;
  if (s === '-Inf') return -Infinity;
  return Number(s);
}

/** Label value → finite sample value, keyed by one label; samples without the label or with NaN/±Inf are dropped. */
export function byLabel(v: Vector, label: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of v) {
    const key = s.metric[label];
    const x = parseSampleValue(s.value[1]);
    if (key === undefined || !Number.isFinite(x)) continue;
    // Several series per key (e.g. one per namespace): add them, as `sum by` would.
    out.set(key, (out.get(key) ?? 0) + x);
  }
  return out;
}

/** Label value → that sample's full label set (first one wins), for info-style metrics whose value is 1. */
export function labelsByLabel(v: Vector, label: string): Map<string, Record<string, string>> {
  const out = new Map<string, Record<string, string>>();
  for (const s of v) {
    const key = s.metric[label];
    if (key !== undefined && !out.has(key)) out.set(key, s.metric);
  }
  return out;
}

export interface Point {
  t: number;
  v: number;
}

/** A range result as series per label value, with NaN/±Inf points dropped: a gap stays a gap, never a zero. */
export function seriesByLabel(m: Matrix, label: string): Map<string, Point[]> {
  const out = new Map<string, Point[]>();
  for (const s of m) {
    const key = s.metric[label] ?? '';
    const pts = out.get(key) ?? [];
    for (const [t, raw] of s.values) {
      const v = parseSampleValue(raw);
      if (Number.isFinite(v)) pts.push({ t, v });
    }
    pts.sort((a, b) => a.t - b.t);
    out.set(key, pts);
  }
  return out;
}
