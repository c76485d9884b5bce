/**
 * Revisions and progressive rollouts in the twin (twin-model.md has no notion of them; this is the minimal one).
 *
 * A service runs one stable revision and at most one canary revision. Each revision has a behaviour: an intrinsic
 * error rate (share of served requests it answers with a 5xx) and a latency factor (its service time relative to
 * the service's nominal 1/μ). A `rollout` action splits the service's traffic by weight between the two, as a
 * service mesh does (Argo Rollouts / Flagger with traffic routing): the pods are shared, so the M/M/c queue is one
 * queue with the traffic-weighted mean service time, and errors are the traffic-weighted intrinsic rates.
 *
 * Per revision the twin records what a per-revision Prometheus query would give (requests, errors, p99 per step).
 * Simplifications, stated:
 *  - p99 of a revision = the shared queue's p99 × (its latency factor / the blended factor): the wait is shared,
 *    the service time is the revision's own. A small log-normal noise (σ 5 %) stands in for sampling noise.
 *  - errors of a revision = its share of the dropped requests + Poisson(served share × its error rate): counts,
 *    not fluid expectations, so a statistical test on them faces the noise a real canary analysis does.
 * The noise has its own seeded generator, so twins without rollouts draw exactly the numbers they always did.
 */
import { z } from 'zod';
import { Rng } from '../../core/rng.js';
import { UserError } from '../../core/errors.js';
import type { RevisionMetricsSource, RevisionSample, RevisionWindow } from '../../plan/rollout/revision-metrics.js';

export const RevisionBehaviourSchema = z.strictObject({
  /** Share of served requests this revision fails (0..1). */
  errorRate: z.number().min(0).max(1).default(0),
  /** Service time relative to the service's nominal one (2 = twice as slow). */
  latencyFactor: z.number().positive().default(1),
});
export type RevisionBehaviour = z.output<typeof RevisionBehaviourSchema>;
export type RevisionBehaviourInput = z.input<typeof RevisionBehaviourSchema>;

const NOMINAL: RevisionBehaviour = { errorRate: 0, latencyFactor: 1 };
/** Per-step samples are kept this long (a canary step's analysis looks back minutes, not hours). */
const RETAIN_SECONDS = 2 * 3600;
const LATENCY_NOISE = 0.05;

interface Revision {
  name: string;
  behaviour: RevisionBehaviour;
}

interface ServiceRollout {
  stable: Revision;
  /** Earlier stable revisions, newest last (what `rollback` returns to). */
  history: Revision[];
  canary?: Revision & { weight: number };
  samples: RevisionSample[];
}

/** What the shared queue of one step produced (the twin's QueueStep fields this needs). */
export interface StepTraffic {
  offered: number;
  served: number;
  dropped: number;
  p99Ms: number;
}

export type RolloutResult =
  | { ok: true; message: string; promoted: boolean }
  | { ok: false; message: string };

export class TwinRollouts implements RevisionMetricsSource {
  /** Per service: multiplier of μ (1 / blended latency factor) and the blended intrinsic error rate; read per step. */
  readonly muFactor: Float64Array;
  readonly errorFraction: Float64Array;
  /** Services that record per-revision samples (anything was defined or rolled out). */
  readonly tracked: Uint8Array;
  private readonly state: (ServiceRollout | undefined)[];
  private readonly defined = new Map<string, RevisionBehaviour>();
  private readonly rng: Rng;

  constructor(private readonly services: readonly string[], seed: number) {
    this.muFactor = new Float64Array(services.length).fill(1);
    this.errorFraction = new Float64Array(services.length);
    this.tracked = new Uint8Array(services.length);
    this.state = new Array(services.length);
    this.rng = new Rng((seed ^ 0x5eed_1234) >>> 0);
  }

  /** Declare how a revision behaves once it serves traffic (the release's ground truth, which the loop never sees). */
  define(service: string, revision: string, behaviour: RevisionBehaviourInput = {}): void {
    const s = this.indexOf(service, `rollout define ${service}/${revision}`);
    const b = parseBehaviour(behaviour, `rollout define ${service}/${revision}`);
    this.defined.set(key(service, revision), b);
    this.ensure(s);
  }

  /** Replace the running revision of a service (its name and behaviour), e.g. a baseline with 0.2 % errors. */
  setStable(service: string, revision: string, behaviour: RevisionBehaviourInput = {}): void {
    const s = this.indexOf(service, `rollout stable ${service}/${revision}`);
    const b = parseBehaviour(behaviour, `rollout stable ${service}/${revision}`);
    this.defined.set(key(service, revision), b);
    this.ensure(s).stable = { name: revision, behaviour: b };
    this.refresh(s);
  }

  /** Stable revision, canary and its weight, for tests and reports. */
  status(service: string): { stable: string; canary?: { revision: string; weight: number } } {
    const s = this.indexOf(service, 'rollout status');
    const st = this.state[s];
    return { stable: st?.stable.name ?? 'r1', ...(st?.canary ? { canary: { revision: st.canary.name, weight: st.canary.weight } } : {}) };
  }

