import type { ServiceTelemetry, Snapshot } from '../../core/snapshot.js';
import type { Verify } from './playbook.js';

/** A playbook's verification criteria on one tick. */
export interface CriteriaCheck {
  /** The metric criteria (error rate, p99, replicas) all hold now. */
  metricsOk: boolean;
  /** No occurrence of the trigger for `quietFor` (true when the playbook does not ask). */
  quietOk: boolean;
  /** The criteria that do not hold, in words (for the journal). */
  failing: string[];
  /** The numbers they were judged on. */
  values: Record<string, number | boolean>;
}

/**
 * Checks a playbook's verification criteria against a snapshot. A service remediation is judged on that
 * service; a node remediation on every service (its pods were spread over them), and "replicas ready" then means
 * cluster-wide: nothing Pending, every service at its desired replicas.
 */
/** A service's objectives: p99 latency (ms) and error rate (share) it must stay within. */
export interface Objective {
  p99Ms: number;
  errorRate: number;
}

export function checkCriteria(v: Verify, scope: { service?: string }, snapshot: Snapshot, now: number, quietSince: number, objectiveOf: (service: string) => Objective): CriteriaCheck {
  const failing: string[] = [];
  const values: Record<string, number | boolean> = {};
  const services: ServiceTelemetry[] = scope.service !== undefined ? snapshot.services.filter((s) => s.name === scope.service) : snapshot.services;
  if (scope.service !== undefined && services.length === 0) failing.push(`${scope.service} is not in the snapshot`);
  if (v.errorRateBelow !== undefined) {
    const worst = max(services.map((s) => s.errorRate));
    values.errorRate = round(worst);
    if (!(worst < v.errorRateBelow)) failing.push(`error rate ${pct(worst)} ≥ ${pct(v.errorRateBelow)}`);
  }
  if (v.p99BelowMs !== undefined) {
    const worst = max(services.map((s) => s.latencyP99Ms));
    values.p99Ms = Math.round(worst);
    if (!(worst < v.p99BelowMs)) failing.push(`p99 ${Math.round(worst)} ms ≥ ${v.p99BelowMs} ms`);
  }
  if (v.replicasReady) {
    const short = services.filter((s) => s.readyReplicas < s.replicas || s.pendingReplicas > 0);
    values.replicasReady = short.length === 0;
    if (short.length > 0) failing.push(`not all replicas Ready (${short.map((s) => `${s.name} ${s.readyReplicas}/${s.replicas}${s.pendingReplicas > 0 ? `, ${s.pendingReplicas} Pending` : ''}`).join('; ')})`);
  }
  if (v.withinObjectives) {
    const missed = services.filter((s) => {
      const o = objectiveOf(s.name);
      return !(s.latencyP99Ms <= o.p99Ms && s.errorRate <= o.errorRate);
    });
    values.withinObjectives = missed.length === 0;
    if (missed.length > 0) {
      failing.push(`objectives missed (${missed.map((s) => {
        const o = objectiveOf(s.name);
        return `${s.name}: p99 ${Math.round(s.latencyP99Ms)}/${o.p99Ms} ms, errors ${pct(s.errorRate)}/${pct(o.errorRate)}`;
      }).join('; ')})`);
    }
  }
  const metricsOk = failing.length === 0;
  let quietOk = true;
  if (v.quietFor !== undefined) {
    const quiet = now - quietSince;
    values.quietSeconds = Math.round(quiet);
    quietOk = quiet >= v.quietFor;
    if (!quietOk) failing.push(`quiet for ${Math.round(quiet)} s of the ${v.quietFor} s required`);
  }
  return { metricsOk, quietOk, failing, values };
}

const max = (xs: number[]): number => xs.reduce((a, b) => Math.max(a, b), 0);
const round = (x: number): number => Math.round(x * 1e4) / 1e4;
const pct = (x: number): string => `${(x * 100).toFixed(2)}%`;
