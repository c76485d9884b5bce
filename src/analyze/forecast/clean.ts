/**
 * Robust cleaning of training data before parameter fitting (hand-written: a few lines of
 * interpolation and a Hampel-style filter, no npm library fits this exact need):
 *  1. non-finite values (gaps) are linearly interpolated;
 *  2. runs of exact zeros (≥ 3 steps) inside an otherwise non-zero series are treated as outages
 *     (missing data, not load) and interpolated — but only when zeros are rare (< 2 %), since
 *     some series legitimately sit at zero;
 *  3. isolated one-step spikes far from a centred rolling median are clipped to median ± 8 robust
 *     sd, which leaves level shifts, bursts and seasonal peaks alone.
 * Evaluation data is never cleaned: only the copy used to fit parameters.
 */
export function cleanSeries(input: ArrayLike<number>): Float64Array {
  const n = input.length;
  const y = Float64Array.from(input as ArrayLike<number>);
  let zeros = 0;
  for (let i = 0; i < n; i++) if (y[i] === 0) zeros++;
  if (zeros > 0 && zeros < 0.02 * n) {
    for (let i = 0; i < n; ) {
      if (y[i] !== 0) {
        i++;
        continue;
      }
      let j = i;
      while (j < n && y[j] === 0) j++;
      if (j - i >= 3) for (let k = i; k < j; k++) y[k] = NaN;
      i = j;
    }
  }
  interpolateGaps(y);
  const w = 6;
  if (n > 4 * w) {
    const med = new Float64Array(n);
    const win: number[] = [];
    for (let i = 0; i < n; i++) {
      win.length = 0;
      for (let k = Math.max(0, i - w); k <= Math.min(n - 1, i + w); k++) win.push(y[k]);
      med[i] = median(win);
    }
    const dev = Array.from(y, (v, i) => Math.abs(v - med[i]));
    const s = 1.4826 * median(dev);
    if (s > 0) {
      // Only isolated points are clipped: seasonal peaks and bursts span several steps, and
      // their neighbours deviate too, so they are kept.
      const lim = 8 * s;
      const out = (i: number) => i >= 0 && i < n && Math.abs(y[i] - med[i]) > lim;
      const spikes: number[] = [];
      for (let i = 0; i < n; i++) if (out(i) && !out(i - 1) && !out(i + 1)) spikes.push(i);
      for (const i of spikes) y[i] = y[i] > med[i] ? med[i] + lim : med[i] - lim;
    }
  }
  return y;
}

/** In-place linear interpolation of non-finite values; leading/trailing gaps copy the nearest value. */
export function interpolateGaps(y: Float64Array): void {
  const n = y.length;
  let prev = -1;
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(y[i])) continue;
    if (prev < 0) for (let k = 0; k < i; k++) y[k] = y[i];
    else for (let k = prev + 1; k < i; k++) y[k] = y[prev] + ((y[i] - y[prev]) * (k - prev)) / (i - prev);
    prev = i;
  }
  if (prev < 0) y.fill(0);
  else for (let k = prev + 1; k < n; k++) y[k] = y[prev];
}

export function median(a: ArrayLike<number>): number {
  const s = Float64Array.from(a as ArrayLike<number>).sort();
  const n = s.length;
  if (n === 0) return NaN;
  return n % 2 ? s[(n - 1) / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
}

/** Empirical quantile (linear interpolation, numpy default) of a sorted array. */
export function quantileSorted(s: ArrayLike<number>, q: number): number {
  const n = s.length;
  if (n === 0) return NaN;
  const p = q * (n - 1);
  const i = Math.floor(p);
  return i + 1 < n ? s[i] + (s[i + 1] - s[i]) * (p - i) : s[n - 1];
}