  /** Apply one rollout step: weight 1..99 sets the canary split, 100 promotes it, 0 aborts it. */
  apply(s: number, revision: string, weight: number): RolloutResult {
    const st = this.ensure(s);
    const name = this.services[s];
    const behaviour = this.defined.get(key(name, revision)) ?? NOMINAL;
    if (weight === 0) {
      if (!st.canary || st.canary.name !== revision) return { ok: false, message: `${name} has no canary ${revision} to abort` };
      st.canary = undefined;
      this.refresh(s);
      return { ok: true, promoted: false, message: `${name}: canary ${revision} aborted, all traffic on ${st.stable.name}` };
    }
    if (weight === 100) {
      if (st.stable.name === revision) return { ok: false, message: `${name} already runs ${revision}` };
      st.history.push(st.stable);
      st.stable = { name: revision, behaviour };
      st.canary = undefined;
      this.refresh(s);
      return { ok: true, promoted: true, message: `${name}: ${revision} promoted, all traffic on it` };
    }
    if (st.stable.name === revision) return { ok: false, message: `${revision} is already the stable revision of ${name}` };
    st.canary = { name: revision, behaviour, weight };
    this.refresh(s);
    return { ok: true, promoted: false, message: `${name}: ${weight}% of traffic on canary ${revision}, ${100 - weight}% on ${st.stable.name}` };
  }

  /** The `rollback` action: drop any canary and return to the previous stable revision (if there is one). */
  rollback(s: number): void {
    const st = this.state[s];
    if (!st) return;
    st.canary = undefined;
    const prev = st.history.pop();
    if (prev) st.stable = prev;
    this.refresh(s);
  }

  /** Called by the twin for a tracked service after each step ending at `at`. */
  record(s: number, at: number, t: StepTraffic): void {
    const st = this.state[s];
    if (!st) return;
    const blended = 1 / this.muFactor[s];
    const revs: (Revision & { weight: number })[] = st.canary ? [{ ...st.stable, weight: 100 - st.canary.weight }, st.canary] : [{ ...st.stable, weight: 100 }];
    for (const r of revs) {
      const w = r.weight / 100;
      const served = t.served * w;
      const errors = t.dropped * w + this.poisson(served * r.behaviour.errorRate);
      const p99 = t.p99Ms * (r.behaviour.latencyFactor / blended) * Math.exp(LATENCY_NOISE * this.rng.normal());
      st.samples.push({ at, revision: r.name, requests: t.offered * w, errors: Math.min(errors, t.offered * w), p99Ms: p99 });
    }
    while (st.samples.length > 0 && st.samples[0].at < at - RETAIN_SECONDS) st.samples.shift();
  }

  // ---------------------------------------------------------------- RevisionMetricsSource

  revisionWindow(service: string, revision: string, since: number, until: number): RevisionWindow {
    const s = this.services.indexOf(service);
    const samples = s < 0 ? [] : (this.state[s]?.samples ?? []).filter((x) => x.revision === revision && x.at > since && x.at <= until);
    return summarise(revision, samples);
  }

  stableRevision(service: string): string {
    const s = this.services.indexOf(service);
    return (s < 0 ? undefined : this.state[s]?.stable.name) ?? 'r1';
  }

  // ---------------------------------------------------------------- internals

  private indexOf(service: string, where: string): number {
    const s = this.services.indexOf(service);
    if (s < 0) throw new UserError(`unknown service '${service}' (known: ${this.services.slice(0, 20).join(', ')})`, where);
    return s;
  }

  private ensure(s: number): ServiceRollout {
    let st = this.state[s];
    if (!st) {
      st = this.state[s] = { stable: { name: 'r1', behaviour: this.defined.get(key(this.services[s], 'r1')) ?? NOMINAL }, history: [], samples: [] };
      this.tracked[s] = 1;
    }
    return st;
  }

  private refresh(s: number): void {
    const st = this.state[s];
    if (!st) return;
    const c = st.canary;
    const wc = c ? c.weight / 100 : 0;
    const factor = (1 - wc) * st.stable.behaviour.latencyFactor + wc * (c?.behaviour.latencyFactor ?? 1);
    this.muFactor[s] = 1 / factor;
    this.errorFraction[s] = (1 - wc) * st.stable.behaviour.errorRate + wc * (c?.behaviour.errorRate ?? 0);
  }

  /** Poisson draw: Knuth's product method for small means, a rounded normal beyond (fine for counts ≥ 30). */
  private poisson(mean: number): number {
    if (mean <= 0) return 0;
    if (mean > 30) return Math.max(0, Math.round(mean + Math.sqrt(mean) * this.rng.normal()));
    const limit = Math.exp(-mean);
    let k = 0;
    let p = this.rng.next();
    while (p > limit) {
      k++;
      p *= this.rng.next();
    }
    return k;
  }
}

function parseBehaviour(input: RevisionBehaviourInput, where: string): RevisionBehaviour {
  const r = RevisionBehaviourSchema.safeParse(input);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  throw new UserError(issue.message, `${where} ${issue.path.join('.') || '(root)'}`);
}

function key(service: string, revision: string): string {
  return `${service}\u0000${revision}`;
}

function summarise(revision: string, samples: readonly RevisionSample[]): RevisionWindow {
  let requests = 0;
  let errors = 0;
  for (const x of samples) {
    requests += x.requests;
    errors += x.errors;
  }
  return { revision, requests, errors, latencySamplesMs: samples.map((x) => x.p99Ms) };
}
