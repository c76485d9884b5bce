/**
 * Vectorised twin environments: N TwinClusters, one service each (as bench/autoscale runs a series), whose
 * offered load replays a 5-minute trace segment. Domain randomisation per episode: which series and where in
 * it, the load scale, the pod start-up delay, and (sometimes) one fault. Every `decisionSeconds` the agent makes
 * two choices: a replica fit (actions.ts) and a node-pool action (node-actions.ts); they hold until the next
 * decision and are sized every `tickSeconds` on the tick's load, beside the cluster autoscaler (the same planner the
 * HPA baseline uses) as the backstop for Pending pods, with scale-down off: removing nodes is the node head's. A
 * decision's reward is the mean of its ticks' rewards. Spot nodes, when offered, are reclaimed at random.
 */
import type { Snapshot } from '../../core/snapshot.js';
import { Rng } from '../../core/rng.js';
import { UserError } from '../../core/errors.js';
import { CATALOGUE, pricePerHour, type InstanceType } from '../../execute/twin/catalogue.js';
import { TwinCluster } from '../../execute/twin/cluster.js';
import type { FaultSpec } from '../../execute/twin/faults.js';
import { ClusterAutoscalerPolicy } from '../scaling/cluster-autoscaler.js';
import { NUM_ACTIONS, ReplicaActuator } from './actions.js';
import { NodePoolActuator, nodeActions, nodeNeed, type NodeAct } from './node-actions.js';
import { RlEnvConfigSchema, type RlEnvConfig, type RlEnvConfigInput } from './config.js';
import { NUM_FEATURES, writeFeatures } from './features.js';
import { LoadForecast } from './load-forecast.js';
import { FlapTracker, stepReward } from './reward.js';
import { episodeSeed, type VecEnv } from './vec-env.js';

const BUCKET = 300;
const SERVICE = 'svc';
const DEFAULT_START = 1704067200;
/** The same sizing the bench uses for its starting replicas. */
const START_UTILIZATION = 0.8;

/** A load series: one value per 5-minute bucket (src/monitor/trace.ts TraceSeries fits). */
export interface LoadSeries {
  id: string;
  values: ArrayLike<number>;
  start: number | null;
}

/** What one episode was given (logged, and what tests check for determinism). */
export interface EpisodeSpec {
  series: string;
  startBucket: number;
  loadScale: number;
  podStartupSeconds: number;
  fault: FaultSpec | null;
}

interface Slot {
  twin: TwinCluster;
  ca: ClusterAutoscalerPolicy;
  forecast: LoadForecast;
  flaps: FlapTracker;
  actuator: ReplicaActuator;
  nodes: NodePoolActuator;
  startTime: number;
  rng: Rng;
  snapshot: Snapshot;
  referenceCostPerSecond: number;
  nodePricePerSecond: number;
  spec: EpisodeSpec;
}

export function nodeTypeOf(cfg: RlEnvConfig): InstanceType {
  const t = CATALOGUE.get(cfg.nodeType);
  if (!t) throw new UserError(`unknown instance type '${cfg.nodeType}'`, 'rl env nodeType');
  return t;
}

/** The node head's choices for this environment config (stored with a model by label). */
export function envNodeActions(cfg: RlEnvConfig): NodeAct[] {
  const types = cfg.nodePool.instanceTypes.length > 0 ? cfg.nodePool.instanceTypes : [cfg.nodeType];
  return nodeActions({ instanceTypes: types, allowSpot: cfg.nodePool.allowSpot });
}

export function podsPerNode(cfg: RlEnvConfig): number {
  const t = nodeTypeOf(cfg);
  return Math.max(1, Math.min(Math.floor(t.cpuAllocatableMillis / cfg.service.cpuRequestMillis), Math.floor(t.memoryAllocatableMiB / cfg.service.memoryRequestMiB), t.maxPods));
}

