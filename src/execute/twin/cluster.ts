/**
 * TwinCluster: a simulated Kubernetes cluster that is both the loop's TelemetrySource and its Provider.
 * Maths per /work/shared/design/twin-model.md: M/M/c + fluid queue per service per step (queueing.ts),
 * CPU as the HPA sees it (1-minute rate window sampled every 15 s, ready pods only), start-up and node
 * provisioning delays, cost per node-second from the moment a node is requested, and the fault table.
 * State is struct-of-arrays (typed arrays for pods, nodes and services) so a 10,000-node, 300,000-pod
 * cluster steps in milliseconds; per-step work is O(services) plus the pods that change state.
 */
import { z } from 'zod';
import type { Action } from '../../core/action.js';
import type { Outcome } from '../../core/proposal.js';
import type { ClusterEvent, LogLine, NodeTelemetry, PodMemory, ServiceTelemetry, Snapshot } from '../../core/snapshot.js';
import { Rng } from '../../core/rng.js';
import { UserError } from '../../core/errors.js';
import type { TelemetrySource } from '../../monitor/source.js';
import type { Provider } from '../provider.js';
import { CATALOGUE, pricePerHour, type InstanceType } from './catalogue.js';
import { LoadSpecSchema, makeLoad, type LoadFn } from './load.js';
import { queueStep, type QueueStep } from './queueing.js';
import { NodeTable } from './scheduler.js';
import { FaultText, fakeIp, type FaultSpec } from './faults.js';
import { TwinRollouts } from './rollout.js';
import { deepFork } from './fork.js';

export const NodePoolSchema = z.object({
  instanceType: z.string(),
  count: z.number().int().nonnegative(),
  spot: z.boolean().default(false),
});

export const TwinServiceSchema = z.object({
  name: z.string().regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, 'must be a DNS label (lower-case letters, digits, -)'),
  replicas: z.number().int().nonnegative().default(2),
  cpuRequestMillis: z.number().positive().default(500),
  memoryRequestMiB: z.number().positive().default(512),
  /** req/s one replica serves at its CPU request. */
  serviceRatePerReplica: z.number().positive().default(50),
  /** Default: (request − idle)/serviceRate, so a replica at its service rate uses ~100 % of its request. */
  cpuMillisPerRequest: z.number().positive().optional(),
  /** CPU used with no traffic; default 5 % of the request. */
  idleCpuMillis: z.number().nonnegative().optional(),
  /** Memory in use without leaks; default 60 % of the request. The limit equals the request (Guaranteed QoS). */
  memoryBaseMiB: z.number().positive().optional(),
  timeoutMs: z.number().positive().default(1000),
  /** Default: steady load at 60 % of the initial replicas' capacity. */
  load: LoadSpecSchema.optional(),
  sloP99Ms: z.number().positive().default(200),
  sloErrorRate: z.number().min(0).max(1).default(0.001),
});
export type TwinService = z.infer<typeof TwinServiceSchema>;

export const TwinConfigSchema = z.object({
  seed: z.number().int().default(1),
  /** Epoch seconds; default Monday 2024-01-01 00:00 UTC. */
  startTime: z.number().default(1704067200),
  /** Internal integration step (s). */
  stepSeconds: z.number().positive().default(5),
  nodeProvisioningSeconds: z.number().nonnegative().default(90),
  podStartupSeconds: z.number().nonnegative().default(30),
  /** Metrics pipeline: the rate window and how often a sample is published (what the HPA really sees). */
  metricsWindowSeconds: z.number().positive().default(60),
  metricsResolutionSeconds: z.number().positive().default(15),
  /** Notice an interrupted spot node gets before termination (AWS: 2 minutes). */
  spotNoticeSeconds: z.number().nonnegative().default(120),
  nodePools: z.array(NodePoolSchema).default([{ instanceType: 'm5.xlarge', count: 3, spot: false }]),
  services: z.array(TwinServiceSchema).prefault([{ name: 'web' }]),
});
export type TwinConfig = z.infer<typeof TwinConfigSchema>;
export type TwinConfigInput = z.input<typeof TwinConfigSchema>;

export interface ServiceStats {
  name: string;
  offered: number;
  served: number;
  dropped: number;
  /** Served but answered with an error (bad rollout); a subset of `served`. */
  failed: number;
  /** Requests queued now. offered = served + dropped + backlog (from an empty start). */
  backlog: number;
  sloViolationSeconds: number;
  meanP99Ms: number;
  maxP99Ms: number;
  /** CPU-seconds one Ready pod has used since the start (every Ready pod carries the same share): feeds /metrics counters. */
  cpuSecondsPerReadyPod: number;
}

export interface TwinStats {
  at: number;
  elapsedSeconds: number;
  costDollars: number;
  nodeSeconds: number;
  pendingPodSeconds: number;
  /** Σ over services of the seconds each violated its SLO. */
  sloViolationSeconds: number;
  /** Seconds in which at least one service violated its SLO. */
  anyViolationSeconds: number;
  meanP99Ms: number;
  maxP99Ms: number;
  offered: number;
  served: number;
  dropped: number;
  failed: number;
  services: ServiceStats[];
}

// Pod phases.
const FREE = 0;
const PENDING = 1;
const STARTING = 2;
const READY = 3;
const CRASH = 4;
// Pod flags.
const F_LEAK = 1;
const F_CRASHLOOP = 2;
const F_WARNED = 4;
// Node states.
const GONE = 0;
const PROVISIONING = 1;
const NODE_READY = 2;
const NOT_READY = 3;

const MAX_EVENTS = 10000;
const MAX_LOGS = 10000;

interface ActiveFault {
  spec: FaultSpec;
  endAt: number;
  svc: number;
  pod: number;
  podUid: number;
  node: number;
}

/** Grows a typed array, keeping contents. */
function grown<T extends Float64Array | Float32Array | Int32Array | Uint8Array | Uint16Array>(a: T, n: number): T {
  const b = new (a.constructor as new (n: number) => T)(n);
  b.set(a);
  return b;
}

export class TwinCluster implements TelemetrySource, Provider {
  readonly name = 'twin';
  readonly config: TwinConfig;
  /** Revisions and canary traffic splits (rollout.ts); inert until a revision is defined or rolled out. */
  readonly rollouts: TwinRollouts;
  private now: number;
  private readonly rng: Rng;

