/**
 * Non-workload objects: Service, Ingress, ConfigMap, Secret, ServiceAccount, RBAC, storage,
 * autoscaler, disruption budget, limits, quotas, network policy, namespace. One function per kind,
 * each writing only the fields it was given.
 */
import type { IntentPlan, ServiceType } from '../plan.js';
import type { ObjectIntent, PortSpec } from '../spec.js';
import { apiVersionOf } from './kinds.js';
import { compact, type Json, type JsonObject, type Manifest } from './manifest.js';

export function meta(name: string, namespace: string | undefined, labels?: Record<string, string>): JsonObject {
  return compact({ name, namespace, labels: labels && Object.keys(labels).length > 0 ? { ...labels } : undefined });
}

function head(kind: string, name: string, namespace: string | undefined, labels?: Record<string, string>): Manifest {
  return { apiVersion: apiVersionOf(kind), kind, metadata: meta(name, namespace, labels) };
}

export function servicePorts(ports: readonly PortSpec[], explicitTarget: boolean): Json[] {
  return ports.map((p) =>
    compact({
      name: p.name,
      protocol: p.protocol ?? (explicitTarget ? 'TCP' : undefined),
      port: p.port,
      targetPort: p.targetPort ?? (explicitTarget ? p.port : undefined),
      nodePort: p.nodePort,
    }),
  );
}

export function serviceManifest(name: string, ns: string | undefined, type: ServiceType | undefined, ports: readonly PortSpec[], selector: Record<string, string> | undefined, opts: { explicitTarget: boolean; externalName?: string; labels?: Record<string, string>; explicitType?: boolean }): Manifest {
  const spec: JsonObject = compact({
    type: type === 'Headless' || type === undefined || (type === 'ClusterIP' && !opts.explicitType) ? undefined : type,
    selector: selector && Object.keys(selector).length > 0 && type !== 'ExternalName' ? { ...selector } : undefined,
    ports: ports.length > 0 ? servicePorts(ports, opts.explicitTarget) : undefined,
    clusterIP: type === 'Headless' ? 'None' : undefined,
    externalName: type === 'ExternalName' ? opts.externalName ?? `${name}.example.com` : undefined,
  });
  return { ...head('Service', name, ns, opts.labels), spec };
}

export function ingressManifest(name: string, ns: string | undefined, ing: NonNullable<IntentPlan['ingress']>, serviceName: string): Manifest {
  const path = { path: ing.path, pathType: 'Prefix', backend: { service: { name: serviceName, port: { number: ing.servicePort } } } };
  const rule: JsonObject = compact({ host: ing.host, http: { paths: [path] } });
  const spec: JsonObject = compact({
    ingressClassName: ing.className,
    tls: ing.tls ? [compact({ hosts: ing.host ? [ing.host] : undefined, secretName: `${name}-tls` })] : undefined,
    rules: [rule],
  });
  return { ...head('Ingress', name, ns), spec };
}

function b64(s: string): string {
  return Buffer.from(s, 'utf8').toString('base64');
}

/** Secret values as written become base64 `data`; values that are already base64 are kept. */
export function secretData(values: Record<string, string>, alreadyEncoded: boolean): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(values)) out[k] = alreadyEncoded ? v : b64(v);
  return out;
}

export interface ObjectContext {
  appName?: string;
  namespace?: string;
  appLabels: Record<string, string>;
  workloadKind?: string;
  workloadName?: string;
  servicePorts: PortSpec[];
}

function defaultName(o: ObjectIntent, ctx: ObjectContext): string {
  const app = ctx.appName;
  const suffix: Record<string, string> = {
    ConfigMap: 'config', Secret: 'secret', PersistentVolumeClaim: 'data', PersistentVolume: 'pv', Role: 'role', ClusterRole: 'role',
    RoleBinding: 'binding', ClusterRoleBinding: 'binding', PodDisruptionBudget: 'pdb', LimitRange: 'limits', ResourceQuota: 'quota',
    NetworkPolicy: 'netpol', HorizontalPodAutoscaler: 'hpa', StorageClass: 'storage', Ingress: 'ingress',
  };
  if (o.kind === 'ServiceAccount' || o.kind === 'Service' || o.kind === 'HorizontalPodAutoscaler') return app ?? o.kind.toLowerCase();
  if (app) return `${app}-${suffix[o.kind] ?? o.kind.toLowerCase()}`;
  return o.kind.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase();
}

