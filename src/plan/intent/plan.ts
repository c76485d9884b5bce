/**
 * Strategise: from an IntentSpec, the inventory and the guardrail policy to a plan — workload
 * kind, replicas, disruption budget and anti-affinity for availability, autoscaler bounds from the
 * policy, sizing, placement against free capacity, exposure, storage, network policy — each
 * choice with its rationale. Two profiles:
 *  - `hardened` (default): secure and available by default, adds what a production app needs.
 *  - `as-requested`: exactly what the request names, nothing added (benchmark comparability and
 *    users who want a literal manifest); the review still reports every rule it breaks.
 */
import { resolveServiceBounds, type GuardrailPolicy } from '../../govern/policy.js';
import type { Inventory } from './inventory.js';
import { imageBase, imageFacts } from './parse/images.js';
import { coresToQuantity, cpuToMillis, mibToQuantity, quantityToMiB } from './parse/quantity.js';
import type { IntentSpec, PortSpec, ResourceSpec, StorageSpec, Target, WorkloadKind } from './spec.js';

export type Profile = 'hardened' | 'as-requested';

export interface Decision {
  topic: string;
  choice: string;
  rationale: string;
}

export type ServiceType = 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'Headless' | 'ExternalName';

export interface PlannedClaim {
  name: string;
  size: string;
  accessModes: NonNullable<StorageSpec['accessModes']>;
  storageClass?: string;
  /** True for a StatefulSet volumeClaimTemplate (one claim per replica). */
  perReplica: boolean;
  mountPath?: string;
}

export interface IntentPlan {
  profile: Profile;
  target: Target;
  namespace?: string;
  workload?: {
    kind: WorkloadKind;
    name: string;
    replicas?: number;
    containerName: string;
    labels: Record<string, string>;
    selector: Record<string, string>;
  };
  resources?: ResourceSpec;
  disruptionBudget?: { minAvailable?: number | string; maxUnavailable?: number | string };
  antiAffinity?: 'preferred' | 'required';
  autoscaler?: { minReplicas: number; maxReplicas: number; cpuUtilization: number };
  service?: { name: string; type: ServiceType; ports: PortSpec[]; externalName?: string };
  ingress?: { name: string; host?: string; path: string; tls: boolean; className?: string; servicePort: number };
  networkPolicy?: { ports: number[]; fromAnywhere: boolean };
  claims: PlannedClaim[];
  /** Add liveness/readiness probes on the first port when none were asked for. */
  defaultProbes: boolean;
  hardenSecurity: boolean;
  placement?: { feasible: boolean; nodesThatFit: number; detail: string };
  decisions: Decision[];
}

const DEFAULT_RESOURCES: ResourceSpec = { cpuRequest: '100m', cpuLimit: '500m', memoryRequest: '128Mi', memoryLimit: '256Mi' };

function dnsName(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63) || 'app';
}

export interface PlanOptions {
  inventory: Inventory;
  policy: GuardrailPolicy;
  profile?: Profile;
}

