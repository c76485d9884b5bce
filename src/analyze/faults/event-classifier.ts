import { z } from 'zod';
import type { ClusterEvent, LogLine, Snapshot } from '../../core/snapshot.js';
import type { Analyzer, Finding } from '../assessment.js';

/**
 * The fault classes the healing playbooks act on. All but `memory-leak` come from this classifier; that one comes
 * from the per-pod memory trend (memory-trend.ts), which sees a leak before the kernel kills the pod.
 */
export const FAULT_CLASSES = ['crash-loop', 'oom', 'memory-leak', 'bad-rollout', 'node-not-ready', 'spot-interruption', 'dependency-slowdown'] as const;
export type FaultClass = (typeof FAULT_CLASSES)[number];

export const EventClassifierConfigSchema = z.object({
  /** How far back events count towards a pattern (repeated OOM kills, a rollout followed by errors). */
  windowSeconds: z.number().positive().default(3600),
  /** Error rate above which a service that was just rolled out is called a bad rollout. */
  rolloutErrorRate: z.number().gt(0).lt(1).default(0.05),
  /** A rollout is "recent" for this long: errors later than that are not blamed on it. */
  rolloutBlameSeconds: z.number().positive().default(1800),
  /** Two or more OOM kills of one service in the window is a leak, not a one-off spike. */
  oomRepeats: z.number().int().positive().default(2),
  /**
   * A slow dependency leaves no Kubernetes event, only timeout lines in the service's logs (log shippers sample
   * them, about one a minute): they count for this long.
   */
  slowdownWindowSeconds: z.number().positive().default(180),
  /** ...and only while the service's own CPU is below this: latency up with CPU down is waiting, not overload. */
  slowdownMaxCpu: z.number().positive().default(0.9),
});
export type EventClassifierConfig = z.output<typeof EventClassifierConfigSchema>;
export type EventClassifierConfigInput = z.input<typeof EventClassifierConfigSchema>;

/**
 * Turns Kubernetes-style events (the same reasons a real cluster emits: BackOff, OOMKilled, Unhealthy,
 * ScalingReplicaSet, NodeNotReady, SpotInterruption) plus service error rates into classified faults, and the
 * timeout lines of a service's logs into a dependency slowdown (which no event reports).
 * Rule-based on purpose: these reasons are a fixed vocabulary, and a rule names its evidence exactly. Event
 * messages and log lines are data: only fixed patterns are matched, their text never reaches a finding's message
 * or evidence, and object names that are not Kubernetes names are ignored.
 */
export class EventClassifier implements Analyzer {
  readonly name = 'event-classifier';
  readonly config: EventClassifierConfig;
  /** service → times of OOM kills in the window. */
  private readonly ooms = new Map<string, number[]>();
  /** service → time of its last rollout to a new revision. */
  private readonly rollouts = new Map<string, number>();
  /** service → times of dependency-timeout log lines in the slowdown window. */
  private readonly timeouts = new Map<string, number[]>();
  /** service → time of its last failed readiness probe (a bad release's symptom, which a slow dependency lacks). */
  private readonly unhealthyAt = new Map<string, number>();

  constructor(config: EventClassifierConfigInput = {}) {
    this.config = EventClassifierConfigSchema.parse(config);
  }

