/**
 * Applies what a request asks for onto manifests it quoted ("add a liveness probe to this Pod",
 * "keep 0 completed jobs", "mount the host directory…"): only fields the spec states are touched,
 * everything else in the quoted YAML is kept as written.
 */
import type { IntentSpec, ObjectIntent } from '../spec.js';
import { arr, compact, containersOf, ensure, ensureList, isObject, kindOf, obj, podSpecOf, type Json, type JsonObject, type Manifest } from './manifest.js';
import { objectManifest, type ObjectContext } from './objects.js';
import { containerBlock, mountBlock, probeBlock, resourcesBlock, volumeBlock, volumeName } from './pod.js';

function mergeByName(list: Json[], item: JsonObject): void {
  const i = list.findIndex((x) => isObject(x) && x.name === item.name);
  if (i >= 0) list[i] = { ...(list[i] as JsonObject), ...item };
  else list.push(item);
}

function overlayContainer(c: JsonObject, spec: IntentSpec, stated: ReadonlySet<string>): void {
  // "the nginx container" restates the quoted image without its tag: keep the quoted, more precise one.
  if (stated.has('image') && spec.image && !(typeof c.image === 'string' && !spec.image.includes(':') && c.image.split(':')[0] === spec.image)) c.image = spec.image;
  if (spec.command && stated.has('command')) c.command = spec.command;
  if (spec.args) c.args = spec.args;
  if (spec.imagePullPolicy) c.imagePullPolicy = spec.imagePullPolicy;
  for (const e of spec.env) mergeByName(ensureList(c, 'env'), { name: e.name, value: e.value ?? '' });
  const ports = ensureList(c, 'ports');
  for (const p of spec.ports) {
    const want = p.targetPort ?? p.port;
    if (!ports.some((x) => isObject(x) && x.containerPort === want)) ports.push(compact({ containerPort: want, hostPort: p.hostPort, name: p.name }));
  }
  if (ports.length === 0) delete c.ports;
  const r = resourcesBlock(spec.resources);
  if (r) {
    const cur = ensure(c, 'resources');
    for (const [k, v] of Object.entries(r)) cur[k] = { ...(obj(cur[k]) ?? {}), ...(v as JsonObject) };
  }
  for (const p of spec.probes) c[`${p.kind}Probe`] = probeBlock(p);
  const sec = spec.containerSecurity;
  if (sec) {
    const sc = ensure(c, 'securityContext');
    if (sec.addCapabilities.length > 0) ensure(sc, 'capabilities').add = [...new Set([...arr(obj(sc.capabilities)?.add).filter((x): x is string => typeof x === 'string'), ...sec.addCapabilities])];
    if (sec.allowPrivilegeEscalation !== undefined) sc.allowPrivilegeEscalation = sec.allowPrivilegeEscalation;
  }
  if (Object.keys(obj(c.securityContext) ?? { x: 1 }).length === 0) delete c.securityContext;
}

function overlayPod(pod: JsonObject, spec: IntentSpec, stated: ReadonlySet<string>, kind: string): void {
  const k = spec.kubernetes!;
  const p = k.pod;
  const containers = containersOf(pod, false);
  const main = containers.find((c) => c.name === k.containerName) ?? containers[0];
  if (main) overlayContainer(main, spec, stated);
  // Requested extra containers that the quoted YAML does not have yet.
  const list = ensureList(pod, 'containers');
  p.sidecars.forEach((s, i) => {
    // An unnamed sidecar restates the quoted container at its position; a named one is new if absent.
    if (!s.name ? list.length > i + 1 : list.some((c) => isObject(c) && c.name === s.name)) return;
    list.push(containerBlock({ name: s.name ?? `sidecar-${list.length}`, spec: s, mounts: [], primary: false }));
  });
  if (p.initContainers.length > 0) {
    const inits = ensureList(pod, 'initContainers');
    for (const s of p.initContainers) if (!inits.some((c) => isObject(c) && c.name === s.name)) inits.push(containerBlock({ name: s.name ?? `init-${inits.length + 1}`, spec: s, mounts: [], primary: false }));
  }
  if (p.serviceAccountName) pod.serviceAccountName = p.serviceAccountName;
  if (p.shareProcessNamespace !== undefined) pod.shareProcessNamespace = p.shareProcessNamespace;
  if (p.restartPolicy && kind !== 'Deployment' && kind !== 'DaemonSet' && kind !== 'StatefulSet' && kind !== 'ReplicaSet') pod.restartPolicy = p.restartPolicy;
  if (p.hostNetwork !== undefined) pod.hostNetwork = p.hostNetwork;
  if (p.nodeSelector) pod.nodeSelector = { ...(obj(pod.nodeSelector) ?? {}), ...p.nodeSelector };
  if (p.dnsNameservers || p.dnsSearches) {
    const dns = ensure(pod, 'dnsConfig');
    if (p.dnsNameservers) dns.nameservers = [...new Set([...arr(dns.nameservers).filter((x): x is string => typeof x === 'string'), ...p.dnsNameservers])];
    if (p.dnsSearches) dns.searches = [...new Set([...arr(dns.searches).filter((x): x is string => typeof x === 'string'), ...p.dnsSearches])];
  }
  if (p.sysctls || p.seccompRuntimeDefault || p.runAsNonRoot !== undefined || p.runAsUser !== undefined || p.fsGroup !== undefined) {
    const sc = ensure(pod, 'securityContext');
    if (p.sysctls) sc.sysctls = p.sysctls.map((s) => ({ name: s.name, value: s.value }));
    if (p.seccompRuntimeDefault) sc.seccompProfile = { type: 'RuntimeDefault' };
    if (p.runAsNonRoot !== undefined) sc.runAsNonRoot = p.runAsNonRoot;
    if (p.runAsUser !== undefined) sc.runAsUser = p.runAsUser;
    if (p.fsGroup !== undefined) sc.fsGroup = p.fsGroup;
  }
  if (p.terminationGracePeriodSeconds !== undefined) pod.terminationGracePeriodSeconds = p.terminationGracePeriodSeconds;
  // Volumes: add each stated one that is not mounted at that path yet.
  spec.storage.forEach((s, i) => {
    if (!main) return;
    const mounts = ensureList(main, 'volumeMounts');
    if (s.mountPath && mounts.some((m) => isObject(m) && m.mountPath === s.mountPath)) return;
    const name = volumeName(s, i);
    const v = volumeBlock(s, name, s.ref);
    if (!v) return;
    mergeByName(ensureList(pod, 'volumes'), v);
    const m = mountBlock(s, name);
    if (m) mounts.push(m);
  });
  if (main && arr(main.volumeMounts).length === 0) delete main.volumeMounts;
  if (arr(pod.volumes).length === 0) delete pod.volumes;
}

