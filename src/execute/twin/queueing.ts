/**
 * Queueing maths for one service, following /work/shared/design/twin-model.md ("Per-service latency: M/M/c").
 * Stable regime: M/M/c with Erlang C computed through the Erlang B recursion (never a^c/c!, which overflows).
 * Overload and transients: a fluid queue per step with client timeouts. The two are blended continuously by
 * freezing the stationary part at RHO_BLEND (see `FluidQueue.step`), so no policy can exploit a jump at ρ = 1.
 */

/** Erlang B by the stable recursion B(k) = a·B(k−1) / (k + a·B(k−1)) (twin-model.md). */
export function erlangB(c: number, a: number): number {
  let b = 1;
  for (let k = 1; k <= c; k++) b = (a * b) / (k + a * b);
  return b;
}

/** Erlang C (probability an arrival waits) via C = B / (1 − ρ(1 − B)); 1 when ρ ≥ 1 (everyone waits). */
export function erlangC(c: number, a: number): number {
  if (c <= 0) return 1;
  const rho = a / c;
  if (rho >= 1) return 1;
  if (a <= 0) return 0;
  const b = erlangB(c, a);
  return b / (1 - rho * (1 - b));
}

/**
 * P(T > t) for the M/M/c response time T = W + S (twin-model.md):
 * (1−C)e^(−μt) + C(μe^(−θt) − θe^(−μt))/(μ − θ), θ = cμ − λ; the θ = μ limit is C(1 + μt)e^(−μt).
 */
export function responseTail(t: number, c: number, mu: number, lambda: number, C = erlangC(c, lambda / mu)): number {
  const theta = c * mu - lambda;
  const emu = Math.exp(-mu * t);
  let waitTerm: number;
  // Relative tolerance avoids the 0/0 cancellation as θ → μ.
  if (Math.abs(mu - theta) <= 1e-9 * mu) waitTerm = (1 + mu * t) * emu;
  else waitTerm = (mu * Math.exp(-theta * t) - theta * emu) / (mu - theta);
  return (1 - C) * emu + C * waitTerm;
}

/** Mean response time E[T] = C/θ + 1/μ (twin-model.md). */
export function meanResponse(c: number, mu: number, lambda: number): number {
  return erlangC(c, lambda / mu) / (c * mu - lambda) + 1 / mu;
}

