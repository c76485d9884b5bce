/**
 * The Numenta Anomaly Benchmark scorer, re-implemented from NAB's definition (nab/sweeper.py):
 * labelled windows, probationary period, scaled sigmoid, the three application profiles,
 * one threshold per profile for the whole corpus, normalisation between the null and the
 * perfect detector. It reproduces NAB's official numbers (see test/nab-score.test.ts).
 */
import type { WindowLimits } from './nab-data.js';

export type ProfileName = 'standard' | 'reward_low_FP_rate' | 'reward_low_FN_rate';

export interface CostMatrix {
  tp: number;
  fp: number;
  fn: number;
}

export const PROFILES: Record<ProfileName, CostMatrix> = {
  standard: { tp: 1.0, fp: 0.11, fn: 1.0 },
  reward_low_FP_rate: { tp: 1.0, fp: 0.22, fn: 1.0 },
  reward_low_FN_rate: { tp: 1.0, fp: 0.11, fn: 2.0 },
};

export const PROFILE_NAMES = Object.keys(PROFILES) as ProfileName[];

/** NAB's scaledSigmoid: 2*sigmoid(-5y) - 1, and -1 beyond three window widths. */
export function scaledSigmoid(y: number): number {
  if (y > 3.0) return -1.0;
  return 2 * (1 / (1 + Math.exp(5 * y))) - 1.0;
}

const MAX_TP = scaledSigmoid(-1.0);

/** NAB: min(floor(0.15 * N), 0.15 * 5000) rows are neither rewarded nor penalised. */
export function probationaryLength(rows: number, percent = 0.15): number {
  return Math.min(Math.floor(percent * rows), percent * 5000);
}

/** One row after NAB's sweep pass: where it sits relative to the windows, before profile weights. */
export interface PreparedFile {
  key: string;
  /** Anomaly scores of the scorable rows (index >= probationary length), in file order. */
  scores: number[];
  /** Window number (0..) of each scorable row, or -1 outside every window. */
  window: Int32Array;
  /** Unweighted sigmoid value of a detection at this row (in a window: relative to MAX_TP below). */
  sigma: Float64Array;
  /** Number of windows that have at least one scorable row (NAB only scores those). */
  windowCount: number;
  /** Window row ranges [l, r] as NAB resolved them (for reporting). */
  windowRows: Array<[number, number]>;
}

/**
 * Resolve windows to row indices the way NAB does: a window opens on the row whose timestamp equals
 * its start (windows must be met in order), and closes at the *first* row anywhere in the file
 * whose timestamp equals its end (Python's list.index) — which matters for repeated timestamps.
 */
export function prepareFile(key: string, timestamps: string[], scores: number[], windows: WindowLimits[]): PreparedFile {
  if (timestamps.length !== scores.length) throw new Error(`${key}: ${timestamps.length} timestamps but ${scores.length} scores`);
  const n = timestamps.length;
  const prob = probationaryLength(n);
  const firstIndex = new Map<string, number>();
  timestamps.forEach((t, i) => {
    if (!firstIndex.has(t)) firstIndex.set(t, i);
  });
  const pending = windows.slice();
  let winNo = -1;
  let curRight: number | null = null;
  let curWidth = 0;
  let prevRight: number | null = null;
  let prevWidth = 0;
  const outScores: number[] = [];
  const win: number[] = [];
  const sig: number[] = [];
  const windowRows: Array<[number, number]> = [];
  const scorableWindows = new Set<number>();
  for (let i = 0; i < n; i++) {
    if (pending.length > 0 && timestamps[i] === pending[0][0]) {
      const [start, end] = pending.shift() as WindowLimits;
      const r = firstIndex.get(end);
      const l = firstIndex.get(start);
      if (r === undefined || l === undefined) throw new Error(`${key}: window end ${end} is not a row timestamp`);
      winNo++;
      curRight = r;
      curWidth = r - l + 1;
      windowRows.push([l, r]);
    }
    let s: number;
    if (curRight !== null) {
      s = scaledSigmoid(-(curRight - i + 1) / curWidth);
    } else if (prevRight === null) {
      s = -1.0;
    } else {
      s = scaledSigmoid(Math.abs(prevRight - i) / (prevWidth - 1));
    }
    if (i >= prob) {
      outScores.push(scores[i]);
      win.push(curRight !== null ? winNo : -1);
      sig.push(s);
      if (curRight !== null) scorableWindows.add(winNo);
    }
    if (curRight !== null && i === curRight) {
      prevRight = curRight;
      prevWidth = curWidth;
      curRight = null;
    }
  }
  return {
    key,
    scores: outScores,
    window: Int32Array.from(win),
    sigma: Float64Array.from(sig),
    windowCount: scorableWindows.size,
    windowRows,
  };
}