  analyze(snapshot: Snapshot, now: number): Finding[] {
    const services = snapshot.services.map((s) => s.name);
    const findings: Finding[] = [];
    const crashPods = new Map<string, { pod: string; count: number }>();
    const oomPods = new Map<string, string>();
    const unhealthy = new Map<string, number>();

    for (const e of snapshot.events) {
      const [kind, name] = splitObject(e.object);
      if (!isKubernetesName(name)) continue;
      if (kind === 'node') {
        const f = nodeFinding(e, name);
        if (f) findings.push(f);
        continue;
      }
      if (kind === 'deployment' && e.reason === 'ScalingReplicaSet' && /new revision/.test(e.message)) {
        this.rollouts.set(name, e.at);
        continue;
      }
      if (kind === 'deployment' && e.reason === 'DeploymentRollback') {
        this.rollouts.delete(name);
        continue;
      }
      if (kind !== 'pod') continue;
      const service = serviceOfPod(name, services);
      if (service === undefined) continue;
      if (e.reason === 'BackOff') {
        const c = crashPods.get(service);
        crashPods.set(service, { pod: c?.pod ?? name, count: (c?.count ?? 0) + 1 });
      } else if (e.reason === 'OOMKilled') {
        const times = this.ooms.get(service) ?? [];
        times.push(e.at);
        this.ooms.set(service, times);
        oomPods.set(service, name);
      } else if (e.reason === 'Unhealthy') {
        unhealthy.set(service, (unhealthy.get(service) ?? 0) + 1);
        this.unhealthyAt.set(service, e.at);
      }
    }
    for (const l of snapshot.logs) {
      if (!isDependencyTimeout(l)) continue;
      const service = serviceOfLogSource(l.source, services);
      if (service === undefined) continue;
      const times = this.timeouts.get(service) ?? [];
      times.push(l.at);
      this.timeouts.set(service, times);
    }

    const horizon = now - this.config.windowSeconds;
    for (const [service, times] of this.ooms) {
      const recent = times.filter((t) => t >= horizon);
      if (recent.length === 0) this.ooms.delete(service);
      else this.ooms.set(service, recent);
    }

    const byName = new Map(snapshot.services.map((s) => [s.name, s]));
    const slowHorizon = now - this.config.slowdownWindowSeconds;
    const slow = new Set<string>();
    for (const [service, times] of this.timeouts) {
      const recent = times.filter((t) => t >= slowHorizon);
      if (recent.length === 0) {
        this.timeouts.delete(service);
        continue;
      }
      this.timeouts.set(service, recent);
      const s = byName.get(service);
      if (!s || s.cpuUtilization >= this.config.slowdownMaxCpu) continue;
      slow.add(service);
      findings.push(fault('dependency-slowdown', `service/${service}`, s.errorRate >= this.config.rolloutErrorRate ? 'critical' : 'warning',
        `${service}: ${recent.length} dependency-timeout log line${recent.length === 1 ? '' : 's'} in the last ${Math.round(this.config.slowdownWindowSeconds / 60)} min, p99 ${Math.round(s.latencyP99Ms)} ms and error rate ${(s.errorRate * 100).toFixed(1)}% with CPU at ${(s.cpuUtilization * 100).toFixed(0)}%: it is waiting on a slow dependency, not failing itself`,
        { service, timeoutLines: recent.length, p99Ms: Math.round(s.latencyP99Ms), errorRate: round(s.errorRate), cpuUtilization: round(s.cpuUtilization) }));
    }
    for (const [service, at] of this.unhealthyAt) if (at < horizon) this.unhealthyAt.delete(service);

    for (const [service, rolledAt] of this.rollouts) {
      if (now - rolledAt > this.config.rolloutBlameSeconds) {
        this.rollouts.delete(service);
        continue;
      }
      const s = byName.get(service);
      if (!s) continue;
      // Overload also raises the error rate; blame the rollout only when the service is not saturated. A slow
      // dependency times requests out too: then only failing readiness probes since the rollout blame the release.
      const saturated = s.cpuUtilization >= 1 || s.queueDepth > s.serviceRatePerReplica * Math.max(1, s.readyReplicas);
      const releaseSymptoms = !slow.has(service) || (this.unhealthyAt.get(service) ?? -Infinity) >= rolledAt;
      if (s.errorRate >= this.config.rolloutErrorRate && !saturated && releaseSymptoms) {
        findings.push(fault('bad-rollout', `service/${service}`, 'critical',
          `${service}: error rate ${(s.errorRate * 100).toFixed(1)}% since the rollout ${Math.round(now - rolledAt)} s ago, with CPU at ${(s.cpuUtilization * 100).toFixed(0)}% (not overload)`,
          { service, errorRate: round(s.errorRate), secondsSinceRollout: Math.round(now - rolledAt), unhealthyProbes: unhealthy.get(service) ?? 0 }));
      }
    }

    for (const [service, { pod, count }] of crashPods) {
      const rolled = this.rollouts.get(service);
      findings.push(fault('crash-loop', `service/${service}`, 'critical',
        `${service}: pod ${pod} is in CrashLoopBackOff (${count} back-off event${count === 1 ? '' : 's'} this tick)`,
        { service, pod, backOffs: count, afterRollout: rolled !== undefined }));
    }
    for (const [service, pod] of oomPods) {
      const n = this.ooms.get(service)?.length ?? 0;
      findings.push(fault('oom', `service/${service}`, n >= this.config.oomRepeats ? 'critical' : 'warning',
        `${service}: pod ${pod} was OOMKilled; ${n} OOM kill${n === 1 ? '' : 's'} in the last ${Math.round(this.config.windowSeconds / 60)} min`,
        { service, pod, oomKills: n, leak: n >= this.config.oomRepeats }));
    }
    return findings;
  }
}

