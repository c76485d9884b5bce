/**
 * Kubernetes security and reliability rules. Each rule is a small pure check over one manifest
 * (with the whole stream for context) and, where a safe automatic change exists, a fix that
 * returns a corrected copy. IDs are stable; `checkov` and `kubeLinter` name the equivalent check in
 * those scanners (null where they have none), `doc` the entry in docs/iac-notes that explains it.
 */
import type { Severity } from '../findings.js';
import { addTmpVolume, dropAddedCapabilities, hostPaths, imageTag, NON_ROOT_ID } from '../k8s/harden.js';
import { arr, clone, containersOf, ensure, isObject, kindOf, nameOf, obj, podSpecOf, str, type Json, type JsonObject, type Manifest } from '../k8s/manifest.js';

export interface RuleContext {
  /** Every manifest in the artefact (for cross-object checks). */
  all: readonly Manifest[];
}

export interface RuleHit {
  path: string;
  message: string;
}

export interface K8sRule {
  id: string;
  title: string;
  severity: Severity;
  checkov: string | null;
  kubeLinter: string | null;
  /** docs/iac-notes entry explaining the rule and the fix. */
  doc: string;
  /** Fixing it changes behaviour only in ways any request accepts (e.g. a missing field), never removes asked-for access. */
  category: 'security' | 'reliability' | 'validity';
  check(m: Manifest, ctx: RuleContext): RuleHit[];
  fix?(m: Manifest, ctx: RuleContext): Manifest;
}

const LONG_RUNNING = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController']);
const REPLICATED = new Set(['Deployment', 'StatefulSet', 'ReplicaSet', 'ReplicationController']);

function podPath(m: Manifest): string {
  switch (kindOf(m)) {
    case 'Pod':
      return '/spec';
    case 'CronJob':
      return '/spec/jobTemplate/spec/template/spec';
    default:
      return '/spec/template/spec';
  }
}

/** Every container with its path, including init containers. */
function eachContainer(m: Manifest): { c: JsonObject; path: string }[] {
  const pod = podSpecOf(m);
  if (!pod) return [];
  const base = podPath(m);
  const out: { c: JsonObject; path: string }[] = [];
  arr(pod.containers).forEach((c, i) => {
    if (isObject(c)) out.push({ c, path: `${base}/containers/${i}` });
  });
  arr(pod.initContainers).forEach((c, i) => {
    if (isObject(c)) out.push({ c, path: `${base}/initContainers/${i}` });
  });
  return out;
}

function containerCheck(m: Manifest, bad: (c: JsonObject, pod: JsonObject) => string | null, suffix = ''): RuleHit[] {
  const pod = podSpecOf(m);
  if (!pod) return [];
  const hits: RuleHit[] = [];
  for (const { c, path } of eachContainer(m)) {
    const msg = bad(c, pod);
    if (msg) hits.push({ path: path + suffix, message: `container "${str(c.name) ?? '?'}": ${msg}` });
  }
  return hits;
}

/** Apply a change to a copy's pod spec (and its containers). */
function fixPod(m: Manifest, change: (pod: JsonObject) => void): Manifest {
  const copy = clone(m as Json) as Manifest;
  const pod = podSpecOf(copy);
  if (pod) change(pod);
  return copy;
}

function sc(c: JsonObject): JsonObject | undefined {
  return obj(c.securityContext);
}

function podSc(pod: JsonObject): JsonObject | undefined {
  return obj(pod.securityContext);
}

function effective(c: JsonObject, pod: JsonObject, key: string): Json | undefined {
  return sc(c)?.[key] ?? podSc(pod)?.[key];
}

function resourceValue(c: JsonObject, kind: 'requests' | 'limits', res: 'cpu' | 'memory'): Json | undefined {
  return obj(obj(c.resources)?.[kind])?.[res];
}

const DEFAULTS = { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } } as const;