function weighted(p: PreparedFile, i: number, cost: CostMatrix): number {
  return p.window[i] >= 0 ? (p.sigma[i] * cost.tp) / MAX_TP : p.sigma[i] * cost.fp;
}

export interface FileScore {
  key: string;
  threshold: number;
  score: number;
  tp: number;
  tn: number;
  fp: number;
  fn: number;
  total: number;
  /** Windows with at least one detection, and their count (for window-level precision/recall). */
  windowsDetected: number;
  windows: number;
}

/** Score one file at a fixed threshold: a row is a detection when its score >= threshold. */
export function scoreFile(p: PreparedFile, threshold: number, cost: CostMatrix): FileScore {
  const best = new Map<number, number>();
  let fpSum = 0;
  let tp = 0, tn = 0, fp = 0, fn = 0;
  for (let i = 0; i < p.scores.length; i++) {
    const w = p.window[i];
    const hit = p.scores[i] >= threshold;
    if (w >= 0) {
      if (!best.has(w)) best.set(w, -cost.fn);
      if (hit) {
        tp++;
        best.set(w, Math.max(best.get(w) as number, weighted(p, i, cost)));
      } else fn++;
    } else if (hit) {
      fp++;
      fpSum += weighted(p, i, cost);
    } else tn++;
  }
  let score = fpSum;
  let windowsDetected = 0;
  for (const v of best.values()) {
    score += v;
    if (v !== -cost.fn) windowsDetected++;
  }
  return { key: p.key, threshold, score, tp, tn, fp, fn, total: tp + tn + fp + fn, windowsDetected, windows: best.size };
}

export interface SweepResult {
  threshold: number;
  score: number;
}

/**
 * NAB's threshold optimiser, done exactly: candidates are "detect nothing" (NAB's 1.1) and every
 * distinct score among the scorable rows of all files; returns the one with the highest raw corpus
 * score (ties go to the higher threshold, as NAB's stable sort does).
 */
export function optimiseThreshold(files: PreparedFile[], cost: CostMatrix): SweepResult {
  type Pt = { s: number; f: number; i: number };
  const pts: Pt[] = [];
  let windowBase = 0;
  const offset: number[] = [];
  for (let f = 0; f < files.length; f++) {
    offset.push(windowBase);
    windowBase += files[f].windowRows.length;
    for (let i = 0; i < files[f].scores.length; i++) pts.push({ s: files[f].scores[i], f, i });
  }
  pts.sort((a, b) => b.s - a.s);
  const bestInWindow = new Float64Array(windowBase).fill(-cost.fn);
  let total = 0;
  for (const p of files) total -= cost.fn * p.windowCount;
  let curThreshold = 1.1;
  let best: SweepResult = { threshold: 1.1, score: -Infinity };
  const consider = () => {
    if (total > best.score) best = { threshold: curThreshold, score: total };
  };
  for (const pt of pts) {
    if (pt.s !== curThreshold) {
      consider();
      curThreshold = pt.s;
    }
    const file = files[pt.f];
    const w = file.window[pt.i];
    const v = weighted(file, pt.i, cost);
    if (w < 0) total += v;
    else {
      const g = offset[pt.f] + w;
      if (v > bestInWindow[g]) {
        total += v - bestInWindow[g];
        bestInWindow[g] = v;
      }
    }
  }
  consider();
  return best;
}

/** 100 * (raw - null) / (perfect - null); null = -A_FN * windows, perfect = A_TP * windows. */
export function normaliseScore(raw: number, windows: number, cost: CostMatrix): number {
  const nul = -cost.fn * windows;
  const perfect = cost.tp * windows;
  return (100 * (raw - nul)) / (perfect - nul);
}

export interface CorpusScore {
  profile: ProfileName;
  threshold: number;
  raw: number;
  normalised: number;
  files: FileScore[];
  windows: number;
}

/** Score a whole corpus under one profile; `threshold` omitted = NAB's optimiser picks it. */
export function scoreCorpus(files: PreparedFile[], profile: ProfileName, threshold?: number): CorpusScore {
  const cost = PROFILES[profile];
  const th = threshold ?? optimiseThreshold(files, cost).threshold;
  const per = files.map((p) => scoreFile(p, th, cost));
  const raw = per.reduce((a, r) => a + r.score, 0);
  // Normalise by all labelled windows, as NAB does (the README's 58 for the dev set).
  const windows = files.reduce((a, p) => a + p.windowRows.length, 0);
  return { profile, threshold: th, raw, normalised: normaliseScore(raw, windows, cost), files: per, windows };
}