/** Overlays the spec onto the quoted workload; returns true when it was the primary workload. */
export function overlayWorkload(m: Manifest, spec: IntentSpec, stated: ReadonlySet<string>): boolean {
  const kind = kindOf(m);
  const k = spec.kubernetes;
  if (!k || (k.workloadKind && k.workloadKind !== kind)) return false;
  const pod = podSpecOf(m);
  if (!pod) return false;
  overlayPod(pod, spec, stated, kind);
  // Stated labels go on the pods (never into an existing selector: it is immutable); annotations on the object.
  if (stated.has('labels')) {
    const tmeta = kind === 'Pod' ? ensure(m, 'metadata') : kind === 'CronJob' ? undefined : ensure(ensure(ensure(m, 'spec'), 'template'), 'metadata');
    if (tmeta) tmeta.labels = { ...(obj(tmeta.labels) ?? {}), ...spec.labels };
  }
  if (k.annotations) {
    const meta = ensure(m, 'metadata');
    meta.annotations = { ...(obj(meta.annotations) ?? {}), ...k.annotations };
  }
  const s = obj(m.spec);
  if (s && spec.replicas !== undefined && stated.has('replicas') && kind !== 'DaemonSet' && kind !== 'Job' && kind !== 'CronJob' && kind !== 'Pod') s.replicas = spec.replicas;
  const b = k.batch;
  if (s && b) {
    if (kind === 'CronJob') {
      for (const key of ['schedule', 'concurrencyPolicy', 'successfulJobsHistoryLimit', 'failedJobsHistoryLimit', 'startingDeadlineSeconds', 'suspend'] as const) {
        const v = b[key];
        if (v !== undefined && (key !== 'schedule' || !s.schedule)) s[key] = v;
      }
    }
    const jobSpec = kind === 'CronJob' ? obj(obj(s.jobTemplate)?.spec) : kind === 'Job' ? s : undefined;
    if (jobSpec) for (const key of ['completions', 'parallelism', 'backoffLimit', 'activeDeadlineSeconds', 'ttlSecondsAfterFinished'] as const) if (b[key] !== undefined) jobSpec[key] = b[key]!;
  }
  return true;
}

/** A quoted Service: a requested type, node ports and extra ports. */
function overlayService(m: Manifest, o: ObjectIntent): void {
  const spec = ensure(m, 'spec');
  const t = o.exposure?.type;
  const type = t === 'nodeport' ? 'NodePort' : t === 'loadbalancer' ? 'LoadBalancer' : t === 'external-name' ? 'ExternalName' : t === 'internal' && o.exposure?.explicitType ? 'ClusterIP' : undefined;
  if (type) spec.type = type;
  if (t === 'headless') spec.clusterIP = 'None';
  if (t === 'external-name' && o.exposure?.externalName) spec.externalName = o.exposure.externalName;
  const ports = ensureList(spec, 'ports');
  for (const p of o.ports ?? []) {
    const same = ports.find((x) => isObject(x) && (x.port === p.port || (p.nodePort !== undefined && ports.length === 1))) as JsonObject | undefined;
    if (same) {
      if (p.nodePort !== undefined) same.nodePort = p.nodePort;
      if (p.targetPort !== undefined) same.targetPort = p.targetPort;
    } else if (p.nodePort === undefined || ports.length === 0) ports.push(compact({ port: p.port, targetPort: p.targetPort, nodePort: p.nodePort, protocol: p.protocol }));
  }
}

/** Applies a requested object's fields to the quoted object of the same kind (creating nothing). */
export function overlayObject(m: Manifest, o: ObjectIntent, ctx: ObjectContext): void {
  if (o.kind === 'Service') {
    overlayService(m, o);
    return;
  }
  const fresh = objectManifest({ ...o, name: o.name ?? String(obj(m.metadata)?.name ?? '') }, ctx);
  if (!fresh) return;
  for (const key of ['data', 'rules', 'subjects', 'roleRef', 'provisioner', 'reclaimPolicy', 'volumeBindingMode'] as const) {
    const have = fresh[key];
    const stated = key === 'data' ? o.data && Object.keys(o.data).length > 0 : key === 'rules' ? (o.rules?.length ?? 0) > 0 : key === 'subjects' ? (o.subjects?.length ?? 0) > 0 : key === 'roleRef' ? o.roleRef !== undefined : o[key] !== undefined;
    if (stated && have !== undefined) m[key] = have;
  }
}