function resourceRule(id: string, kind: 'requests' | 'limits', res: 'cpu' | 'memory', checkov: string): K8sRule {
  return {
    id,
    title: `${res === 'cpu' ? 'CPU' : 'Memory'} ${kind} are set`,
    severity: 'warning',
    checkov,
    kubeLinter: res === 'cpu' ? 'unset-cpu-requirements' : 'unset-memory-requirements',
    doc: 'resources',
    category: 'reliability',
    check: (m) => containerCheck(m, (c) => (resourceValue(c, kind, res) === undefined ? `no ${res} ${kind.replace(/s$/, '')}` : null)),
    fix: (m) =>
      fixPod(m, (pod) => {
        for (const c of containersOf(pod)) {
          if (resourceValue(c, kind, res) !== undefined) continue;
          // A limit follows an explicit request (never below it); a request follows an explicit limit.
          const other = resourceValue(c, kind === 'limits' ? 'requests' : 'limits', res);
          ensure(ensure(c, 'resources'), kind)[res] = other ?? DEFAULTS[kind][res];
        }
      }),
  };
}

function hostFlagRule(id: string, key: 'hostNetwork' | 'hostPID' | 'hostIPC', checkov: string, linter: string): K8sRule {
  return {
    id,
    title: `${key} is not used`,
    severity: 'error',
    checkov,
    kubeLinter: linter,
    doc: 'host-namespaces',
    category: 'security',
    check: (m) => {
      const pod = podSpecOf(m);
      return pod?.[key] === true ? [{ path: `${podPath(m)}/${key}`, message: `${key}: true shares the node's ${key.slice(4)} namespace with the pod` }] : [];
    },
    fix: (m) => fixPod(m, (pod) => void delete pod[key]),
  };
}

const DANGEROUS_CAPS = new Set(['SYS_ADMIN', 'NET_ADMIN', 'SYS_PTRACE', 'SYS_MODULE', 'DAC_READ_SEARCH', 'SYS_RAWIO', 'BPF', 'ALL', 'NET_RAW', 'SYS_TIME']);
const SENSITIVE_HOST = ['/', '/etc', '/proc', '/sys', '/boot', '/dev', '/root', '/var/run', '/run', '/var/lib/kubelet', '/var/lib/docker', '/usr', '/lib', '/bin', '/sbin'];
/** sysctls Kubernetes considers safe (namespaced and isolated); anything else needs the kubelet's allow-list. */
const SAFE_SYSCTLS = new Set(['kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.ip_unprivileged_port_start', 'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range', 'net.ipv4.ip_local_reserved_ports', 'net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes']);