  // Services.
  private readonly S: number;
  private readonly svcNames: string[];
  private readonly svcIndex = new Map<string, number>();
  private readonly cpuReq: Float64Array;
  private readonly memReq: Float64Array;
  private readonly mu: Float64Array;
  private readonly cpuPerReq: Float64Array;
  private readonly idleCpu: Float64Array;
  private readonly memBase: Float64Array;
  private readonly timeoutS: Float64Array;
  private readonly sloP99: Float64Array;
  private readonly sloErr: Float64Array;
  private readonly loads: LoadFn[];
  private readonly desired: Int32Array;
  private readonly nPending: Int32Array;
  private readonly nStarting: Int32Array;
  private readonly nReady: Int32Array;
  private readonly nCrash: Int32Array;
  private readonly svcPods: number[][];
  private readonly muFactor: Float64Array;
  private readonly badFraction: Float64Array;
  private readonly revision: Int32Array;
  private readonly lastNoisyLog: Float64Array;
  // Queue and accounting.
  private readonly backlog: Float64Array;
  private readonly totOffered: Float64Array;
  private readonly totServed: Float64Array;
  private readonly totDropped: Float64Array;
  private readonly totFailed: Float64Array;
  private readonly violSec: Float64Array;
  private readonly p99Integral: Float64Array;
  private readonly maxP99: Float64Array;
  private readonly lastRate: Float64Array;
  private readonly lastServedRate: Float64Array;
  private readonly lastErr: Float64Array;
  private readonly lastP50: Float64Array;
  private readonly lastP99: Float64Array;
  private readonly memExtraReady: Float64Array;
  private readonly cpuPerPodInt: Float64Array;
  // Metrics pipeline: per-service ring of per-pod CPU usage, one slot per step.
  private readonly ringLen: number;
  private readonly ring: Float32Array;
  private readonly ringSum: Float64Array;
  private ringPos = 0;
  private readonly sampledReady: Int32Array;
  private readonly sampledPerPod: Float64Array;

  // Pods.
  private pCap = 0;
  private pSvc = new Int32Array(0);
  private pNode = new Int32Array(0);
  private pPhase = new Uint8Array(0);
  private pFlags = new Uint8Array(0);
  private pTime = new Float64Array(0);
  private pUid = new Int32Array(0);
  private pRestarts = new Uint16Array(0);
  /** Pod names as last built, and the uid and revision they were built for (snapshots list every pod each tick). */
  private readonly pName: string[] = [];
  private pNameUid = new Int32Array(0);
  private pNameRev = new Int32Array(0);
  private readonly pMemory: (PodMemory | undefined)[] = [];
  private pMemExtra = new Float32Array(0);
  private pLeakRate = new Float32Array(0);
  private pSize = 0;
  private readonly freeSlots: number[] = [];
  private nextUid = 1;
  private readonly pendingList: number[] = [];
  private startingList: number[] = [];
  private readonly crashList: number[] = [];
  private readonly leakList: number[] = [];
  private schedDirty = true;

  // Nodes.
  private readonly nodes = new NodeTable();
  private nState = new Uint8Array(16);
  private nCordoned = new Uint8Array(16);
  private nSpot = new Uint8Array(16);
  private nType: InstanceType[] = [];
  private nPrice = new Float64Array(16);
  private nReadyAt = new Float64Array(16);
  private nTerminateAt = new Float64Array(16);
  private nRecoverAt = new Float64Array(16);
  private readonly nNames: string[] = [];
  private readonly nodeIndex = new Map<string, number>();
  private readonly provisioning: number[] = [];
  private billedPerHour = 0;

  // Faults, events, accounting.
  private readonly scheduledFaults: FaultSpec[] = [];
  private activeFaults: ActiveFault[] = [];
  private events: ClusterEvent[] = [];
  private logs: LogLine[] = [];
  private eventsDropped = 0;
  private cost = 0;
  private nodeSeconds = 0;
  private pendingPodSeconds = 0;
  private anyViolationSeconds = 0;
  private elapsed = 0;
  private readonly q: QueueStep = { offered: 0, served: 0, dropped: 0, backlogBefore: 0, backlogAfter: 0, p50Ms: 0, p99Ms: 0 };