export function objectManifest(o: ObjectIntent, ctx: ObjectContext): Manifest | undefined {
  const name = o.name ?? defaultName(o, ctx);
  const ns = o.namespace ?? ctx.namespace;
  switch (o.kind) {
    case 'ConfigMap':
      return { ...head('ConfigMap', name, ns, o.labels), data: { ...(o.data ?? {}) } };
    case 'Secret':
      return { ...head('Secret', name, ns, o.labels), type: o.secretType ?? 'Opaque', data: secretData(o.data ?? {}, false) };
    case 'ServiceAccount':
      return head('ServiceAccount', name, ns, o.labels);
    case 'Namespace':
      return head('Namespace', name, undefined, o.labels);
    case 'Role':
    case 'ClusterRole':
      return { ...head(o.kind, name, o.kind === 'Role' ? ns : undefined, o.labels), rules: (o.rules ?? []).map((r) => compact({ apiGroups: r.apiGroups, resources: r.resources, resourceNames: r.resourceNames, verbs: r.verbs })) };
    case 'RoleBinding':
    case 'ClusterRoleBinding': {
      const subjects: Json[] = (o.subjects ?? []).map((s) =>
        s.kind === 'ServiceAccount' ? compact({ kind: s.kind, name: s.name, namespace: s.namespace ?? ns ?? 'default' }) : { kind: s.kind, name: s.name, apiGroup: 'rbac.authorization.k8s.io' },
      );
      const ref = o.roleRef ?? { kind: o.kind === 'RoleBinding' ? 'Role' : 'ClusterRole', name: `${ctx.appName ?? 'app'}-role` };
      return { ...head(o.kind, name, o.kind === 'RoleBinding' ? ns : o.namespace, o.labels), subjects, roleRef: { kind: ref.kind, name: ref.name, apiGroup: 'rbac.authorization.k8s.io' } };
    }
    case 'PersistentVolume': {
      const s = o.storage;
      const source: JsonObject = s?.source === 'nfs' ? { nfs: compact({ path: s.ref ?? '/', server: s.server ?? 'nfs-server' }) } : { hostPath: { path: s?.ref ?? `/mnt/data` } };
      return {
        ...head('PersistentVolume', name, undefined, o.labels),
        spec: compact({ storageClassName: s?.storageClass, capacity: { storage: s?.size ?? '1Gi' }, accessModes: s?.accessModes ?? ['ReadWriteOnce'], persistentVolumeReclaimPolicy: o.reclaimPolicy, ...source }),
      };
    }
    case 'PersistentVolumeClaim': {
      const s = o.storage;
      return {
        ...head('PersistentVolumeClaim', name, ns, o.labels),
        spec: compact({ storageClassName: s?.storageClass, accessModes: s?.accessModes ?? ['ReadWriteOnce'], resources: { requests: { storage: s?.size ?? '1Gi' } } }),
      };
    }
    case 'StorageClass':
      return {
        ...head('StorageClass', name, undefined, o.labels),
        ...compact({ provisioner: o.provisioner ?? 'kubernetes.io/no-provisioner', parameters: o.parameters, reclaimPolicy: o.reclaimPolicy, volumeBindingMode: o.volumeBindingMode, allowVolumeExpansion: o.allowVolumeExpansion }),
      };
    case 'Service': {
      const type: ServiceType | undefined = o.exposure?.type === 'loadbalancer' ? 'LoadBalancer' : o.exposure?.type === 'nodeport' ? 'NodePort' : o.exposure?.type === 'headless' ? 'Headless' : o.exposure?.type === 'external-name' ? 'ExternalName' : o.exposure?.type === 'internal' && o.exposure.explicitType ? 'ClusterIP' : undefined;
      const ports = o.ports && o.ports.length > 0 ? o.ports : ctx.servicePorts;
      return serviceManifest(name, ns, type, ports, o.selector ?? (Object.keys(ctx.appLabels).length > 0 ? ctx.appLabels : undefined), { explicitTarget: true, externalName: o.exposure?.externalName, labels: o.labels, explicitType: o.exposure?.explicitType });
    }
    case 'Ingress': {
      const e = o.exposure;
      const port = o.ports?.[0]?.port ?? ctx.servicePorts[0]?.port ?? 80;
      return ingressManifest(name, ns, { name, host: e?.host, path: e?.path ?? '/', tls: e?.tls ?? false, className: e?.ingressClassName, servicePort: port }, o.target ?? ctx.appName ?? 'app');
    }
    case 'HorizontalPodAutoscaler': {
      const a = o.autoscale ?? {};
      const metrics: Json[] = [];
      if (a.cpuUtilization !== undefined || a.memoryUtilization === undefined) metrics.push({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: a.cpuUtilization ?? 80 } } });
      if (a.memoryUtilization !== undefined) metrics.push({ type: 'Resource', resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: a.memoryUtilization } } });
      const min = a.minReplicas ?? 1;
      return {
        ...head('HorizontalPodAutoscaler', name, ns, o.labels),
        spec: compact({ scaleTargetRef: { apiVersion: 'apps/v1', kind: o.targetKind ?? ctx.workloadKind ?? 'Deployment', name: o.target ?? ctx.workloadName ?? ctx.appName ?? 'app' }, minReplicas: min, maxReplicas: Math.max(a.maxReplicas ?? min * 3, min), metrics }),
      };
    }
    case 'PodDisruptionBudget': {
      const budget: JsonObject = o.maxUnavailable !== undefined ? { maxUnavailable: o.maxUnavailable } : { minAvailable: o.minAvailable ?? 1 };
      return { ...head('PodDisruptionBudget', name, ns, o.labels), spec: { selector: { matchLabels: { ...(o.selector ?? ctx.appLabels) } }, ...budget } };
    }
    case 'LimitRange': {
      const l = o.limits;
      const item: JsonObject = compact({ type: l?.type ?? 'Container', min: l?.min, max: l?.max, default: l?.default, defaultRequest: l?.defaultRequest });
      return { ...head('LimitRange', name, ns, o.labels), spec: { limits: [item] } };
    }
    case 'ResourceQuota':
      return { ...head('ResourceQuota', name, ns, o.labels), spec: { hard: { ...(o.hard ?? { pods: '10' }) } } };
    case 'NetworkPolicy': {
      const ports: Json[] = (o.ports ?? []).map((p) => ({ protocol: p.protocol ?? 'TCP', port: p.port }));
      const sel = o.selector ?? ctx.appLabels;
      // No labels: the policy selects every pod in the namespace (`podSelector: {}`).
      return { ...head('NetworkPolicy', name, ns, o.labels), spec: compact({ podSelector: Object.keys(sel).length > 0 ? { matchLabels: { ...sel } } : {}, policyTypes: ['Ingress'], ingress: ports.length > 0 ? [{ ports }] : undefined }) };
    }
    default:
      return undefined;
  }
}