const mean = (v: ArrayLike<number>, from = 0, to = v.length): number => {
  let s = 0;
  for (let i = from; i < to; i++) s += v[i];
  return to > from ? s / (to - from) : 0;
};

export class TwinVecEnv implements VecEnv {
  readonly config: RlEnvConfig;
  readonly obsSize = NUM_FEATURES;
  readonly numActions: number;
  /** A replica head (the fits) and a node-pool head. */
  readonly heads: readonly [number, number];
  readonly nodeActions: readonly NodeAct[];
  /** No prior: every action is a sized fit, so a uniform start is already a reasonable policy. */
  readonly priorLogits: Float32Array;
  readonly episodeSteps: number;
  private readonly series: LoadSeries[];
  private readonly slots: Slot[] = [];
  private readonly episodeBuckets: number;
  private readonly warmupBuckets: number;
  private readonly node: InstanceType;
  private readonly ppn: number;

  constructor(series: readonly LoadSeries[], readonly numEnvs: number, readonly seed: number, config: RlEnvConfigInput = {}) {
    this.config = RlEnvConfigSchema.parse(config);
    const c = this.config;
    if (c.decisionSeconds % c.tickSeconds !== 0) throw new UserError('decisionSeconds must be a multiple of tickSeconds', 'rl env');
    this.episodeSteps = Math.round((c.episodeHours * 3600) / c.decisionSeconds);
    this.episodeBuckets = Math.ceil((c.episodeHours * 3600) / BUCKET);
    this.warmupBuckets = Math.round((c.warmupHours * 3600) / BUCKET);
    // A series must hold an episode (plus one bucket to interpolate to) and have some load.
    this.series = series.filter((s) => s.values.length >= this.episodeBuckets + 2 && mean(s.values) > 0);
    if (this.series.length === 0) throw new UserError(`no series is long enough for a ${c.episodeHours} h episode`, 'rl env');
    this.node = nodeTypeOf(c);
    this.ppn = podsPerNode(c);
    this.nodeActions = envNodeActions(c);
    this.heads = [NUM_ACTIONS, this.nodeActions.length];
    this.numActions = NUM_ACTIONS + this.nodeActions.length;
    this.priorLogits = new Float32Array(this.numActions);
  }

  /** The episode drawn for `episode`: pure function of (seed, episode), so runs and resumes repeat. */
  episodeSpec(episode: number): EpisodeSpec {
    const rng = new Rng(episodeSeed(this.seed, episode));
    const c = this.config;
    const r = c.randomisation;
    const s = this.series[rng.int(this.series.length)];
    const lastStart = s.values.length - this.episodeBuckets - 1;
    const firstStart = Math.min(this.warmupBuckets, lastStart);
    const startBucket = firstStart + rng.int(lastStart - firstStart + 1);
    const loadScale = r.loadScale[0] + rng.next() * (r.loadScale[1] - r.loadScale[0]);
    const podStartupSeconds = Math.round(r.podStartupSeconds[0] + rng.next() * (r.podStartupSeconds[1] - r.podStartupSeconds[0]));
    let fault: FaultSpec | null = null;
    if (rng.next() < r.faultProbability) {
      const at = Math.round(rng.next() * c.episodeHours * 3600 * 0.8);
      const pick = rng.int(3);
      const duration = 600 + rng.int(1800);
      fault =
        pick === 0 ? { kind: 'crash-loop', target: SERVICE, at, duration }
        : pick === 1 ? { kind: 'dependency-slowdown', target: SERVICE, at, duration, severity: 0.5 + 0.3 * rng.next() }
        : { kind: 'node-crash', at };
    }
    return { series: s.id, startBucket, loadScale, podStartupSeconds, fault };
  }

  reset(firstEpisode: number): Float32Array {
    this.slots.length = 0;
    const obs = new Float32Array(this.numEnvs * NUM_FEATURES);
    for (let i = 0; i < this.numEnvs; i++) {
      const slot = this.makeSlot(this.episodeSpec(firstEpisode + i), firstEpisode + i);
      this.slots.push(slot);
      this.observe(slot, obs, i);
    }
    return obs;
  }