function labelsMatch(selector: JsonObject | undefined, labels: JsonObject | undefined): boolean {
  if (!selector || Object.keys(selector).length === 0) return false;
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

function podLabels(m: Manifest): JsonObject | undefined {
  if (kindOf(m) === 'Pod') return obj(obj(m.metadata)?.labels);
  if (kindOf(m) === 'CronJob') return obj(obj(obj(obj(obj(m.spec)?.jobTemplate)?.spec)?.template)?.metadata)?.labels as JsonObject | undefined;
  return obj(obj(obj(obj(m.spec)?.template)?.metadata)?.labels);
}

function selectorOf(m: Manifest): JsonObject | undefined {
  const s = obj(m.spec)?.selector;
  if (kindOf(m) === 'ReplicationController') return obj(s);
  return obj(obj(s)?.matchLabels);
}

function firstPort(c: JsonObject): number | undefined {
  const p = arr(c.ports).find(isObject);
  return p && typeof p.containerPort === 'number' ? p.containerPort : undefined;
}

function probeRule(id: string, probe: 'livenessProbe' | 'readinessProbe', checkov: string, linter: string): K8sRule {
  return {
    id,
    title: `${probe === 'livenessProbe' ? 'Liveness' : 'Readiness'} probe is configured`,
    severity: 'warning',
    checkov,
    kubeLinter: linter,
    doc: 'probes',
    category: 'reliability',
    check: (m) => (LONG_RUNNING.has(kindOf(m)) ? containerCheck(m, (c) => (c[probe] === undefined ? `no ${probe}` : null)) : []),
    fix: (m) =>
      fixPod(m, (pod) => {
        for (const c of arr(pod.containers).filter(isObject)) {
          const port = firstPort(c);
          // Without a port there is no safe generic probe: the finding stays for a human.
          if (c[probe] !== undefined || port === undefined) continue;
          c[probe] = probe === 'livenessProbe' ? { tcpSocket: { port }, initialDelaySeconds: 10, periodSeconds: 10 } : { tcpSocket: { port }, periodSeconds: 5 };
        }
      }),
  };
}

function rbacRules(m: Manifest): JsonObject[] {
  return kindOf(m) === 'Role' || kindOf(m) === 'ClusterRole' ? arr(m.rules).filter(isObject) : [];
}

function strings(v: Json | undefined): string[] {
  return arr(v).filter((x): x is string => typeof x === 'string');
}

export const K8S_RULES: readonly K8sRule[] = [
  {
    id: 'K8S-001',
    title: 'Containers are not privileged',
    severity: 'error',
    checkov: 'CKV_K8S_16',
    kubeLinter: 'privileged-container',
    doc: 'privileged',
    category: 'security',
    check: (m) => containerCheck(m, (c) => (sc(c)?.privileged === true ? 'runs privileged (full access to the node)' : null), '/securityContext/privileged'),
    fix: (m) => fixPod(m, (pod) => containersOf(pod).forEach((c) => void delete ensure(c, 'securityContext').privileged)),
  },
  {
    id: 'K8S-002',
    title: 'Privilege escalation is disallowed',
    severity: 'warning',
    checkov: 'CKV_K8S_20',
    kubeLinter: 'privilege-escalation-container',
    doc: 'privilege-escalation',
    category: 'security',
    check: (m) => containerCheck(m, (c) => (sc(c)?.allowPrivilegeEscalation !== false ? 'allowPrivilegeEscalation is not false' : null)),
    fix: (m) => fixPod(m, (pod) => containersOf(pod).forEach((c) => (ensure(c, 'securityContext').allowPrivilegeEscalation = false))),
  },
  {
    id: 'K8S-003',
    title: 'Containers run as non-root',
    severity: 'warning',
    checkov: 'CKV_K8S_23',
    kubeLinter: 'run-as-non-root',
    doc: 'non-root',
    category: 'security',
    check: (m) => containerCheck(m, (c, pod) => (effective(c, pod, 'runAsNonRoot') !== true && !(typeof effective(c, pod, 'runAsUser') === 'number' && (effective(c, pod, 'runAsUser') as number) > 0) ? 'may run as root (runAsNonRoot not set)' : null)),
    fix: (m) =>
      fixPod(m, (pod) => {
        const s = ensure(pod, 'securityContext');
        s.runAsNonRoot = true;
        if (typeof s.runAsUser !== 'number' || s.runAsUser === 0) s.runAsUser = NON_ROOT_ID;
      }),
  },
  {
    id: 'K8S-004',
    title: 'Root filesystem is read-only',
    severity: 'warning',
    checkov: 'CKV_K8S_22',
    kubeLinter: 'no-read-only-root-fs',
    doc: 'read-only-root',
    category: 'security',
    check: (m) => containerCheck(m, (c) => (sc(c)?.readOnlyRootFilesystem !== true ? 'root filesystem is writable' : null)),
    fix: (m) =>
      fixPod(m, (pod) => {
        containersOf(pod).forEach((c) => (ensure(c, 'securityContext').readOnlyRootFilesystem = true));
        addTmpVolume(pod);
      }),
  },
  {
    id: 'K8S-005',
    title: 'All capabilities are dropped',
    severity: 'warning',
    checkov: 'CKV_K8S_37',
    kubeLinter: null,
    doc: 'capabilities',
    category: 'security',
    check: (m) => containerCheck(m, (c) => (!strings(obj(sc(c)?.capabilities)?.drop).some((x) => x === 'ALL' || x === 'all') ? 'capabilities are not dropped (drop: [ALL])' : null)),
    fix: (m) => fixPod(m, (pod) => containersOf(pod).forEach((c) => (ensure(ensure(c, 'securityContext'), 'capabilities').drop = ['ALL']))),
  },
  {
    id: 'K8S-006',
    title: 'NET_RAW is dropped',
    severity: 'info',
    checkov: 'CKV_K8S_28',
    kubeLinter: 'drop-net-raw-capability',
    doc: 'capabilities',
    category: 'security',
    check: (m) => containerCheck(m, (c) => (!strings(obj(sc(c)?.capabilities)?.drop).some((x) => /^(?:ALL|NET_RAW)$/i.test(x)) ? 'NET_RAW is not dropped (allows packet spoofing)' : null)),
    fix: (m) => fixPod(m, (pod) => containersOf(pod).forEach((c) => (ensure(ensure(c, 'securityContext'), 'capabilities').drop = ['ALL']))),
  },
  {
    id: 'K8S-007',
    title: 'No dangerous capabilities are added',
    severity: 'error',
    checkov: 'CKV_K8S_39',
    kubeLinter: null,
    doc: 'capabilities',
    category: 'security',
    check: (m) =>
      containerCheck(m, (c) => {
        const bad = strings(obj(sc(c)?.capabilities)?.add).filter((x) => DANGEROUS_CAPS.has(x.toUpperCase().replace(/^CAP_/, '')));
        return bad.length > 0 ? `adds ${bad.join(', ')}` : null;
      }),
    fix: (m) => fixPod(m, (pod) => containersOf(pod).forEach(dropAddedCapabilities)),
  },
  hostFlagRule('K8S-008', 'hostNetwork', 'CKV_K8S_19', 'host-network'),
  hostFlagRule('K8S-009', 'hostPID', 'CKV_K8S_17', 'host-pid'),
  hostFlagRule('K8S-010', 'hostIPC', 'CKV_K8S_18', 'host-ipc'),
  resourceRule('K8S-011', 'requests', 'cpu', 'CKV_K8S_10'),
  resourceRule('K8S-012', 'limits', 'cpu', 'CKV_K8S_11'),
  resourceRule('K8S-013', 'requests', 'memory', 'CKV_K8S_12'),
  resourceRule('K8S-014', 'limits', 'memory', 'CKV_K8S_13'),
  {
    id: 'K8S-015',
    title: 'Images are pinned to a version',
    severity: 'warning',
    checkov: 'CKV_K8S_14',
    kubeLinter: 'latest-tag',
    doc: 'image-tags',
    category: 'reliability',
    check: (m) =>
      containerCheck(m, (c) => {
        const image = str(c.image) ?? '';
        const tag = imageTag(image);
        return tag === undefined || tag === 'latest' ? `image "${image}" is not pinned (no tag or :latest)` : null;
      }),
  },
  {
    id: 'K8S-016',
    title: 'Mutable tags are always pulled',
    severity: 'info',
    checkov: 'CKV_K8S_15',
    kubeLinter: null,
    doc: 'image-tags',
    category: 'reliability',
    check: (m) => containerCheck(m, (c) => (imageTag(str(c.image) ?? '') === undefined && c.imagePullPolicy !== 'Always' ? 'untagged image without imagePullPolicy: Always' : null)),
  },
  probeRule('K8S-017', 'livenessProbe', 'CKV_K8S_8', 'no-liveness-probe'),
  probeRule('K8S-018', 'readinessProbe', 'CKV_K8S_9', 'no-readiness-probe'),
  {
    id: 'K8S-019',
    title: 'The container runtime socket is not mounted',
    severity: 'error',
    checkov: 'CKV_K8S_27',
    kubeLinter: 'docker-sock',
    doc: 'host-mounts',
    category: 'security',
    check: (m) => {
      const pod = podSpecOf(m);
      return pod ? hostPaths(pod).filter((p) => /(?:docker|containerd|crio)\.sock$/.test(p)).map((p) => ({ path: `${podPath(m)}/volumes`, message: `mounts ${p}: root on the node` })) : [];
    },
  },
  {
    id: 'K8S-020',
    title: 'No sensitive host paths are mounted',
    severity: 'warning',
    checkov: null,
    kubeLinter: 'sensitive-host-mounts',
    doc: 'host-mounts',
    category: 'security',
    check: (m) => {
      const pod = podSpecOf(m);
      if (!pod) return [];
      return hostPaths(pod)
        .filter((p) => SENSITIVE_HOST.some((s) => p === s || (s !== '/' && p.startsWith(`${s}/`) && !/\.sock$/.test(p))))
        .map((p) => ({ path: `${podPath(m)}/volumes`, message: `mounts sensitive host path ${p}` }));
    },
  },
  {
    id: 'K8S-021',
    title: 'Host paths are mounted read-only',
    severity: 'warning',
    checkov: null,
    kubeLinter: 'writable-host-mount',
    doc: 'host-mounts',
    category: 'security',
    check: (m) => {
      const pod = podSpecOf(m);
      if (!pod) return [];
      const hostVols = new Set(arr(pod.volumes).filter(isObject).filter((v) => obj(v.hostPath)).map((v) => str(v.name)));
      return containerCheck(m, (c) => {
        const rw = arr(c.volumeMounts).filter(isObject).filter((v) => hostVols.has(str(v.name)) && v.readOnly !== true);
        return rw.length > 0 ? `host path volume ${rw.map((v) => str(v.name)).join(', ')} is writable` : null;
      });
    },
    fix: (m) =>
      fixPod(m, (pod) => {
        const hostVols = new Set(arr(pod.volumes).filter(isObject).filter((v) => obj(v.hostPath)).map((v) => str(v.name)));
        for (const c of containersOf(pod)) for (const v of arr(c.volumeMounts).filter(isObject)) if (hostVols.has(str(v.name))) v.readOnly = true;
      }),
  },
  {
    id: 'K8S-022',
    title: 'The RuntimeDefault seccomp profile is used',
    severity: 'warning',
    checkov: 'CKV_K8S_31',
    kubeLinter: null,
    doc: 'seccomp',
    category: 'security',
    check: (m) => containerCheck(m, (c, pod) => (obj(effective(c, pod, 'seccompProfile'))?.type === undefined ? 'no seccomp profile' : null)),
    fix: (m) => fixPod(m, (pod) => (ensure(pod, 'securityContext').seccompProfile = { type: 'RuntimeDefault' })),
  },
  {
    id: 'K8S-023',
    title: 'Service-account tokens are not mounted unless needed',
    severity: 'info',
    checkov: 'CKV_K8S_38',
    kubeLinter: null,
    doc: 'service-accounts',
    category: 'security',
    check: (m) => {
      const pod = podSpecOf(m);
      return pod && pod.automountServiceAccountToken !== false && !pod.serviceAccountName ? [{ path: `${podPath(m)}/automountServiceAccountToken`, message: 'the API token is mounted into every container' }] : [];
    },
    fix: (m) => fixPod(m, (pod) => (pod.automountServiceAccountToken = false)),
  },
  {
    id: 'K8S-024',
    title: 'Objects do not live in the default namespace',
    severity: 'info',
    checkov: 'CKV_K8S_21',
    kubeLinter: 'use-namespace',
    doc: 'namespaces',
    category: 'reliability',
    check: (m) => (podSpecOf(m) && (obj(m.metadata)?.namespace === undefined || obj(m.metadata)?.namespace === 'default') ? [{ path: '/metadata/namespace', message: 'in the default namespace' }] : []),
  },
  {
    id: 'K8S-025',
    title: 'Secrets are not passed as literal environment values',
    severity: 'warning',
    checkov: 'CKV_K8S_35',
    kubeLinter: 'env-var-secret',
    doc: 'secrets',
    category: 'security',
    check: (m) =>
      containerCheck(m, (c) => {
        const bad = arr(c.env).filter(isObject).filter((e) => typeof e.value === 'string' && e.value !== '' && /(?:PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIALS?)/i.test(str(e.name) ?? ''));
        return bad.length > 0 ? `literal secret in env ${bad.map((e) => str(e.name)).join(', ')} (use a Secret)` : null;
      }),
  },
  {
    id: 'K8S-026',
    title: 'Containers run with a high UID',
    severity: 'info',
    checkov: 'CKV_K8S_40',
    kubeLinter: null,
    doc: 'non-root',
    category: 'security',
    check: (m) => containerCheck(m, (c, pod) => (typeof effective(c, pod, 'runAsUser') !== 'number' || (effective(c, pod, 'runAsUser') as number) < 10000 ? 'UID below 10000 may collide with host users' : null)),
    fix: (m) => fixPod(m, (pod) => (ensure(pod, 'securityContext').runAsUser = NON_ROOT_ID)),
  },
  {
    id: 'K8S-027',
    title: 'Replicas are spread over nodes',
    severity: 'info',
    checkov: null,
    kubeLinter: 'no-anti-affinity',
    doc: 'availability',
    category: 'reliability',
    check: (m) => {
      const replicas = obj(m.spec)?.replicas;
      const pod = podSpecOf(m);
      return REPLICATED.has(kindOf(m)) && typeof replicas === 'number' && replicas > 1 && pod && !obj(pod.affinity)?.podAntiAffinity && !pod.topologySpreadConstraints ? [{ path: `${podPath(m)}/affinity`, message: `${replicas} replicas may all land on one node` }] : [];
    },
    fix: (m) =>
      fixPod(m, (pod) => {
        const labels = selectorOf(m) ?? {};
        ensure(pod, 'affinity').podAntiAffinity = { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { labelSelector: { matchLabels: labels }, topologyKey: 'kubernetes.io/hostname' } }] };
      }),
  },
  {
    id: 'K8S-028',
    title: 'Long-running apps have more than one replica',
    severity: 'info',
    checkov: null,
    kubeLinter: 'minimum-three-replicas',
    doc: 'availability',
    category: 'reliability',
    check: (m) => {
      const r = obj(m.spec)?.replicas;
      return REPLICATED.has(kindOf(m)) && (r === undefined || (typeof r === 'number' && r < 2)) ? [{ path: '/spec/replicas', message: 'a single replica: any restart is an outage' }] : [];
    },
  },
  {
    id: 'K8S-029',
    title: 'The selector matches the pod template labels',
    severity: 'error',
    checkov: null,
    kubeLinter: 'mismatching-selector',
    doc: 'selectors',
    category: 'validity',
    check: (m) => {
      if (!REPLICATED.has(kindOf(m)) && kindOf(m) !== 'DaemonSet') return [];
      const sel = selectorOf(m);
      return labelsMatch(sel, podLabels(m)) ? [] : [{ path: '/spec/selector', message: 'selector does not match the pod template labels (the API server rejects it)' }];
    },
    fix: (m) => {
      const copy = clone(m as Json) as Manifest;
      const spec = ensure(copy, 'spec');
      const tmeta = ensure(ensure(spec, 'template'), 'metadata');
      const labels = obj(tmeta.labels) && Object.keys(obj(tmeta.labels)!).length > 0 ? obj(tmeta.labels)! : (tmeta.labels = selectorOf(copy) ?? { app: nameOf(copy) || 'app' }) as JsonObject;
      if (kindOf(copy) === 'ReplicationController') spec.selector = { ...labels };
      else spec.selector = { matchLabels: { ...labels } };
      return copy;
    },
  },
  {
    id: 'K8S-030',
    title: 'Services select some pods',
    severity: 'info',
    checkov: null,
    kubeLinter: 'dangling-service',
    doc: 'selectors',
    category: 'validity',
    check: (m, ctx) => {
      if (kindOf(m) !== 'Service') return [];
      const sel = obj(obj(m.spec)?.selector);
      const workloads = ctx.all.filter((x) => podSpecOf(x));
      if (!sel || workloads.length === 0) return [];
      return workloads.some((w) => labelsMatch(sel, podLabels(w))) ? [] : [{ path: '/spec/selector', message: 'selects no pod defined alongside it' }];
    },
  },
  {
    id: 'K8S-031',
    title: 'RBAC rules do not use wildcards',
    severity: 'warning',
    checkov: 'CKV_K8S_49',
    kubeLinter: 'wildcard-in-rules',
    doc: 'rbac',
    category: 'security',
    check: (m) => rbacRules(m).flatMap((r, i) => ([...strings(r.verbs), ...strings(r.resources), ...strings(r.apiGroups)].includes('*') ? [{ path: `/rules/${i}`, message: 'grants "*"' }] : [])),
  },
  {
    id: 'K8S-032',
    title: 'Nothing is bound to cluster-admin',
    severity: 'error',
    checkov: null,
    kubeLinter: 'cluster-admin-role-binding',
    doc: 'rbac',
    category: 'security',
    check: (m) => ((kindOf(m) === 'ClusterRoleBinding' || kindOf(m) === 'RoleBinding') && obj(m.roleRef)?.name === 'cluster-admin' ? [{ path: '/roleRef', message: 'binds cluster-admin: full control of the cluster' }] : []),
  },
  {
    id: 'K8S-033',
    title: 'Roles reading Secrets are deliberate',
    severity: 'info',
    checkov: null,
    kubeLinter: 'access-to-secrets',
    doc: 'rbac',
    category: 'security',
    check: (m) => rbacRules(m).flatMap((r, i) => (strings(r.resources).some((x) => x === 'secrets' || x === '*') ? [{ path: `/rules/${i}`, message: 'can read Secrets' }] : [])),
  },
  {
    id: 'K8S-034',
    title: 'Finished Jobs are cleaned up',
    severity: 'info',
    checkov: null,
    kubeLinter: 'job-ttl-seconds-after-finished',
    doc: 'jobs',
    category: 'reliability',
    check: (m) => (kindOf(m) === 'Job' && obj(m.spec)?.ttlSecondsAfterFinished === undefined ? [{ path: '/spec/ttlSecondsAfterFinished', message: 'finished pods are kept forever' }] : []),
    fix: (m) => {
      const copy = clone(m as Json) as Manifest;
      ensure(copy, 'spec').ttlSecondsAfterFinished = 3600;
      return copy;
    },
  },
  {
    id: 'K8S-035',
    title: 'Job pods restart Never or OnFailure',
    severity: 'error',
    checkov: null,
    kubeLinter: null,
    doc: 'jobs',
    category: 'validity',
    check: (m) => {
      if (kindOf(m) !== 'Job' && kindOf(m) !== 'CronJob') return [];
      const rp = podSpecOf(m)?.restartPolicy;
      return rp === 'Never' || rp === 'OnFailure' ? [] : [{ path: `${podPath(m)}/restartPolicy`, message: `restartPolicy ${rp === undefined ? 'unset (Always)' : String(rp)} is not allowed for a Job` }];
    },
    fix: (m) => fixPod(m, (pod) => (pod.restartPolicy = 'OnFailure')),
  },
  {
    id: 'K8S-036',
    title: 'Pods are isolated by a NetworkPolicy',
    severity: 'info',
    checkov: null,
    kubeLinter: 'non-isolated-pod',
    doc: 'network-policy',
    category: 'security',
    check: (m, ctx) => {
      if (!LONG_RUNNING.has(kindOf(m)) && kindOf(m) !== 'Pod') return [];
      const labels = podLabels(m);
      const isolated = ctx.all.some((p) => kindOf(p) === 'NetworkPolicy' && (Object.keys(obj(obj(obj(p.spec)?.podSelector)?.matchLabels) ?? {}).length === 0 || labelsMatch(obj(obj(obj(p.spec)?.podSelector)?.matchLabels), labels)));
      return isolated ? [] : [{ path: '/', message: 'no NetworkPolicy in this artefact selects these pods' }];
    },
  },
  {
    id: 'K8S-037',
    title: 'NodePort Services are deliberate',
    severity: 'info',
    checkov: null,
    kubeLinter: 'exposed-services',
    doc: 'exposure',
    category: 'security',
    check: (m) => (kindOf(m) === 'Service' && obj(m.spec)?.type === 'NodePort' ? [{ path: '/spec/type', message: 'opens a port on every node' }] : []),
  },
  {
    id: 'K8S-038',
    title: 'SSH is not exposed',
    severity: 'warning',
    checkov: null,
    kubeLinter: 'ssh-port',
    doc: 'exposure',
    category: 'security',
    check: (m) => containerCheck(m, (c) => (arr(c.ports).filter(isObject).some((p) => p.containerPort === 22) ? 'exposes port 22' : null)),
  },
  {
    id: 'K8S-039',
    title: 'Containers do not bind privileged ports',
    severity: 'info',
    checkov: null,
    kubeLinter: 'privileged-ports',
    doc: 'exposure',
    category: 'security',
    check: (m) => containerCheck(m, (c) => (arr(c.ports).filter(isObject).some((p) => typeof p.containerPort === 'number' && p.containerPort < 1024) ? 'binds a port below 1024 (needs root or NET_BIND_SERVICE)' : null)),
  },
  {
    id: 'K8S-040',
    title: 'Only safe sysctls are set',
    severity: 'warning',
    checkov: null,
    kubeLinter: 'unsafe-sysctls',
    doc: 'sysctls',
    category: 'security',
    check: (m) => {
      const pod = podSpecOf(m);
      const list = arr(podSc(pod ?? {})?.sysctls).filter(isObject);
      const bad = list.map((s) => str(s.name) ?? '').filter((n) => !SAFE_SYSCTLS.has(n));
      return bad.length > 0 ? [{ path: `${podPath(m)}/securityContext/sysctls`, message: `unsafe sysctls ${bad.join(', ')} (need the kubelet allow-list)` }] : [];
    },
  },
  {
    id: 'K8S-041',
    title: 'Disruption budgets allow some disruption',
    severity: 'warning',
    checkov: null,
    kubeLinter: 'pdb-max-unavailable',
    doc: 'availability',
    category: 'reliability',
    check: (m) => {
      if (kindOf(m) !== 'PodDisruptionBudget') return [];
      const s = obj(m.spec);
      return s?.maxUnavailable === 0 || s?.maxUnavailable === '0%' || s?.minAvailable === '100%' ? [{ path: '/spec', message: 'no pod may ever be evicted: node drains block forever' }] : [];
    },
  },
  {
    id: 'K8S-042',
    title: 'Autoscaler bounds are ordered',
    severity: 'error',
    checkov: null,
    kubeLinter: null,
    doc: 'autoscaling',
    category: 'validity',
    check: (m) => {
      if (kindOf(m) !== 'HorizontalPodAutoscaler') return [];
      const s = obj(m.spec);
      const min = typeof s?.minReplicas === 'number' ? s.minReplicas : 1;
      return typeof s?.maxReplicas === 'number' && s.maxReplicas < min ? [{ path: '/spec/maxReplicas', message: `maxReplicas ${s.maxReplicas} < minReplicas ${min}` }] : [];
    },
    fix: (m) => {
      const copy = clone(m as Json) as Manifest;
      const s = ensure(copy, 'spec');
      const min = typeof s.minReplicas === 'number' ? s.minReplicas : 1;
      s.maxReplicas = min;
      return copy;
    },
  },
  {
    id: 'K8S-043',
    title: 'hostPort is not used',
    severity: 'info',
    checkov: 'CKV_K8S_26',
    kubeLinter: null,
    doc: 'exposure',
    category: 'security',
    check: (m) => containerCheck(m, (c) => (arr(c.ports).filter(isObject).some((p) => p.hostPort !== undefined) ? 'binds a hostPort (limits scheduling, bypasses NetworkPolicy)' : null)),
  },
  {
    id: 'K8S-044',
    title: 'Containers have names and images',
    severity: 'error',
    checkov: null,
    kubeLinter: null,
    doc: 'containers',
    category: 'validity',
    check: (m) => containerCheck(m, (c) => (!str(c.name) ? 'has no name' : !str(c.image) ? 'has no image' : null)),
    fix: (m) =>
      fixPod(m, (pod) => {
        const taken = new Set(containersOf(pod).map((c) => str(c.name)).filter(Boolean));
        containersOf(pod).forEach((c, i) => {
          if (str(c.name)) return;
          let n = i === 0 ? (nameOf(m) || 'app') : `container-${i + 1}`;
          while (taken.has(n)) n = `${n}-x`;
          taken.add(n);
          c.name = n;
        });
      }),
  },
];

export function ruleById(id: string): K8sRule | undefined {
  return K8S_RULES.find((r) => r.id === id);
}