export function planIntent(spec: IntentSpec, opts: PlanOptions): IntentPlan {
  const profile = opts.profile ?? 'hardened';
  const hardened = profile === 'hardened';
  const decisions: Decision[] = [];
  const decide = (topic: string, choice: string, rationale: string): void => {
    decisions.push({ topic, choice, rationale });
  };
  const k = spec.kubernetes;
  const plan: IntentPlan = { profile, target: spec.target, namespace: spec.namespace, claims: [], defaultProbes: false, hardenSecurity: hardened, decisions };
  if (spec.target !== 'kubernetes' || !k) {
    decide('target', spec.target, spec.target === 'proxmox' ? 'VMs on Proxmox: bpg-provider Terraform with cloud-init (and Ansible for a cluster)' : spec.target === 'aws' ? 'AWS resources: Terraform with the hashicorp/aws provider' : 'existing hosts: an Ansible inventory and playbook');
    return plan;
  }
  if (spec.namespace) decide('namespace', spec.namespace, 'named in the request');
  else if (hardened) {
    plan.namespace = 'default';
    decide('namespace', 'default', 'no namespace requested; the default namespace exists everywhere');
  }
  if (!k.hasWorkload) {
    decide('workload', 'none', 'the request asks only for configuration objects, nothing that runs');
    return plan;
  }

  const name = dnsName(spec.name ?? 'app');
  const perReplicaStorage = spec.storage.some((s) => s.source === 'pvc' && !s.ref && (s.accessModes ?? ['ReadWriteOnce']).includes('ReadWriteOnce'));
  let kind: WorkloadKind = k.workloadKind ?? 'Deployment';
  if (!k.workloadKind) {
    if (perReplicaStorage && hardened && (spec.replicas ?? 2) > 1) {
      kind = 'StatefulSet';
      decide('kind', kind, 'each replica needs its own ReadWriteOnce volume: a StatefulSet gives every pod a stable claim');
    } else decide('kind', kind, 'a long-running app with interchangeable replicas');
  } else decide('kind', kind, 'named in the request');

  const bounds = resolveServiceBounds(opts.policy, name);
  const replicated = kind === 'Deployment' || kind === 'StatefulSet' || kind === 'ReplicaSet' || kind === 'ReplicationController';
  let replicas = spec.replicas;
  if (replicated) {
    if (replicas === undefined && hardened) {
      replicas = Math.max(bounds.minReplicas, spec.constraints.highAvailability ? 3 : 2);
      decide('replicas', String(replicas), spec.constraints.highAvailability ? 'highly available: three replicas survive one node loss with headroom for a rollout' : 'two replicas so a single pod or node failure does not take the app down');
    } else if (replicas !== undefined) {
      const clamped = Math.min(Math.max(replicas, bounds.minReplicas), bounds.maxReplicas);
      if (clamped !== replicas && hardened) {
        decide('replicas', String(clamped), `requested ${replicas} is outside the guardrail bounds [${bounds.minReplicas}, ${bounds.maxReplicas}] for ${name}`);
        replicas = clamped;
      } else decide('replicas', String(replicas), 'as requested');
      if (spec.constraints.highAvailability && replicas < 2 && hardened) {
        decide('replicas', '2', 'high availability needs at least two replicas');
        replicas = 2;
      }
    }
  }

  const labels: Record<string, string> = { ...spec.labels };
  // Unlabelled pods get the conventional key: `name` for DaemonSets (as in the Kubernetes docs), `app` otherwise.
  if (Object.keys(labels).length === 0) labels[kind === 'DaemonSet' ? 'name' : 'app'] = name;
  const selector = k.selector ?? labels;
  const image = spec.image;
  // kubectl's conventions: `kubectl run`, `create job` and `create cronjob` name the container after
  // the object, `kubectl create deployment` after the image.
  const containerName = dnsName(k.containerName ?? (kind === 'Pod' || kind === 'Job' || kind === 'CronJob' || !image ? name : imageBase(image)));
  plan.workload = { kind, name, replicas: replicated ? replicas : undefined, containerName, labels, selector };

  // Sizing: explicit requests/limits win; cores/memory become Guaranteed-QoS requests = limits.
  const res: ResourceSpec = { ...(spec.resources ?? {}) };
  if (spec.cores !== undefined) {
    res.cpuRequest ??= coresToQuantity(spec.cores);
    res.cpuLimit ??= coresToQuantity(spec.cores);
  }
  if (spec.memoryMiB !== undefined) {
    res.memoryRequest ??= mibToQuantity(spec.memoryMiB);
    res.memoryLimit ??= mibToQuantity(spec.memoryMiB);
  }
  if (hardened) {
    for (const key of Object.keys(DEFAULT_RESOURCES) as (keyof ResourceSpec)[]) {
      if (res[key] === undefined && DEFAULT_RESOURCES[key] !== undefined) {
        // A limit below an explicit request would be invalid: follow the request instead.
        const pairKey = key.replace('Limit', 'Request') as keyof ResourceSpec;
        res[key] = key.endsWith('Limit') && res[pairKey] !== undefined ? res[pairKey] : DEFAULT_RESOURCES[key];
      }
    }
    decide('resources', `cpu ${res.cpuRequest}/${res.cpuLimit}, memory ${res.memoryRequest}/${res.memoryLimit}`, spec.cores !== undefined || spec.memoryMiB !== undefined ? 'requests = limits from the requested size (Guaranteed QoS: never throttled below, never evicted first)' : 'defaults for a small service; requests let the scheduler place it, limits contain a runaway pod');
  }
  if (Object.keys(res).length > 0) plan.resources = res;

  // Placement: does one replica fit on enough nodes?
  const nodes = opts.inventory.nodes().filter((n) => n.ready);
  if (nodes.length > 0 && res.cpuRequest) {
    const cpu = cpuToMillis(res.cpuRequest) ?? 0;
    const mem = res.memoryRequest ? quantityToMiB(res.memoryRequest) ?? 0 : 0;
    const fit = nodes.filter((n) => n.cpuFreeMillis >= cpu && n.memoryFreeMiB >= mem);
    const need = kind === 'DaemonSet' ? nodes.length : replicas ?? 1;
    const capacity = fit.reduce((acc, n) => acc + Math.min(Math.floor(n.cpuFreeMillis / Math.max(cpu, 1)), mem > 0 ? Math.floor(n.memoryFreeMiB / mem) : Infinity), 0);
    const feasible = capacity >= need;
    const detail = `${fit.length} of ${nodes.length} ready nodes have room for one pod (${res.cpuRequest} CPU, ${res.memoryRequest ?? '0'} memory); room for ${Number.isFinite(capacity) ? capacity : 'many'} pods, ${need} needed`;
    plan.placement = { feasible, nodesThatFit: fit.length, detail };
    decide('placement', feasible ? 'fits' : 'does not fit', detail);
  }

  if (hardened && replicated && (replicas ?? 1) >= 2 && kind !== 'ReplicaSet' && kind !== 'ReplicationController') {
    const minAvailable = spec.constraints.highAvailability ? Math.max(1, (replicas ?? 2) - 1) : undefined;
    plan.disruptionBudget = minAvailable !== undefined ? { minAvailable } : { maxUnavailable: 1 };
    decide('disruption budget', minAvailable !== undefined ? `minAvailable ${minAvailable}` : 'maxUnavailable 1', 'node drains and upgrades evict at most one replica at a time');
    const spreadable = plan.placement ? plan.placement.nodesThatFit >= (replicas ?? 2) : false;
    plan.antiAffinity = spec.constraints.highAvailability && spreadable ? 'required' : 'preferred';
    decide('anti-affinity', plan.antiAffinity, plan.antiAffinity === 'required' ? 'enough nodes fit a replica each: never co-locate two replicas' : plan.placement ? `only ${plan.placement.nodesThatFit} nodes fit a replica: spread when possible without blocking scheduling` : 'spread replicas over nodes when possible (node count unknown)');
  }

  const auto = k.autoscale;
  if (replicated && kind !== 'ReplicationController' && (auto || (hardened && spec.constraints.highAvailability))) {
    const min = Math.max(bounds.minReplicas, auto?.minReplicas ?? replicas ?? 1);
    const max = Math.min(bounds.maxReplicas, Math.max(min, auto?.maxReplicas ?? Math.max(min * 3, min + 2)));
    plan.autoscaler = { minReplicas: min, maxReplicas: max, cpuUtilization: auto?.cpuUtilization ?? 70 };
    decide('autoscaler', `${min}..${max} at ${plan.autoscaler.cpuUtilization}% CPU`, `bounds clamped to the guardrail policy for ${name} (${bounds.minReplicas}..${bounds.maxReplicas})`);
  }

  const ports = spec.ports.length > 0 ? spec.ports : hardened && image && imageFacts(image).port ? [{ port: imageFacts(image).port! }] : [];
  if (spec.ports.length === 0 && ports.length > 0) decide('ports', String(ports[0].port), `the ${image} image listens on ${ports[0].port}`);
  const exposure = spec.exposure ?? (hardened && ports.length > 0 && kind !== 'Job' && kind !== 'CronJob' ? { type: 'internal' as const } : undefined);
  if (exposure && ports.length > 0) {
    const type: ServiceType = exposure.type === 'loadbalancer' ? 'LoadBalancer' : exposure.type === 'nodeport' ? 'NodePort' : exposure.type === 'headless' ? 'Headless' : exposure.type === 'external-name' ? 'ExternalName' : 'ClusterIP';
    plan.service = { name: exposure.serviceName ?? name, type, ports: ports.map((p) => ({ ...p, hostPort: undefined })) };
    decide('service', type, exposure.type === 'ingress' ? 'ClusterIP behind the Ingress: only the Ingress controller is reachable from outside' : spec.exposure ? `requested exposure: ${exposure.type}` : 'reachable inside the cluster only until the request asks for more');
    if (exposure.type === 'ingress') {
      plan.ingress = { name: exposure.ingressName ?? name, host: exposure.host, path: exposure.path ?? '/', tls: exposure.tls ?? false, className: exposure.ingressClassName, servicePort: ports[0].port };
      decide('ingress', exposure.host ?? '(any host)', `HTTP routing on ${exposure.path ?? '/'}${exposure.tls ? ' with TLS' : ''}`);
    }
  }
  if (hardened && kind !== 'Job' && kind !== 'CronJob') {
    plan.networkPolicy = { ports: ports.map((p) => p.targetPort ?? p.port), fromAnywhere: exposure?.type === 'loadbalancer' || exposure?.type === 'nodeport' || exposure?.type === 'ingress' };
    decide('network policy', ports.length > 0 ? `ingress only on ${plan.networkPolicy.ports.join(', ')}` : 'deny all ingress', 'default-deny for the pods: only the ports the app serves are open');
  }
  if (hardened && ports.length > 0 && spec.probes.length === 0 && kind !== 'Job' && kind !== 'CronJob') {
    plan.defaultProbes = true;
    decide('probes', `tcp ${ports[0].targetPort ?? ports[0].port}`, 'restart a hung container and keep unready pods out of the Service');
  }

  const defaultClass = opts.inventory.storageClasses().find((s) => s.isDefault)?.name;
  spec.storage.forEach((s: StorageSpec, i) => {
    if (s.source !== 'pvc' || s.ref) return;
    const perReplica = kind === 'StatefulSet';
    const claimName = s.name ?? (spec.storage.length > 1 ? `${name}-data-${i + 1}` : `${name}-data`);
    const size = s.size ?? (spec.diskGiB !== undefined ? `${spec.diskGiB}Gi` : hardened ? '1Gi' : '1Gi');
    const storageClass = s.storageClass ?? (hardened ? defaultClass : undefined);
    plan.claims.push({ name: claimName, size, accessModes: s.accessModes ?? ['ReadWriteOnce'], storageClass, perReplica, mountPath: s.mountPath ?? (image ? imageFacts(image).dataDir : undefined) });
    decide('storage', `${size} ${perReplica ? 'per replica' : 'claim'}${storageClass ? ` (${storageClass})` : ''}`, s.storageClass ? 'storage class as requested' : storageClass ? `${storageClass} is the cluster's default storage class` : 'the cluster default storage class applies');
  });
  if (hardened) decide('security', 'restricted pod security', 'non-root, read-only root filesystem, no privilege escalation, all capabilities dropped, RuntimeDefault seccomp, no service-account token');
  return plan;
}