  private makeSlot(spec: EpisodeSpec, episode: number): Slot {
    const c = this.config;
    const s = this.series.find((x) => x.id === spec.series);
    if (!s) throw new Error(`series ${spec.series} vanished`);
    const scale = (c.meanRps / mean(s.values)) * spec.loadScale;
    const seg = Array.from({ length: this.episodeBuckets + 1 }, (_, k) => ({ t: k * BUCKET, value: s.values[spec.startBucket + k] }));
    const mu = c.service.serviceRatePerReplica;
    const replicas = Math.min(c.maxReplicas, Math.max(c.minReplicas, Math.ceil((seg[0].value * scale) / (mu * START_UTILIZATION))));
    const twin = new TwinCluster({
      seed: episodeSeed(this.seed ^ 0x5bd1e995, episode) & 0x7fffffff,
      startTime: (s.start !== null && s.start > 0 ? Math.floor(s.start) : DEFAULT_START) + spec.startBucket * BUCKET,
      podStartupSeconds: spec.podStartupSeconds,
      nodePools: [{ instanceType: c.nodeType, count: Math.max(1, Math.ceil(replicas / this.ppn)), spot: false }],
      services: [{ name: SERVICE, ...c.service, replicas, load: { trace: seg, scale, repeat: false } }],
    });
    if (spec.fault) twin.inject(spec.fault);
    const forecast = new LoadForecast();
    for (let b = Math.max(0, spec.startBucket - this.warmupBuckets); b < spec.startBucket; b++) forecast.observeBucket(s.values[b] * scale);
    const episodeMean = mean(s.values, spec.startBucket, spec.startBucket + this.episodeBuckets) * scale;
    const refNodes = Math.max(1, episodeMean / (mu * this.ppn));
    const ca = new ClusterAutoscalerPolicy({
      node: { instanceType: this.node.name, cpuAllocatableMillis: this.node.cpuAllocatableMillis, memoryAllocatableMiB: this.node.memoryAllocatableMiB },
      minNodes: 1,
      maxNodes: 1000,
      // Removal is the node head's (eviction-checked). The stock scale-down evicts pods of any node under 50 %
      // after 10 minutes; beside it the agent learnt to add nodes ahead that the autoscaler then removed again.
      scaleDownEnabled: false,
    });
    const snapshot = twin.snapshotNow();
    forecast.observe(snapshot.at, snapshot.services[0].requestRate);
    const actuator = new ReplicaActuator();
    actuator.observe(snapshot.at, snapshot.services[0].requestRate);
    const nodes = new NodePoolActuator(this.nodeActions, { minNodes: 1, maxNodes: 1000, allowedInstanceTypes: [], allowSpot: true });
    const startTime = snapshot.at;
    const rng = new Rng(episodeSeed(this.seed ^ 0x3c6ef372, episode));
    return { twin, ca, forecast, flaps: new FlapTracker(), actuator, nodes, startTime, rng, snapshot, referenceCostPerSecond: (refNodes * pricePerHour(this.node, false)) / 3600, nodePricePerSecond: pricePerHour(this.node, false) / 3600, spec };
  }

  private observe(slot: Slot, out: Float32Array, i: number): void {
    const svc = slot.snapshot.services[0];
    writeFeatures(
      { svc, snapshot: slot.snapshot, outlook: slot.forecast.outlook(3), lastDirection: slot.flaps.lastDirection, sinceLastChange: slot.snapshot.at - slot.flaps.lastAt },
      out,
      i * NUM_FEATURES,
    );
  }

