/**
 * Nelder-Mead simplex minimiser, written by hand: the npm options are unmaintained or pull in a
 * whole numeric stack for one 60-line routine. Standard coefficients (reflect 1, expand 2,
 * contract 0.5, shrink 0.5); stops on simplex f-spread or iteration count.
 */
export interface NelderMeadOptions {
  maxIter?: number;
  /** Initial step per coordinate. */
  step?: number;
  /** Stop when max |f_i − f_best| < tol·(|f_best| + 1e-12). */
  tol?: number;
}

export function nelderMead(f: (x: number[]) => number, x0: number[], opts: NelderMeadOptions = {}): { x: number[]; fx: number; iterations: number } {
  const n = x0.length;
  const maxIter = opts.maxIter ?? 200 * n;
  const step = opts.step ?? 0.5;
  const tol = opts.tol ?? 1e-8;
  const safe = (x: number[]) => {
    const v = f(x);
    return Number.isFinite(v) ? v : Infinity;
  };
  let pts: { x: number[]; fx: number }[] = [{ x: x0.slice(), fx: safe(x0) }];
  for (let i = 0; i < n; i++) {
    const x = x0.slice();
    x[i] += step;
    pts.push({ x, fx: safe(x) });
  }
  let it = 0;
  for (; it < maxIter; it++) {
    pts.sort((a, b) => a.fx - b.fx);
    const best = pts[0];
    const worst = pts[n];
    if (Math.abs(worst.fx - best.fx) < tol * (Math.abs(best.fx) + 1e-12)) break;
    const c = new Array<number>(n).fill(0);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) c[j] += pts[i].x[j] / n;
    const along = (t: number) => c.map((cj, j) => cj + t * (worst.x[j] - cj));
    const xr = along(-1);
    const fr = safe(xr);
    if (fr < best.fx) {
      const xe = along(-2);
      const fe = safe(xe);
      pts[n] = fe < fr ? { x: xe, fx: fe } : { x: xr, fx: fr };
    } else if (fr < pts[n - 1].fx) {
      pts[n] = { x: xr, fx: fr };
    } else {
      const xc = fr < worst.fx ? along(-0.5) : along(0.5);
      const fc = safe(xc);
      if (fc < Math.min(fr, worst.fx)) {
        pts[n] = { x: xc, fx: fc };
      } else {
        pts = pts.map((p, i) => {
          if (i === 0) return p;
          const x = p.x.map((v, j) => best.x[j] + 0.5 * (v - best.x[j]));
          return { x, fx: safe(x) };
        });
      }
    }
  }
  pts.sort((a, b) => a.fx - b.fx);
  return { x: pts[0].x, fx: pts[0].fx, iterations: it };
}