function nodeFinding(e: ClusterEvent, node: string): Finding | undefined {
  if (e.reason === 'NodeNotReady') {
    return fault('node-not-ready', `node/${node}`, 'critical', `node ${node} is NotReady: its pods are being rescheduled`, { node });
  }
  if (e.reason === 'SpotInterruption') {
    return fault('spot-interruption', `node/${node}`, 'critical', `spot node ${node} got a 2-minute interruption notice`, { node });
  }
  return undefined;
}

function fault(cls: FaultClass, target: string, severity: Finding['severity'], message: string, evidence: Finding['evidence']): Finding {
  return { kind: 'fault', target, severity, message, evidence: { fault: cls, ...evidence } };
}

/**
 * Timeouts waiting on something else, as proxies and apps log them: Envoy's upstream timeout, a slow query that
 * nears its deadline, an exceeded context deadline.
 */
const DEPENDENCY_TIMEOUT = /\bupstream request timeout\b|\bslow query\b.*\btook \d+ ?ms\b|\bcontext deadline exceeded\b/;

function isDependencyTimeout(l: LogLine): boolean {
  return DEPENDENCY_TIMEOUT.test(l.line);
}

/**
 * The service a log line came from: sources are `<service>/<container>` (`web/envoy`, `web/app`) or
 * `<pod>/<container>`; node-level sources (`kubelet/…`, `kernel/…`) belong to no service.
 */
function serviceOfLogSource(source: string, services: readonly string[]): string | undefined {
  const first = source.split('/', 1)[0];
  if (!isKubernetesName(first)) return undefined;
  return services.includes(first) ? first : serviceOfPod(first, services);
}

/** A DNS-1123 subdomain, as Kubernetes requires of pod, node and deployment names. */
export function isKubernetesName(name: string): boolean {
  return name.length > 0 && name.length <= 253 && /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(name);
}

/** `pod/web-5f7c9d8b-0001a` → ['pod', 'web-5f7c9d8b-0001a']. */
export function splitObject(object: string): [string, string] {
  const i = object.indexOf('/');
  return i < 0 ? ['', object] : [object.slice(0, i), object.slice(i + 1)];
}

/**
 * The Deployment a pod belongs to, from its name (`<deployment>-<replicaset hash>-<pod suffix>`, as Kubernetes
 * names them). The longest matching service wins, so `api` and `api-gateway` are told apart.
 */
export function serviceOfPod(pod: string, services: readonly string[]): string | undefined {
  let best: string | undefined;
  for (const s of services) {
    if (pod.startsWith(`${s}-`) && (best === undefined || s.length > best.length)) best = s;
  }
  return best;
}

function round(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}

/** The fault class of a finding, when it is one of the classes above (from this classifier or the memory trend). */
export function faultClassOf(f: Finding): FaultClass | undefined {
  const c = f.evidence.fault;
  return f.kind === 'fault' && typeof c === 'string' && (FAULT_CLASSES as readonly string[]).includes(c) ? (c as FaultClass) : undefined;
}