/** The t with P(T > t) = q, by bisection (P is monotone in t, twin-model.md). Requires λ < cμ. */
export function responseQuantile(q: number, c: number, mu: number, lambda: number): number {
  const C = erlangC(c, lambda / mu);
  let hi = 1 / mu;
  while (responseTail(hi, c, mu, lambda, C) > q) hi *= 2;
  let lo = 0;
  for (let i = 0; i < 60; i++) {
    const mid = 0.5 * (lo + hi);
    if (responseTail(mid, c, mu, lambda, C) > q) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

/** Utilisation above which the stationary part is frozen and the fluid backlog takes over. */
export const RHO_BLEND = 0.98;

/**
 * Latency in units of the mean service time is a function of (c, ρ) only: substituting x = μt in the tail
 * formula removes μ. So one table per c serves every service with that replica count. The grid is uniform in
 * u = −ln(1 − ρ) so it is densest where the curve is steepest (ρ → RHO_BLEND); lookups interpolate linearly,
 * which keeps the result continuous and monotone in ρ.
 */
const GRID = 192;
const U_MAX = -Math.log(1 - RHO_BLEND);

interface MmcTable {
  C: Float64Array;
  p50: Float64Array;
  p99: Float64Array;
}

const tables = new Map<number, MmcTable>();

function tableFor(c: number): MmcTable {
  let t = tables.get(c);
  if (t) return t;
  t = { C: new Float64Array(GRID + 1), p50: new Float64Array(GRID + 1), p99: new Float64Array(GRID + 1) };
  for (let i = 0; i <= GRID; i++) {
    const rho = 1 - Math.exp(-(U_MAX * i) / GRID);
    const lambda = rho * c; // μ = 1: times come out in units of 1/μ
    t.C[i] = erlangC(c, lambda);
    t.p50[i] = responseQuantile(0.5, c, 1, lambda);
    t.p99[i] = responseQuantile(0.01, c, 1, lambda);
  }
  tables.set(c, t);
  return t;
}

/** Result slot reused by `stationary` so the hot path allocates nothing. */
export interface Stationary {
  /** Erlang C. */
  C: number;
  /** Quantiles in units of the mean service time 1/μ. */
  p50: number;
  p99: number;
}

/** Tabulated M/M/c at utilisation min(ρ, RHO_BLEND); writes into `out`. */
export function stationary(c: number, rho: number, out: Stationary): Stationary {
  const t = tableFor(c);
  const r = Math.min(Math.max(rho, 0), RHO_BLEND);
  const x = (-Math.log(1 - r) / U_MAX) * GRID;
  const i = Math.min(Math.floor(x), GRID - 1);
  const f = x - i;
  out.C = t.C[i] + f * (t.C[i + 1] - t.C[i]);
  out.p50 = t.p50[i] + f * (t.p50[i + 1] - t.p50[i]);
  out.p99 = t.p99[i] + f * (t.p99[i + 1] - t.p99[i]);
  return out;
}

/** What one step of a service's queue did. All counts are requests (fractional: it is a fluid model). */
export interface QueueStep {
  offered: number;
  served: number;
  dropped: number;
  backlogBefore: number;
  backlogAfter: number;
  p50Ms: number;
  p99Ms: number;
}

const scratch: Stationary = { C: 0, p50: 0, p99: 0 };

/**
 * One step of length dt for a service with c serving replicas of rate μ, offered λ, client timeout τ (s).
 * Fluid queue (twin-model.md "Overloaded case"): backlog ← backlog + arrivals − capacity·dt; requests whose wait
 * backlog/(cμ) would exceed τ are dropped. Below saturation the M/M/c part adds its stationary latency and
 * the requests whose stationary wait exceeds τ (P(W > τ) = C·e^(−θτ)) are dropped too; both are evaluated at
 * min(ρ, RHO_BLEND), which is the continuous blend. Conservation: offered = served + dropped + Δbacklog.
 */
export function queueStep(backlog: number, lambda: number, c: number, mu: number, timeoutS: number, dt: number, out: QueueStep): QueueStep {
  const arrivals = lambda * dt;
  out.offered = arrivals;
  out.backlogBefore = backlog;
  const cap = c * mu;
  if (c <= 0 || mu <= 0) {
    // Nothing serves: every request, queued or new, times out at the client.
    out.served = 0;
    out.dropped = arrivals + backlog;
    out.backlogAfter = 0;
    out.p50Ms = out.p99Ms = timeoutS * 1000;
    return out;
  }
  const s = stationary(c, lambda / cap, scratch);
  const rhoEff = Math.min(lambda / cap, RHO_BLEND);
  const theta = cap * (1 - rhoEff);
  const pTimeout = s.C * Math.exp(-theta * timeoutS);
  const statDrops = arrivals * pTimeout;
  const available = backlog + arrivals - statDrops;
  const served = Math.min(available, cap * dt);
  let after = available - served;
  let dropped = statDrops;
  const maxBacklog = cap * timeoutS;
  if (after > maxBacklog) {
    dropped += after - maxBacklog;
    after = maxBacklog;
  }
  out.served = served;
  out.dropped = dropped;
  out.backlogAfter = after;
  const fluidWait = after / cap;
  // Clients give up at τ, so no observed latency exceeds τ plus one mean service time (twin-model.md:
  // latency ≈ backlog/(cμ) + 1/μ with backlog ≤ cμτ). The cap is continuous, so the blend stays continuous.
  const cap99 = timeoutS + 1 / mu;
  out.p50Ms = Math.min(s.p50 / mu + fluidWait, cap99) * 1000;
  out.p99Ms = Math.min(s.p99 / mu + fluidWait, cap99) * 1000;
  return out;
}