  constructor(input: TwinConfigInput = {}) {
    const parsed = TwinConfigSchema.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new UserError(issue.message, `twin config ${issue.path.join('.')}`);
    }
    const cfg = (this.config = parsed.data);
    this.now = cfg.startTime;
    this.rng = new Rng(cfg.seed);
    const S = (this.S = cfg.services.length);
    const f64 = () => new Float64Array(S);
    const i32 = () => new Int32Array(S);
    this.svcNames = cfg.services.map((s) => s.name);
    this.rollouts = new TwinRollouts(this.svcNames, cfg.seed);
    this.cpuReq = f64(); this.memReq = f64(); this.mu = f64(); this.cpuPerReq = f64(); this.idleCpu = f64();
    this.memBase = f64(); this.timeoutS = f64(); this.sloP99 = f64(); this.sloErr = f64();
    this.desired = i32(); this.nPending = i32(); this.nStarting = i32(); this.nReady = i32(); this.nCrash = i32();
    this.muFactor = f64().fill(1); this.badFraction = f64(); this.revision = i32().fill(1); this.lastNoisyLog = f64().fill(-Infinity);
    this.backlog = f64(); this.totOffered = f64(); this.totServed = f64(); this.totDropped = f64(); this.totFailed = f64();
    this.violSec = f64(); this.p99Integral = f64(); this.maxP99 = f64();
    this.lastRate = f64(); this.lastServedRate = f64(); this.lastErr = f64(); this.lastP50 = f64(); this.lastP99 = f64();
    this.memExtraReady = f64();
    this.cpuPerPodInt = f64();
    this.ringLen = Math.max(1, Math.round(cfg.metricsWindowSeconds / cfg.stepSeconds));
    this.ring = new Float32Array(S * this.ringLen);
    this.ringSum = f64();
    this.sampledReady = i32();
    this.sampledPerPod = f64();
    this.svcPods = new Array<number[]>(S);
    this.loads = new Array<LoadFn>(S);
    const defaultLoad = LoadSpecSchema.parse({ generator: 'steady' });
    for (let s = 0; s < S; s++) {
      const sv = cfg.services[s];
      if (this.svcIndex.has(sv.name)) throw new UserError(`duplicate service name '${sv.name}'`, `twin config services.${s}.name`);
      this.svcIndex.set(sv.name, s);
      this.cpuReq[s] = sv.cpuRequestMillis;
      this.memReq[s] = sv.memoryRequestMiB;
      this.mu[s] = sv.serviceRatePerReplica;
      this.idleCpu[s] = sv.idleCpuMillis ?? 0.05 * sv.cpuRequestMillis;
      this.cpuPerReq[s] = sv.cpuMillisPerRequest ?? Math.max(0, sv.cpuRequestMillis - this.idleCpu[s]) / sv.serviceRatePerReplica;
      this.memBase[s] = Math.min(sv.memoryBaseMiB ?? 0.6 * sv.memoryRequestMiB, sv.memoryRequestMiB);
      this.timeoutS[s] = sv.timeoutMs / 1000;
      this.sloP99[s] = sv.sloP99Ms;
      this.sloErr[s] = sv.sloErrorRate;
      this.desired[s] = sv.replicas;
      this.svcPods[s] = [];
      const base = 0.6 * Math.max(1, sv.replicas) * sv.serviceRatePerReplica;
      this.loads[s] = makeLoad(sv.load ?? defaultLoad, cfg.seed, s, cfg.startTime, base);
    }
    this.ensurePodCapacity(cfg.services.reduce((n, s) => n + s.replicas, 0) + 16);
    // The cluster starts in steady state: initial nodes Ready, initial pods Ready on them.
    for (let p = 0; p < cfg.nodePools.length; p++) {
      const pool = cfg.nodePools[p];
      const t = CATALOGUE.get(pool.instanceType);
      if (!t) throw new UserError(`unknown instance type '${pool.instanceType}' (known: ${[...CATALOGUE.keys()].join(', ')})`, `twin config nodePools.${p}.instanceType`);
      for (let k = 0; k < pool.count; k++) this.addNode(t, pool.spot, true);
    }
    this.placeInitialPods();
    this.primeMetrics();
  }

  // ---------------------------------------------------------------- public API

  /** Simulation time, epoch seconds. */
  get time(): number {
    return this.now;
  }

  /**
   * An independent copy of the cluster as it is now (time, pods, nodes, queues, faults, metrics, accounting and
   * the RNG states): deterministic, so the fork and the original evolve identically under the same actions, and
   * neither affects the other. Shadow mode runs another policy in a fork (loop/shadow-counterfactual.ts).
   */
  fork(): TwinCluster {
    return deepFork(this, [this.config, ...CATALOGUE.values()]);
  }

  serviceNames(): readonly string[] {
    return this.svcNames;
  }

  /** Integrates `seconds` of simulated time in steps of at most `stepSeconds`. */
  advance(seconds: number): void {
    let left = seconds;
    const h = this.config.stepSeconds;
    while (left > 1e-9) {
      const dt = Math.min(h, left);
      this.step(dt);
      left -= dt;
    }
    // Transitions due by the end time show in the next snapshot, not one step later.
    this.timers();
  }

  async snapshot(): Promise<Snapshot> {
    return this.snapshotNow();
  }

  async apply(action: Action): Promise<Outcome> {
    return this.applyNow(action);
  }

  /** Schedules a fault; `at` is seconds after the start time (a past time activates at the next step). */
  inject(fault: FaultSpec): void {
    if (fault.target !== undefined && (fault.kind === 'node-crash' || fault.kind === 'spot-reclaim') && !this.nodeIndex.has(fault.target)) {
      throw new UserError(`unknown node '${fault.target}'`, `fault ${fault.kind}`);
    }
    if (fault.kind !== 'node-crash' && fault.kind !== 'spot-reclaim' && !this.svcIndex.has(fault.target ?? '')) {
      throw new UserError(`unknown service '${fault.target ?? ''}' (known: ${this.svcNames.slice(0, 20).join(', ')})`, `fault ${fault.kind}`);
    }
    this.scheduledFaults.push(fault);
    this.scheduledFaults.sort((a, b) => a.at - b.at);
  }

  /** The Snapshot the loop sees: service telemetry through the metrics pipeline, nodes, and events/logs since the last call. */
  snapshotNow(): Snapshot {
    const services: ServiceTelemetry[] = new Array(this.S);
    for (let s = 0; s < this.S; s++) {
      const readyNow = this.nReady[s];
      const ready = Math.min(this.sampledReady[s], readyNow);
      const usage = ready * this.sampledPerPod[s];
      const memUse = readyNow * this.memBase[s] + this.memExtraReady[s];
      services[s] = {
        name: this.svcNames[s],
        replicas: this.desired[s],
        readyReplicas: readyNow,
        pendingReplicas: this.nPending[s],
        cpuRequestMillis: this.cpuReq[s],
        memoryRequestMiB: this.memReq[s],
        serviceRatePerReplica: this.mu[s],
        pods: {
          ready,
          // As the HPA groups them: Pending and not-Ready pods are unready; Ready pods without a sample are missing.
          unready: this.nPending[s] + this.nStarting[s] + this.nCrash[s],
          missing: readyNow - ready,
          cpuUsageMillis: usage,
          memory: this.podMemory(s),
        },
        cpuUtilization: ready > 0 ? usage / (ready * this.cpuReq[s]) : 0,
        memoryUtilization: readyNow > 0 ? memUse / (readyNow * this.memReq[s]) : 0,
        requestRate: this.lastRate[s],
        servedRate: this.lastServedRate[s],
        errorRate: this.lastErr[s],
        latencyP50Ms: this.lastP50[s],
        latencyP99Ms: this.lastP99[s],
        queueDepth: this.backlog[s],
      };
    }
    const nodes: NodeTelemetry[] = [];
    const nt = this.nodes;
    for (let n = 0; n < nt.size; n++) {
      const st = this.nState[n];
      if (st === GONE) continue;
      nodes.push({
        name: this.nNames[n],
        instanceType: this.nType[n].name,
        spot: this.nSpot[n] === 1,
        ready: st === NODE_READY,
        provisioning: st === PROVISIONING,
        cpuAllocatableMillis: nt.cpuAlloc[n],
        memoryAllocatableMiB: nt.memAlloc[n],
        cpuRequestedMillis: nt.cpuReq[n],
        memoryRequestedMiB: nt.memReq[n],
        pods: nt.pods[n],
        podsAllocatable: this.nType[n].maxPods,
        pricePerHour: this.nPrice[n],
        readyForSeconds: st === NODE_READY ? Math.max(0, this.now - this.nReadyAt[n]) : 0,
      });
    }
    if (this.eventsDropped > 0) {
      this.logs.push({ at: this.now, source: 'twin', line: `${this.eventsDropped} events dropped (more than ${MAX_EVENTS} since the last snapshot)` });
      this.eventsDropped = 0;
    }
    const snap: Snapshot = { at: this.now, services, nodes, events: this.events, logs: this.logs, costPerHour: this.billedPerHour };
    this.events = [];
    this.logs = [];
    return snap;
  }

  /**
   * Working set of each pod whose container runs (Starting or Ready); the limit is the request (Guaranteed QoS).
   * An unchanged pod keeps last snapshot's object (never mutated), so a large steady cluster allocates nothing here.
   */
  private podMemory(s: number): PodMemory[] {
    const out: PodMemory[] = [];
    const limit = this.memReq[s];
    for (const p of this.svcPods[s]) {
      const ph = this.pPhase[p];
      if (ph !== READY && ph !== STARTING) continue;
      const pod = this.podName(p);
      const ws = this.memBase[s] + this.pMemExtra[p];
      let m = this.pMemory[p];
      if (!m || m.pod !== pod || m.workingSetMiB !== ws || m.limitMiB !== limit) this.pMemory[p] = m = { pod, workingSetMiB: ws, limitMiB: limit, requestMiB: limit };
      out.push(m);
    }
    return out;
  }

  applyNow(a: Action): Outcome {
    switch (a.kind) {
      case 'scale': {
        const s = this.svcIndex.get(a.service);
        if (s === undefined) return { ok: false, message: `unknown service '${a.service}'` };
        const before = this.desired[s];
        this.desired[s] = a.to;
        this.reconcile(s);
        this.event('Normal', 'ScalingReplicaSet', `deployment/${a.service}`, `Scaled ${a.to >= before ? 'up' : 'down'} replica set ${a.service} from ${before} to ${a.to}`);
        return { ok: true, message: `${a.service}: ${before} → ${a.to} replicas${before !== a.from ? ` (was ${before}, not ${a.from})` : ''}` };
      }
      case 'add-nodes': {
        const t = CATALOGUE.get(a.instanceType);
        if (!t) return { ok: false, message: `unknown instance type '${a.instanceType}'` };
        const names: string[] = [];
        for (let k = 0; k < a.count; k++) names.push(this.nNames[this.addNode(t, a.spot, false)]);
        return { ok: true, message: `requested ${a.count}× ${a.instanceType}${a.spot ? ' (spot)' : ''}: ${names.join(', ')}; ready in ${this.config.nodeProvisioningSeconds}s` };
      }
      case 'remove-node': {
        const n = this.nodeIndex.get(a.node);
        if (n === undefined || this.nState[n] === GONE) return { ok: false, message: `unknown node '${a.node}'` };
        const evicted = this.evictNodePods(n, 'Evicted');
        this.terminateNode(n);
        this.event('Normal', 'RemovingNode', `node/${a.node}`, `Node ${a.node} event: Removing Node ${a.node} from Controller`);
        return { ok: true, message: `removed ${a.node}; ${evicted} pods rescheduled` };
      }
      case 'cordon-drain': {
        const n = this.nodeIndex.get(a.node);
        if (n === undefined || this.nState[n] === GONE) return { ok: false, message: `unknown node '${a.node}'` };
        this.nCordoned[n] = 1;
        this.nodes.schedulable[n] = 0;
        this.event('Normal', 'NodeNotSchedulable', `node/${a.node}`, `Node ${a.node} status is now: NodeNotSchedulable`);
        const evicted = this.evictNodePods(n, 'Evicted');
        return { ok: true, message: `cordoned and drained ${a.node}; ${evicted} pods rescheduled` };
      }
      case 'restart-pod': {
        const s = this.svcIndex.get(a.service);
        if (s === undefined) return { ok: false, message: `unknown service '${a.service}'` };
        const p = a.pod !== undefined ? this.findPod(s, a.pod) : this.worstPod(s);
        if (p < 0) return { ok: false, message: a.pod !== undefined ? `no pod '${a.pod}' in ${a.service}` : `${a.service} has no pods` };
        if (this.pPhase[p] === PENDING) return { ok: false, message: `${this.podName(p)} is Pending: nothing to restart` };
        const name = this.podName(p);
        this.event('Normal', 'Killing', `pod/${name}`, FaultText.killing(a.service));
        this.restartPod(p, true);
        return { ok: true, message: `restarted ${name}; Ready in ${this.config.podStartupSeconds}s` };
      }
      case 'rollback': {
        const s = this.svcIndex.get(a.service);
        if (s === undefined) return { ok: false, message: `unknown service '${a.service}'` };
        const wasBad = this.badFraction[s] > 0;
        this.badFraction[s] = 0;
        let restarted = 0;
        for (const p of this.svcPods[s].slice()) {
          if (this.pFlags[p] & F_CRASHLOOP) {
            this.restartPod(p, true);
            restarted++;
          }
        }
        this.activeFaults = this.activeFaults.filter((f) => !(f.svc === s && (f.spec.kind === 'bad-rollout' || f.spec.kind === 'crash-loop')));
        if (this.revision[s] > 1) this.revision[s]--;
        this.rollouts.rollback(s);
        this.event('Normal', 'DeploymentRollback', `deployment/${a.service}`, FaultText.rollback(a.service, this.revision[s]));
        return { ok: true, message: `rolled back ${a.service}${wasBad ? ' (bad revision removed)' : ''}${restarted ? `; ${restarted} crash-looping pods restarted` : ''}` };
      }
      case 'rollout': {
        const s = this.svcIndex.get(a.service);
        if (s === undefined) return { ok: false, message: `unknown service '${a.service}'` };
        const r = this.rollouts.apply(s, a.revision, a.weight);
        if (r.ok && r.promoted) {
          this.revision[s]++;
          this.event('Normal', 'ScalingReplicaSet', `deployment/${a.service}`, FaultText.rollout(a.service, this.revision[s]));
        }
        return { ok: r.ok, message: r.message };
      }
    }
  }

  stats(): TwinStats {
    const services: ServiceStats[] = new Array(this.S);
    let viol = 0, p99Int = 0, maxP99 = 0, off = 0, srv = 0, drp = 0, fl = 0;
    for (let s = 0; s < this.S; s++) {
      services[s] = {
        name: this.svcNames[s],
        offered: this.totOffered[s],
        served: this.totServed[s],
        dropped: this.totDropped[s],
        failed: this.totFailed[s],
        backlog: this.backlog[s],
        sloViolationSeconds: this.violSec[s],
        meanP99Ms: this.elapsed > 0 ? this.p99Integral[s] / this.elapsed : 0,
        maxP99Ms: this.maxP99[s],
        cpuSecondsPerReadyPod: this.cpuPerPodInt[s],
      };
      viol += this.violSec[s];
      p99Int += this.p99Integral[s];
      if (this.maxP99[s] > maxP99) maxP99 = this.maxP99[s];
      off += this.totOffered[s];
      srv += this.totServed[s];
      drp += this.totDropped[s];
      fl += this.totFailed[s];
    }
    return {
      at: this.now,
      elapsedSeconds: this.elapsed,
      costDollars: this.cost,
      nodeSeconds: this.nodeSeconds,
      pendingPodSeconds: this.pendingPodSeconds,
      sloViolationSeconds: viol,
      anyViolationSeconds: this.anyViolationSeconds,
      meanP99Ms: this.elapsed > 0 && this.S > 0 ? p99Int / (this.elapsed * this.S) : 0,
      maxP99Ms: maxP99,
      offered: off,
      served: srv,
      dropped: drp,
      failed: fl,
      services,
    };
  }

  /**
   * Ground truth for benchmarks and tests, which the loop never sees: the services an injected fault is acting on
   * right now (a crash-looping or leaking pod, a bad revision serving, a slowed dependency).
   */
  faultEffects(): { crashLooping: string[]; leaking: string[]; badRevision: string[]; slowed: string[] } {
    const names = (pods: readonly number[]): string[] => [...new Set(pods.map((p) => this.svcNames[this.pSvc[p]]))].sort();
    const where = (a: Float64Array, bad: (x: number) => boolean): string[] => this.svcNames.filter((_, s) => bad(a[s]));
    return {
      crashLooping: names(this.crashList),
      leaking: names(this.leakList),
      badRevision: where(this.badFraction, (x) => x > 0),
      slowed: where(this.muFactor, (x) => x < 1),
    };
  }

  /** Pod names of a service with their phase, for tests and the CLI (`kubectl get pods`-like). */
  podsOf(service: string): { name: string; node: string | null; phase: 'Pending' | 'Starting' | 'Ready' | 'CrashLoopBackOff'; restarts: number; memoryMiB: number }[] {
    const s = this.svcIndex.get(service);
    if (s === undefined) return [];
    const names = ['Free', 'Pending', 'Starting', 'Ready', 'CrashLoopBackOff'] as const;
    return this.svcPods[s].map((p) => ({
      name: this.podName(p),
      node: this.pNode[p] >= 0 ? this.nNames[this.pNode[p]] : null,
      phase: names[this.pPhase[p]] as 'Pending' | 'Starting' | 'Ready' | 'CrashLoopBackOff',
      restarts: this.pRestarts[p],
      memoryMiB: this.memBase[s] + this.pMemExtra[p],
    }));
  }

  // ---------------------------------------------------------------- the step

  private step(dt: number): void {
    const t0 = this.now;
    this.timers();
    this.growLeaks(dt);

    const q = this.q;
    const R = this.ringLen;
    const slot = this.ringPos;
    let anyViol = false;
    for (let s = 0; s < this.S; s++) {
      const lambda = this.loads[s](t0);
      const c = this.nReady[s];
      const mu = this.mu[s] * this.muFactor[s] * this.rollouts.muFactor[s];
      queueStep(this.backlog[s], lambda, c, mu, this.timeoutS[s], dt, q);
      this.backlog[s] = q.backlogAfter;
      const failed = q.served * Math.min(1, this.badFraction[s] + this.rollouts.errorFraction[s]);
      if (this.rollouts.tracked[s] === 1) this.rollouts.record(s, t0 + dt, q);
      this.totOffered[s] += q.offered;
      this.totServed[s] += q.served;
      this.totDropped[s] += q.dropped;
      this.totFailed[s] += failed;
      const err = q.offered > 0 ? Math.min(1, (q.dropped + failed) / q.offered) : 0;
      this.lastRate[s] = lambda;
      this.lastServedRate[s] = q.served / dt;
      this.lastErr[s] = err;
      this.lastP50[s] = q.p50Ms;
      this.lastP99[s] = q.p99Ms;
      this.p99Integral[s] += q.p99Ms * dt;
      if (q.p99Ms > this.maxP99[s]) this.maxP99[s] = q.p99Ms;
      if (q.p99Ms > this.sloP99[s] || err > this.sloErr[s]) {
        this.violSec[s] += dt;
        anyViol = true;
      }
      // Per-pod CPU: idle floor + its share of served requests × CPU per request (twin-model.md "CPU as the HPA sees it").
      const perPod = c > 0 ? this.idleCpu[s] + (q.served / dt / c) * this.cpuPerReq[s] : this.ring[s * R + ((slot + R - 1) % R)];
      const k = s * R + slot;
      this.ringSum[s] += perPod - this.ring[k];
      if (c > 0) this.cpuPerPodInt[s] += (perPod * dt) / 1000;
      this.ring[k] = perPod;
      if (this.muFactor[s] < 1 || this.badFraction[s] > 0) this.noisyLogs(s, q, failed);
    }
    this.ringPos = (slot + 1) % R;
    if (anyViol) this.anyViolationSeconds += dt;

    let pending = 0;
    for (let s = 0; s < this.S; s++) pending += this.nPending[s];
    this.pendingPodSeconds += pending * dt;
    this.cost += (this.billedPerHour * dt) / 3600;
    let billed = 0;
    for (let n = 0; n < this.nodes.size; n++) if (this.nState[n] !== GONE) billed++;
    this.nodeSeconds += billed * dt;
    this.elapsed += dt;
    this.now = t0 + dt;
    const res = this.config.metricsResolutionSeconds;
    if (Math.floor(this.now / res) > Math.floor(t0 / res)) this.sampleMetrics();
  }

  /** Publishes a metrics sample: ready pods now, each at its 1-minute mean usage (metrics-server's view). */
  private sampleMetrics(): void {
    for (let s = 0; s < this.S; s++) {
      this.sampledReady[s] = this.nReady[s];
      this.sampledPerPod[s] = Math.max(0, this.ringSum[s] / this.ringLen);
    }
  }

  /** Before the first step: fill the rate window as if the cluster had been running at its start load. */
  private primeMetrics(): void {
    const R = this.ringLen;
    for (let s = 0; s < this.S; s++) {
      const c = this.nReady[s];
      const served = Math.min(this.loads[s](this.now), c * this.mu[s]);
      const perPod = c > 0 ? this.idleCpu[s] + (served / c) * this.cpuPerReq[s] : 0;
      this.ring.fill(perPod, s * R, s * R + R);
      this.ringSum[s] = perPod * R;
      this.lastRate[s] = this.loads[s](this.now);
    }
    this.sampleMetrics();
  }

  private noisyLogs(s: number, q: QueueStep, failed: number): void {
    // At most one line per service per minute per symptom, like a sampled log shipper.
    if (this.now - this.lastNoisyLog[s] < 60) return;
    const name = this.svcNames[s];
    let wrote = false;
    if (this.muFactor[s] < 1 && (q.dropped > 0 || q.p99Ms > this.sloP99[s])) {
      this.log(`${name}/envoy`, FaultText.upstreamTimeout(name));
      this.log(`${name}/app`, FaultText.slowDependency(Math.round(1000 / (this.mu[s] * this.muFactor[s]))));
      wrote = true;
    }
    if (failed > 0) {
      this.log(`${name}/app`, FaultText.badRolloutLog(`/api/v2/${name}`));
      const pods = this.svcPods[s];
      if (pods.length > 0) {
        const p = pods[this.rng.int(pods.length)];
        this.event('Warning', 'Unhealthy', `pod/${this.podName(p)}`, FaultText.readinessFailed);
      }
      wrote = true;
    }
    if (wrote) this.lastNoisyLog[s] = this.now;
  }

  // ---------------------------------------------------------------- timers

  /** Everything due by `now`: faults, node and pod transitions, then scheduling. Idempotent at a fixed time. */
  private timers(): void {
    this.processFaults();
    this.processNodes();
    this.processPods();
    if (this.schedDirty && this.pendingList.length > 0) this.schedulePending();
  }

  private processNodes(): void {
    for (let i = this.provisioning.length - 1; i >= 0; i--) {
      const n = this.provisioning[i];
      if (this.nState[n] !== PROVISIONING) {
        this.provisioning.splice(i, 1);
      } else if (this.nReadyAt[n] <= this.now) {
        this.provisioning.splice(i, 1);
        this.markNodeReady(n);
        this.event('Normal', 'NodeReady', `node/${this.nNames[n]}`, FaultText.nodeReady(this.nNames[n]));
      }
    }
    for (const f of this.activeFaults) {
      const n = f.node;
      if (n < 0) continue;
      if (this.nState[n] !== GONE && this.nTerminateAt[n] <= this.now) {
        this.nTerminateAt[n] = Infinity;
        this.crashNode(n, f.spec.duration);
      }
      if (this.nState[n] === NOT_READY && this.nRecoverAt[n] <= this.now) {
        this.nRecoverAt[n] = Infinity;
        this.markNodeReady(n);
        this.event('Normal', 'NodeReady', `node/${this.nNames[n]}`, FaultText.nodeReady(this.nNames[n]));
      }
    }
  }

  private processPods(): void {
    if (this.startingList.length > 0) {
      let w = 0;
      const list = this.startingList;
      for (let i = 0; i < list.length; i++) {
        const p = list[i];
        if (this.pPhase[p] !== STARTING) continue;
        if (this.pTime[p] <= this.now) {
          const s = this.pSvc[p];
          this.pPhase[p] = READY;
          this.nStarting[s]--;
          this.nReady[s]++;
        } else list[w++] = p;
      }
      list.length = w;
    }
    for (const p of this.crashList) {
      if (this.pPhase[p] !== CRASH || this.pTime[p] > this.now) continue;
      // The container starts, fails to reach its database, exits 1; kubelet backs off 10 s × 2^n, capped at 5 min.
      const s = this.pSvc[p];
      const name = this.podName(p);
      this.pRestarts[p] = Math.min(65535, this.pRestarts[p] + 1);
      this.log(`${name}/${this.svcNames[s]}`, FaultText.crashLog(fakeIp(7 + s)));
      this.log(`kubelet/${this.nodeNameOf(p)}`, FaultText.exitCode(this.svcNames[s], this.pRestarts[p]));
      this.event('Warning', 'BackOff', `pod/${name}`, FaultText.backOff(this.svcNames[s], name));
      this.pTime[p] = this.now + Math.min(300, 10 * 2 ** Math.min(this.pRestarts[p] - 1, 5));
    }
  }

  private growLeaks(dt: number): void {
    this.memExtraReady.fill(0);
    for (let i = 0; i < this.leakList.length; i++) {
      const p = this.leakList[i];
      const s = this.pSvc[p];
      if (this.pPhase[p] !== READY) continue;
      this.pMemExtra[p] += this.pLeakRate[p] * dt;
      if (this.memBase[s] + this.pMemExtra[p] >= this.memReq[s]) {
        const name = this.podName(p);
        this.pRestarts[p] = Math.min(65535, this.pRestarts[p] + 1);
        this.log(`${name}/${this.svcNames[s]}`, FaultText.oomLog);
        this.log(`kernel/${this.nodeNameOf(p)}`, FaultText.oomKernel(1000 + (this.pUid[p] % 30000)));
        this.event('Warning', 'OOMKilled', `pod/${name}`, FaultText.oomKilled(this.svcNames[s], this.pRestarts[p]));
        this.restartPod(p, false);
      } else this.memExtraReady[s] += this.pMemExtra[p];
    }
  }

  private processFaults(): void {
    while (this.scheduledFaults.length > 0 && this.config.startTime + this.scheduledFaults[0].at <= this.now) {
      this.activate(this.scheduledFaults.shift() as FaultSpec);
    }
    if (this.activeFaults.length === 0) return;
    const still: ActiveFault[] = [];
    for (const f of this.activeFaults) {
      if (f.endAt <= this.now) this.expire(f);
      else still.push(f);
    }
    this.activeFaults = still;
  }

  private activate(spec: FaultSpec): void {
    const endAt = spec.duration !== undefined ? this.now + spec.duration : Infinity;
    const f: ActiveFault = { spec, endAt, svc: -1, pod: -1, podUid: 0, node: -1 };
    if (spec.kind === 'node-crash' || spec.kind === 'spot-reclaim') {
      const n = spec.target !== undefined ? (this.nodeIndex.get(spec.target) ?? -1) : this.randomNode(spec.kind === 'spot-reclaim');
      if (n < 0 || this.nState[n] === GONE) {
        this.log('twin', `fault ${spec.kind}: no ${spec.kind === 'spot-reclaim' ? 'spot ' : ''}node to hit`);
        return;
      }
      f.node = n;
      f.endAt = Infinity; // node faults end by recovery/termination timers, not by expiry
      if (spec.kind === 'spot-reclaim') {
        const name = this.nNames[n];
        this.event('Warning', 'SpotInterruption', `node/${name}`, FaultText.spotNotice(name));
        this.log(`aws-node-termination-handler`, `Received spot interruption notice for ${name}, instance-action: terminate`);
        this.nCordoned[n] = 1;
        this.nodes.schedulable[n] = 0;
        this.nTerminateAt[n] = this.now + this.config.spotNoticeSeconds;
      } else {
        this.crashNode(n, spec.duration);
      }
      this.activeFaults.push(f);
      return;
    }
    const s = this.svcIndex.get(spec.target ?? '') ?? -1;
    if (s < 0) return;
    f.svc = s;
    const name = this.svcNames[s];
    switch (spec.kind) {
      case 'crash-loop':
      case 'memory-leak': {
        const p = this.randomPod(s, spec.kind === 'crash-loop' ? F_CRASHLOOP : F_LEAK);
        if (p < 0) {
          this.log('twin', `fault ${spec.kind}:${name}: no running pod to hit`);
          return;
        }
        f.pod = p;
        f.podUid = this.pUid[p];
        if (spec.kind === 'crash-loop') this.startCrashLoop(p);
        else {
          this.pFlags[p] |= F_LEAK;
          // Reaches its limit in about 15 minutes from the base, then OOM → restart → grows again: the saw-tooth.
          this.pLeakRate[p] = Math.max(1e-3, (this.memReq[s] - this.memBase[s]) / 900);
          this.leakList.push(p);
        }
        break;
      }
      case 'bad-rollout':
        this.badFraction[s] = spec.severity ?? 0.3;
        this.revision[s]++;
        this.event('Normal', 'ScalingReplicaSet', `deployment/${name}`, FaultText.rollout(name, this.revision[s]));
        break;
      case 'dependency-slowdown':
        this.muFactor[s] = spec.severity ?? 1 / 3;
        break;
    }
    this.activeFaults.push(f);
  }

  private expire(f: ActiveFault): void {
    const s = f.svc;
    switch (f.spec.kind) {
      case 'crash-loop':
      case 'memory-leak':
        if (f.pod >= 0 && this.pUid[f.pod] === f.podUid && this.pPhase[f.pod] !== FREE) {
          if (f.spec.kind === 'crash-loop' && this.pFlags[f.pod] & F_CRASHLOOP) this.restartPod(f.pod, true);
          else this.clearLeak(f.pod);
        }
        break;
      case 'bad-rollout':
        this.badFraction[s] = 0;
        break;
      case 'dependency-slowdown':
        this.muFactor[s] = 1;
        break;
      default:
        break;
    }
  }

  // ---------------------------------------------------------------- pods

  private ensurePodCapacity(n: number): void {
    if (n <= this.pCap) return;
    const cap = Math.max(n, this.pCap * 2, 64);
    this.pSvc = grown(this.pSvc, cap);
    this.pNode = grown(this.pNode, cap);
    this.pPhase = grown(this.pPhase, cap);
    this.pFlags = grown(this.pFlags, cap);
    this.pTime = grown(this.pTime, cap);
    this.pUid = grown(this.pUid, cap);
    this.pRestarts = grown(this.pRestarts, cap);
    this.pNameUid = grown(this.pNameUid, cap);
    this.pNameRev = grown(this.pNameRev, cap);
    this.pMemExtra = grown(this.pMemExtra, cap);
    this.pLeakRate = grown(this.pLeakRate, cap);
    this.pCap = cap;
  }

  private allocPod(s: number): number {
    let p = this.freeSlots.pop();
    if (p === undefined) {
      this.ensurePodCapacity(this.pSize + 1);
      p = this.pSize++;
    }
    this.pSvc[p] = s;
    this.pNode[p] = -1;
    this.pFlags[p] = 0;
    this.pTime[p] = 0;
    this.pUid[p] = this.nextUid++;
    this.pRestarts[p] = 0;
    this.pMemExtra[p] = 0;
    this.pLeakRate[p] = 0;
    this.svcPods[s].push(p);
    return p;
  }

  /** A new pod from the ReplicaSet: Pending until the scheduler places it. */
  private createPod(s: number): void {
    const p = this.allocPod(s);
    this.pPhase[p] = PENDING;
    this.nPending[s]++;
    this.pendingList.push(p);
    this.schedDirty = true;
  }

  private deletePod(p: number): void {
    const s = this.pSvc[p];
    switch (this.pPhase[p]) {
      case PENDING: {
        this.nPending[s]--;
        const i = this.pendingList.indexOf(p);
        if (i >= 0) this.pendingList.splice(i, 1);
        break;
      }
      case STARTING: this.nStarting[s]--; break; // startingList drops FREE entries lazily
      case READY: this.nReady[s]--; break;
      case CRASH: this.nCrash[s]--; break;
    }
    if (this.pFlags[p] & F_CRASHLOOP) this.crashList.splice(this.crashList.indexOf(p), 1);
    if (this.pFlags[p] & F_LEAK) this.leakList.splice(this.leakList.indexOf(p), 1);
    if (this.pNode[p] >= 0) {
      this.nodes.release(this.pNode[p], this.cpuReq[s], this.memReq[s]);
      this.schedDirty = true;
    }
    const list = this.svcPods[s];
    list.splice(list.lastIndexOf(p), 1);
    this.pPhase[p] = FREE;
    this.pFlags[p] = 0;
    this.pNode[p] = -1;
    this.freeSlots.push(p);
  }

  /** Brings a service's pod count to its desired replicas; scale-down removes Pending, then not-Ready, then newest Ready pods. */
  private reconcile(s: number): void {
    const list = this.svcPods[s];
    while (list.length < this.desired[s]) this.createPod(s);
    let excess = list.length - this.desired[s];
    for (const phase of [PENDING, STARTING, CRASH, READY]) {
      for (let i = list.length - 1; i >= 0 && excess > 0; i--) {
        const p = list[i];
        if (this.pPhase[p] !== phase) continue;
        this.deletePod(p);
        excess--;
      }
    }
  }

  private schedulePending(): void {
    this.schedDirty = false;
    const list = this.pendingList;
    let w = 0;
    // A request that did not fit anywhere this pass: anything at least as large cannot fit either.
    let failCpu = Infinity;
    let failMem = Infinity;
    for (let i = 0; i < list.length; i++) {
      const p = list[i];
      const s = this.pSvc[p];
      const cpu = this.cpuReq[s];
      const mem = this.memReq[s];
      const n = cpu >= failCpu && mem >= failMem ? -1 : this.nodes.bestFit(cpu, mem);
      if (n < 0) {
        if (cpu <= failCpu && mem <= failMem) {
          failCpu = cpu;
          failMem = mem;
        }
        if (!(this.pFlags[p] & F_WARNED)) {
          this.pFlags[p] |= F_WARNED;
          this.event('Warning', 'FailedScheduling', `pod/${this.podName(p)}`, this.failedSchedulingMessage(cpu, mem));
        }
        list[w++] = p;
        continue;
      }
      this.nodes.place(n, cpu, mem);
      this.pNode[p] = n;
      this.pPhase[p] = STARTING;
      this.pTime[p] = this.now + this.config.podStartupSeconds;
      this.nPending[s]--;
      this.nStarting[s]++;
      this.startingList.push(p);
      this.event('Normal', 'Scheduled', `pod/${this.podName(p)}`, `Successfully assigned default/${this.podName(p)} to ${this.nNames[n]}`);
    }
    list.length = w;
  }

  private failedSchedulingMessage(cpu: number, mem: number): string {
    const nt = this.nodes;
    let total = 0, cpuShort = 0, memShort = 0, podsShort = 0, unsched = 0;
    for (let n = 0; n < nt.size; n++) {
      if (this.nState[n] === GONE) continue;
      total++;
      if (!nt.schedulable[n]) { unsched++; continue; }
      if (nt.cpuReq[n] + cpu > nt.cpuAlloc[n]) cpuShort++;
      if (nt.memReq[n] + mem > nt.memAlloc[n]) memShort++;
      if (nt.pods[n] >= nt.maxPods[n]) podsShort++;
    }
    const parts: string[] = [];
    if (cpuShort) parts.push(`${cpuShort} Insufficient cpu`);
    if (memShort) parts.push(`${memShort} Insufficient memory`);
    if (podsShort) parts.push(`${podsShort} Too many pods`);
    if (unsched) parts.push(`${unsched} node(s) were unschedulable or not ready`);
    return `0/${total} nodes are available: ${parts.join(', ') || 'no nodes'}. preemption: 0/${total} nodes are available.`;
  }

  /** Initial placement: a moving first-fit cursor (all nodes start empty, so this is O(pods + nodes)). */
  private placeInitialPods(): void {
    const nt = this.nodes;
    let cursor = 0;
    for (let s = 0; s < this.S; s++) {
      for (let k = 0; k < this.desired[s]; k++) {
        const cpu = this.cpuReq[s];
        const mem = this.memReq[s];
        while (cursor < nt.size && !nt.fits(cursor, cpu, mem)) cursor++;
        let n = cursor;
        if (n >= nt.size) n = nt.bestFit(cpu, mem); // a smaller pod may still fit behind the cursor
        if (n < 0) {
          this.createPod(s);
          continue;
        }
        const p = this.allocPod(s);
        nt.place(n, cpu, mem);
        this.pNode[p] = n;
        this.pPhase[p] = READY;
        this.nReady[s]++;
      }
    }
  }

  private restartPod(p: number, clearFaults: boolean): void {
    const s = this.pSvc[p];
    if (clearFaults) {
      if (this.pFlags[p] & F_CRASHLOOP) {
        this.pFlags[p] &= ~F_CRASHLOOP;
        this.crashList.splice(this.crashList.indexOf(p), 1);
      }
      this.clearLeak(p);
    }
    switch (this.pPhase[p]) {
      case READY: this.nReady[s]--; break;
      case CRASH: this.nCrash[s]--; break;
      case STARTING: this.nStarting[s]--; break;
      default: return;
    }
    this.pPhase[p] = STARTING;
    this.nStarting[s]++;
    this.pTime[p] = this.now + this.config.podStartupSeconds;
    this.pMemExtra[p] = 0;
    this.startingList.push(p);
  }

  private clearLeak(p: number): void {
    if (!(this.pFlags[p] & F_LEAK)) return;
    this.pFlags[p] &= ~F_LEAK;
    this.pLeakRate[p] = 0;
    this.leakList.splice(this.leakList.indexOf(p), 1);
  }

  private startCrashLoop(p: number): void {
    const s = this.pSvc[p];
    switch (this.pPhase[p]) {
      case READY: this.nReady[s]--; break;
      case STARTING: this.nStarting[s]--; break;
      default: return;
    }
    this.pPhase[p] = CRASH;
    this.nCrash[s]++;
    this.pFlags[p] |= F_CRASHLOOP;
    this.pTime[p] = this.now; // first crash is immediate
    this.crashList.push(p);
  }

  /** A seeded random scheduled pod of service s without flag `avoid`, preferring Ready ones; −1 if none. */
  private randomPod(s: number, avoid: number): number {
    const list = this.svcPods[s];
    const ready = list.filter((p) => this.pPhase[p] === READY && !(this.pFlags[p] & avoid));
    const pool = ready.length > 0 ? ready : list.filter((p) => this.pPhase[p] === STARTING && !(this.pFlags[p] & avoid));
    return pool.length > 0 ? pool[this.rng.int(pool.length)] : -1;
  }

  /** The pod a human would restart: crash-looping, then the largest leaker, then the oldest. */
  private worstPod(s: number): number {
    const list = this.svcPods[s];
    let best = -1;
    let score = -Infinity;
    for (const p of list) {
      if (this.pPhase[p] === PENDING) continue;
      const sc = (this.pFlags[p] & F_CRASHLOOP ? 1e9 : 0) + this.pMemExtra[p];
      if (sc > score) {
        score = sc;
        best = p;
      }
    }
    return best;
  }

  private findPod(s: number, name: string): number {
    for (const p of this.svcPods[s]) if (this.podName(p) === name) return p;
    return -1;
  }

  /** `web-5f7c9d8b4-x2k4q`-like: a revision hash and the pod uid in base 36, deterministic. */
  private podName(p: number): string {
    const s = this.pSvc[p];
    const rev = this.revision[s];
    if (this.pNameUid[p] === this.pUid[p] && this.pNameRev[p] === rev) return this.pName[p];
    const name = `${this.svcNames[s]}-${(0x5f7c9d8b + rev * 7919).toString(16).slice(0, 8)}-${this.pUid[p].toString(36).padStart(5, '0')}`;
    this.pName[p] = name;
    this.pNameUid[p] = this.pUid[p];
    this.pNameRev[p] = rev;
    return name;
  }

  private nodeNameOf(p: number): string {
    return this.pNode[p] >= 0 ? this.nNames[this.pNode[p]] : 'unscheduled';
  }

  // ---------------------------------------------------------------- nodes

  private addNode(t: InstanceType, spot: boolean, readyNow: boolean): number {
    const n = this.nodes.add(t.cpuAllocatableMillis, t.memoryAllocatableMiB, t.maxPods);
    if (n >= this.nState.length) {
      const cap = this.nState.length * 2;
      this.nState = grown(this.nState, cap);
      this.nCordoned = grown(this.nCordoned, cap);
      this.nSpot = grown(this.nSpot, cap);
      this.nPrice = grown(this.nPrice, cap);
      this.nReadyAt = grown(this.nReadyAt, cap);
      this.nTerminateAt = grown(this.nTerminateAt, cap);
      this.nRecoverAt = grown(this.nRecoverAt, cap);
    }
    // EC2-style private DNS names, deterministic from the index.
    const name = `ip-10-${1 + (n >> 16)}-${(n >> 8) & 255}-${n & 255}.ec2.internal`;
    this.nNames[n] = name;
    this.nodeIndex.set(name, n);
    this.nType[n] = t;
    this.nSpot[n] = spot ? 1 : 0;
    this.nPrice[n] = pricePerHour(t, spot);
    this.nTerminateAt[n] = Infinity;
    this.nRecoverAt[n] = Infinity;
    this.billedPerHour += this.nPrice[n];
    if (readyNow) {
      this.nReadyAt[n] = this.now;
      this.nState[n] = NODE_READY;
      this.nodes.schedulable[n] = 1;
    } else {
      this.nState[n] = PROVISIONING;
      this.nReadyAt[n] = this.now + this.config.nodeProvisioningSeconds;
      this.provisioning.push(n);
    }
    return n;
  }

  private markNodeReady(n: number): void {
    this.nState[n] = NODE_READY;
    this.nReadyAt[n] = this.now;
    this.nodes.schedulable[n] = this.nCordoned[n] ? 0 : 1;
    this.schedDirty = true;
  }

  private terminateNode(n: number): void {
    if (this.nState[n] === GONE) return;
    this.nState[n] = GONE;
    this.nodes.schedulable[n] = 0;
    this.billedPerHour -= this.nPrice[n];
    if (Math.abs(this.billedPerHour) < 1e-9) this.billedPerHour = 0;
  }

  /** Node crash (twin-model.md): NotReady, its pods vanish and are recreated elsewhere. With `recoverAfter` it comes back. */
  private crashNode(n: number, recoverAfter?: number): void {
    const name = this.nNames[n];
    this.event('Warning', 'NodeNotReady', `node/${name}`, FaultText.nodeNotReady(name));
    this.log(`node-lifecycle-controller`, `${name}: ${FaultText.kubeletStopped}`);
    this.evictNodePods(n, 'TaintManagerEviction');
    if (recoverAfter !== undefined) {
      this.nState[n] = NOT_READY;
      this.nodes.schedulable[n] = 0;
      this.nRecoverAt[n] = this.now + recoverAfter;
    } else {
      this.terminateNode(n);
    }
  }

  /** Removes every pod on node n; the ReplicaSets recreate them (Pending until scheduled). Returns the count. */
  private evictNodePods(n: number, reason: string): number {
    const touched = new Set<number>();
    let count = 0;
    for (let p = 0; p < this.pSize; p++) {
      if (this.pPhase[p] === FREE || this.pNode[p] !== n) continue;
      const name = this.podName(p);
      this.event('Normal', reason, `pod/${name}`, reason === 'Evicted' ? `Evicted pod default/${name} from ${this.nNames[n]}` : FaultText.eviction(name));
      touched.add(this.pSvc[p]);
      this.deletePod(p);
      count++;
    }
    for (const s of touched) this.reconcile(s);
    return count;
  }

  private randomNode(spotOnly: boolean): number {
    const cands: number[] = [];
    for (let n = 0; n < this.nodes.size; n++) {
      if (this.nState[n] === NODE_READY && (!spotOnly || this.nSpot[n] === 1) && this.nTerminateAt[n] === Infinity) cands.push(n);
    }
    return cands.length > 0 ? cands[this.rng.int(cands.length)] : -1;
  }

  // ---------------------------------------------------------------- events

  private event(type: 'Normal' | 'Warning', reason: string, object: string, message: string): void {
    if (this.events.length >= MAX_EVENTS) {
      this.eventsDropped++;
      return;
    }
    this.events.push({ at: this.now, type, reason, object, message });
  }

  private log(source: string, line: string): void {
    if (this.logs.length < MAX_LOGS) this.logs.push({ at: this.now, source, line });
  }
}