  step(actions: Int32Array): { obs: Float32Array; rewards: Float32Array } {
    const c = this.config;
    const obs = new Float32Array(this.numEnvs * NUM_FEATURES);
    const rewards = new Float32Array(this.numEnvs);
    const ticks = Math.round(c.decisionSeconds / c.tickSeconds);
    for (let i = 0; i < this.numEnvs; i++) {
      const slot = this.slots[i];
      const fit = actions[i * 2] ?? 0;
      const nodeAct = actions[i * 2 + 1] ?? 0;
      // The choice holds for the decision period; its sizing runs every tick on the tick's load, as in the loop.
      let sum = 0;
      for (let k = 0; k < ticks; k++) sum += this.tick(slot, fit, nodeAct);
      rewards[i] = sum / ticks;
      this.observe(slot, obs, i);
    }
    return { obs, rewards };
  }

  /** One control tick under the held choice (fit, node action); returns the tick's reward. */
  private tick(slot: Slot, fit: number, nodeAct: number): number {
    const c = this.config;
    const { twin } = slot;
    const snap = slot.snapshot;
    const before = twin.stats();
    const svc = snap.services[0];
    const current = svc.replicas;
    const ctx = { current, rate: slot.actuator.rising(svc.requestRate), serviceRatePerReplica: svc.serviceRatePerReplica, outlook: slot.forecast.outlook(3), latencyObjectiveMs: c.service.sloP99Ms, lastDirection: slot.flaps.lastDirection, sinceLastChange: snap.at - slot.flaps.lastAt };
    const to = slot.actuator.target(fit, ctx, snap.at, c.minReplicas, c.maxReplicas);
    let flapped = false;
    if (to !== current) {
      twin.applyNow({ kind: 'scale', service: SERVICE, from: current, to });
      flapped = slot.flaps.record(Math.sign(to - current), snap.at);
    }
    // The node head decides on the same snapshot, for the replicas the replica head asked for; the cluster
    // autoscaler too (one controller tick).
    slot.nodes.want(SERVICE, nodeNeed(fit, to, svc.requestRate, ctx, slot.actuator, c.minReplicas, c.maxReplicas));
    let nodeActed = false;
    for (const p of slot.nodes.decide(nodeAct, { snapshot: snap, now: snap.at })) nodeActed = twin.applyNow(p.action).ok || nodeActed;
    for (const p of slot.ca.decide({ snapshot: snap, now: snap.at })) twin.applyNow(p.action);
    this.maybeReclaimSpot(slot, snap);
    twin.advance(c.tickSeconds);
    slot.snapshot = twin.snapshotNow();
    slot.forecast.observe(slot.snapshot.at, slot.snapshot.services[0].requestRate);
    slot.actuator.observe(slot.snapshot.at, slot.snapshot.services[0].requestRate);
    const after = twin.stats();
    return stepReward(
      {
        violationSeconds: after.sloViolationSeconds - before.sloViolationSeconds,
        stepSeconds: c.tickSeconds,
        cost: c.reward.costBasis === 'nodes' ? after.costDollars - before.costDollars : (to / this.ppn) * slot.nodePricePerSecond * c.tickSeconds,
        referenceCost: slot.referenceCostPerSecond * c.tickSeconds,
        flapped,
        acted: to !== current || nodeActed,
      },
      c.reward,
    );
  }

  /** Spot reclaims arrive at random, at the configured rate per spot node-hour. */
  private maybeReclaimSpot(slot: Slot, snap: Snapshot): void {
    const rate = this.config.nodePool.spotReclaimPerNodeHour;
    if (!this.config.nodePool.allowSpot || rate <= 0) return;
    const spot = snap.nodes.filter((n) => n.spot && n.ready).length;
    if (spot === 0) return;
    if (slot.rng.next() < 1 - Math.exp(-rate * spot * (this.config.tickSeconds / 3600))) {
      slot.twin.inject({ kind: 'spot-reclaim', at: snap.at - slot.startTime });
    }
  }

  /** The specs of the running episodes. */
  specs(): EpisodeSpec[] {
    return this.slots.map((s) => s.spec);
  }
}
