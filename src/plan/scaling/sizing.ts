/**
 * Replica sizing arithmetic shared by the planners that size for a load (the predictive policy and the RL
 * policy's forecast fits): utilisation, the M/M/c latency tail, and the slope of a rising rate. Pure functions.
 */

/**
 * Replicas for `load` req/s at `mu` req/s each: the target utilisation, and, when a p99 objective `p99Seconds` is
 * given, enough that the M/M/c p99 meets it (a fixed utilisation is not enough at a few replicas).
 */
export function replicasForLoad(load: number, mu: number, targetUtilization: number, p99Seconds?: number): number {
  const byUtilization = Math.ceil(load / (mu * targetUtilization) - 1e-9);
  if (p99Seconds === undefined || load <= 0) return byUtilization;
  return Math.max(byUtilization, replicasForP99(load, mu, p99Seconds, byUtilization + 64));
}

/**
 * The fewest M/M/c servers (rate `mu` each) whose response-time p99 at arrival rate `lambda` is at most `t`
 * seconds, searched up to `cMax`. P(T > t) = (1−C)e^(−μt) + C(μe^(−θt) − θe^(−μt))/(μ − θ), θ = cμ − λ, with C the
 * Erlang C probability of waiting (Erlang B recursion, stable for any c). An objective below what one request's
 * own service time allows cannot be met by adding servers: then the utilisation sizing stands (returns 0).
 */
export function replicasForP99(lambda: number, mu: number, t: number, cMax: number): number {
  if (Math.exp(-mu * t) > 0.01) return 0;
  let c = Math.max(1, Math.floor(lambda / mu) + 1);
  for (; c <= cMax; c++) {
    const a = lambda / mu;
    let b = 1;
    for (let k = 1; k <= c; k++) b = (a * b) / (k + a * b);
    const rho = a / c;
    const C = b / (1 - rho * (1 - b));
    const theta = c * mu - lambda;
    const emu = Math.exp(-mu * t);
    const wait = Math.abs(mu - theta) <= 1e-9 * mu ? (1 + mu * t) * emu : (mu * Math.exp(-theta * t) - theta * emu) / (mu - theta);
    if ((1 - C) * emu + C * wait <= 0.01) return c;
  }
  return cMax;
}

/** Least-squares slope (per second) of rate over time; 0 with fewer than three points. */
export function slope(points: readonly { at: number; rate: number }[]): number {
  const n = points.length;
  if (n < 3) return 0;
  let st = 0;
  let sr = 0;
  for (const p of points) {
    st += p.at;
    sr += p.rate;
  }
  const mt = st / n;
  const mr = sr / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.at - mt) * (p.rate - mr);
    den += (p.at - mt) ** 2;
  }
  return den > 0 ? num / den : 0;
}
