/**
 * The discrete action set: how much capacity to hold against the coming load. Each action sizes the replicas for
 * the highest 5-minute load the forecaster expects over the next 15 minutes (never below the load arriving now)
 * at a quantile and a utilisation, from a tight fit to wide headroom. A first version had relative steps (±1,
 * ±20 %, +50 %) and a hold; following a daily ramp then takes many exactly timed moves, and PPO settled on
 * holding most of the time (on held-out traces 6× the predictive policy's SLO minutes). Here the agent chooses
 * the headroom for the state it sees — tight when load is calm and well forecast, wide when it is bursty or the
 * forecast has been wrong — and the sizing itself is arithmetic.
 * Scale-downs are damped as the HPA damps them: to the largest fit of the last 5 minutes, not within 5 minutes of a
 * scale-up, and not at all when smaller than `SCALE_DOWN_DEADBAND` of the replicas — so noise around a sizing
 * threshold does not move replicas back and forth. The window holds the loads, not the past choices: the largest fit
 * is the one the action chosen now makes of the last 5 minutes' loads. Holding the largest past choice (as a first
 * version did) let a tight choice pay off only after 20 tight choices in a row; PPO, which explores by sampling,
 * then learnt nothing from choosing tight (its training reward stayed at a random policy's, 2.4, where the
 * tightest constant choice scores 3.6) and was generous on held-out traces. With the same choice every tick the
 * two are the same.
 * The node pool is the second head's (node-actions.ts).
 */
import { replicasForLoad, slope } from '../scaling/sizing.js';
import type { RateOutlook } from './load-forecast.js';

/** Fits also keep the M/M/c p99 within this share of the objective: at a few replicas utilisation alone is not enough. */
const LATENCY_TARGET_SHARE = 0.8;

type Act = { label: string; fit: 'p50' | 'p90'; utilization: number };

export const ACTIONS: readonly Act[] = [
  { label: 'fit p50 @95%', fit: 'p50', utilization: 0.95 },
  { label: 'fit p50 @90%', fit: 'p50', utilization: 0.9 },
  { label: 'fit p50 @85%', fit: 'p50', utilization: 0.85 },
  { label: 'fit p50 @80%', fit: 'p50', utilization: 0.8 },
  { label: 'fit p50 @75%', fit: 'p50', utilization: 0.75 },
  { label: 'fit p50 @65%', fit: 'p50', utilization: 0.65 },
  { label: 'fit p90 @80%', fit: 'p90', utilization: 0.8 },
  { label: 'fit p90 @65%', fit: 'p90', utilization: 0.65 },
];
export const NUM_ACTIONS = ACTIONS.length;
export const SCALE_DOWN_DEADBAND = 0.1;
/** No scale-down this soon after a scale-up: an up then a down within 10 minutes is a flap. */
export const SCALE_DOWN_DELAY_AFTER_UP_SECONDS = 300;
/**
 * A 5-minute forecast cannot see a ramp inside a bucket, so a rising rate is also extrapolated along its slope
 * (least squares over the last `TREND_WINDOW_SECONDS`) for `TREND_LEAD_SECONDS`: pod start-up plus a decision period,
 * when replicas asked for now start serving (as the predictive policy does).
 */
export const TREND_WINDOW_SECONDS = 120;
export const TREND_LEAD_SECONDS = 45;
/** Scale-downs go to the largest fit of this window, as the HPA's downscale stabilisation does. */
export const SCALE_DOWN_STABILISATION_SECONDS = 300;

/** What an action is sized against. */
export interface ActionContext {
  current: number;
  /** Current request rate (req/s) plus what its rising trend adds by the time new replicas serve, one replica's service rate, and the forecast outlook (null before any). */
  rate: number;
  serviceRatePerReplica: number;
  outlook: RateOutlook | null;
  /** The service's p99 latency objective (ms). */
  latencyObjectiveMs: number;
  /** Direction of the last executed change (−1, 0, +1) and seconds since it. */
  lastDirection: number;
  sinceLastChange: number;
}

/** Replicas the fit of action `a` asks for, within [min, max] (no damping). */
export function fitReplicas(a: number, ctx: ActionContext, min: number, max: number): number {
  const act = ACTIONS[a];
  if (!act) throw new Error(`unknown RL action ${a}`);
  // Never below the load already arriving: the forecast may lag a ramp that is under way.
  const load = Math.max(ctx.rate, ctx.outlook ? ctx.outlook[act.fit] : 0);
  const to = replicasForLoad(load, ctx.serviceRatePerReplica, act.utilization, (ctx.latencyObjectiveMs * LATENCY_TARGET_SHARE) / 1000);
  return Math.min(max, Math.max(min, to));
}

/** One service's actuator: turns the agent's action into a replica count, with the scale-down damping above. */
export class ReplicaActuator {
  /** What the fits of the stabilisation window were sized against. */
  private loads: { at: number; ctx: ActionContext }[] = [];
  private readonly recent: { at: number; rate: number }[] = [];

  /** Feeds the request rate seen at `at` (every control tick). */
  observe(at: number, rate: number): void {
    this.recent.push({ at, rate });
    while (this.recent.length > 0 && this.recent[0].at < at - TREND_WINDOW_SECONDS) this.recent.shift();
  }

  /** The rate to size for now: the current one plus its rising trend over the lead time (replicas' by default). */
  rising(rate: number, leadSeconds = TREND_LEAD_SECONDS): number {
    return rate + Math.max(0, slope(this.recent)) * leadSeconds;
  }

  /** Replicas after action `a` at time `now` (seconds); records the load for the stabilisation window. */
  target(a: number, ctx: ActionContext, now: number, min: number, max: number): number {
    this.loads = this.loads.filter((l) => l.at > now - SCALE_DOWN_STABILISATION_SECONDS);
    this.loads.push({ at: now, ctx });
    let stabilised = 0;
    for (const l of this.loads) stabilised = Math.max(stabilised, fitReplicas(a, l.ctx, min, max));
    const { current } = ctx;
    let to = stabilised;
    if (to < current && (to > current * (1 - SCALE_DOWN_DEADBAND) || (ctx.lastDirection > 0 && ctx.sinceLastChange < SCALE_DOWN_DELAY_AFTER_UP_SECONDS))) to = current;
    return to;
  }
}