/**
 * The benchmark's cluster: `nodes` m5.4xlarge nodes (16 vCPU, 64 GiB, 110 pods max), podsPerNode pods per
 * node, podsPerService replicas per service, pods placed directly and Ready, steady load at ~50 % of capacity.
 */
export function buildSyntheticCluster(opts: { nodes: number; podsPerNode?: number; podsPerService?: number; seed?: number }): TwinCluster {
  const podsPerNode = opts.podsPerNode ?? 30;
  const podsPerService = opts.podsPerService ?? 10;
  const nServices = Math.ceil((opts.nodes * podsPerNode) / podsPerService);
  const rng = new Rng(opts.seed ?? 1);
  const type = 'm5.4xlarge';
  // Requests sized so exactly podsPerNode pods fit a node: the cursor placement then fills each node to that count.
  const cpu = Math.floor((CATALOGUE.get(type)?.cpuAllocatableMillis ?? 0) / (podsPerNode + 0.5));
  const services: z.input<typeof TwinServiceSchema>[] = new Array(nServices);
  for (let s = 0; s < nServices; s++) {
    const mu = 40 + rng.int(40);
    services[s] = {
      name: `svc-${s}`,
      replicas: podsPerService,
      cpuRequestMillis: cpu,
      memoryRequestMiB: 1024,
      serviceRatePerReplica: mu,
      load: { generator: 'steady', params: { base: podsPerService * mu * (0.4 + 0.2 * rng.next()) } },
    };
  }
  return new TwinCluster({
    seed: opts.seed ?? 1,
    nodePools: [{ instanceType: type, count: opts.nodes, spot: false }],
    services,
  });
}
