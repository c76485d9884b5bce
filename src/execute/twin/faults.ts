/**
 * Fault specs, the CLI syntax parser, and the Kubernetes-style events and log lines each fault emits.
 * Effects (twin-model.md "Faults and what a real cluster would show") are applied by TwinCluster:
 *   node-crash          node NotReady, its pods vanish and are rescheduled (Pending if no room)
 *   crash-loop          one replica restarts with growing back-off and serves nothing
 *   memory-leak         one replica's memory grows to its limit, is OOM-killed and restarts (saw-tooth)
 *   bad-rollout         new-revision pods fail a fraction of requests and some readiness probes
 *   dependency-slowdown service time up (μ down): latency up, CPU down, timeouts in logs
 *   spot-reclaim        two-minute interruption notice, then as node crash
 * Syntax: `kind[:target]@when[/duration]`, comma-separated, e.g.
 * `node-crash@2h, crash-loop:web@26h/30m, memory-leak:api@1d12h, spot-reclaim@80h`.
 */
import { UserError } from '../../core/errors.js';

export const FAULT_KINDS = ['node-crash', 'crash-loop', 'memory-leak', 'bad-rollout', 'dependency-slowdown', 'spot-reclaim'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** Kinds whose target is a service (required); the others optionally name a node. */
export const SERVICE_FAULTS: ReadonlySet<FaultKind> = new Set(['crash-loop', 'memory-leak', 'bad-rollout', 'dependency-slowdown']);

export interface FaultSpec {
  kind: FaultKind;
  /** Service (service faults) or node name (node faults; omitted = a seeded random choice). */
  target?: string;
  /** Seconds after the twin's start time. */
  at: number;
  /** How long the fault lasts, seconds; omitted = until remediated (node faults: the node is gone for good). */
  duration?: number;
  /** dependency-slowdown: service-rate multiplier (default 1/3). bad-rollout: failing fraction (default 0.3). */
  severity?: number;
}

const UNIT: Record<string, number> = { d: 86400, h: 3600, m: 60, s: 1 };

/** Parses `90`, `90s`, `30m`, `2h`, `1d12h`, `1h30m` into seconds; NaN when malformed. */
export function parseDuration(s: string): number {
  const t = s.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t);
  if (!/^(\d+(\.\d+)?[dhms])+$/.test(t)) return NaN;
  let total = 0;
  for (const m of t.matchAll(/(\d+(?:\.\d+)?)([dhms])/g)) total += Number(m[1]) * UNIT[m[2]];
  return total;
}

/** Parses the CLI fault list. `services` (when given) validates service targets. */
export function parseFaults(text: string, services?: readonly string[]): FaultSpec[] {
  const out: FaultSpec[] = [];
  const known = services ? new Set(services) : null;
  for (const raw of text.split(',')) {
    const item = raw.trim();
    if (item === '') continue;
    const where = `--faults '${item}'`;
    const m = /^([a-z-]+)(?::([A-Za-z0-9._-]+))?@([0-9.dhms]+)(?:\/([0-9.dhms]+))?$/.exec(item);
    if (!m) throw new UserError(`expected kind[:target]@time[/duration], e.g. crash-loop:web@26h/30m`, where);
    const kind = m[1] as FaultKind;
    if (!(FAULT_KINDS as readonly string[]).includes(kind)) {
      throw new UserError(`unknown fault kind '${m[1]}' (known: ${FAULT_KINDS.join(', ')})`, where);
    }
    const target = m[2];
    if (SERVICE_FAULTS.has(kind)) {
      if (!target) throw new UserError(`${kind} needs a service, e.g. ${kind}:web@1h`, where);
      if (known && !known.has(target)) throw new UserError(`unknown service '${target}' (known: ${[...known].join(', ')})`, where);
    }
    const at = parseDuration(m[3]);
    if (!Number.isFinite(at)) throw new UserError(`bad time '${m[3]}' (use e.g. 90s, 30m, 2h, 1d12h)`, where);
    const spec: FaultSpec = { kind, at };
    if (target) spec.target = target;
    if (m[4] !== undefined) {
      const d = parseDuration(m[4]);
      if (!Number.isFinite(d) || d <= 0) throw new UserError(`bad duration '${m[4]}' (use e.g. 30m)`, where);
      spec.duration = d;
    }
    out.push(spec);
  }
  return out;
}

/** Deterministic fake IPs for log lines, so the same run prints the same text. */
export function fakeIp(n: number): string {
  return `10.0.${(n >>> 8) & 255}.${(n & 255) || 1}`;
}

/** Message templates, modelled on what kubelet, the node lifecycle controller and apps really print. */
export const FaultText = {
  nodeNotReady: (node: string) => `Node ${node} status is now: NodeNotReady`,
  nodeReady: (node: string) => `Node ${node} status is now: NodeReady`,
  eviction: (pod: string) => `Marking for deletion Pod default/${pod}`,
  kubeletStopped: 'Kubelet stopped posting node status.',
  spotNotice: (node: string) => `Spot instance interruption notice: ${node} will be terminated in 2 minutes`,
  backOff: (container: string, pod: string) => `Back-off restarting failed container ${container} in pod ${pod}_default`,
  crashLog: (dbIp: string) => `Error: connect ECONNREFUSED ${dbIp}:5432\n    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1555:16)`,
  exitCode: (container: string, restarts: number) => `Container ${container} terminated: Error (exit code 1), restart count ${restarts}`,
  oomKilled: (container: string, restarts: number) => `Container ${container} was OOMKilled (exit code 137), restart count ${restarts}`,
  oomLog: 'Exception in thread "http-nio-8080-exec-7" java.lang.OutOfMemoryError: Java heap space',
  oomKernel: (pid: number) => `Memory cgroup out of memory: Killed process ${pid} (java) total-vm:4391124kB, anon-rss:1048576kB`,
  readinessFailed: 'Readiness probe failed: HTTP probe failed with statuscode: 500',
  rollout: (svc: string, rev: number) => `Scaled up replica set ${svc}-rev${rev} to the new revision`,
  badRolloutLog: (path: string) => `level=error msg="request failed" status=500 path=${path} err="TypeError: Cannot read properties of undefined (reading 'id')"`,
  rollback: (svc: string, rev: number) => `Rolled back deployment ${svc} to revision ${rev}`,
  upstreamTimeout: (svc: string) => `[${svc}] upstream request timeout: upstream_reset_before_response_started{connection_timeout}`,
  slowDependency: (ms: number) => `WARN  slow query: SELECT * FROM orders WHERE customer_id = $1 took ${ms}ms (context deadline approaching)`,
  killing: (container: string) => `Stopping container ${container}`,
} as const;
