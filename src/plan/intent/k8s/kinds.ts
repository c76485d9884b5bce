/**
 * The Kubernetes kinds the intent pipeline knows: their current apiVersion, whether they are
 * namespaced, whether they run pods, and the words people use for them in requests.
 */

export interface KindInfo {
  kind: string;
  apiVersion: string;
  namespaced: boolean;
  workload: boolean;
  /** Regex source for the ways a request names this kind (case-insensitive). */
  words: string;
}

// Longest phrases first: "cluster role binding" must win over "role", "service account" over "service".
export const KINDS: readonly KindInfo[] = [
  { kind: 'ClusterRoleBinding', apiVersion: 'rbac.authorization.k8s.io/v1', namespaced: false, workload: false, words: 'cluster ?role ?bindings?' },
  { kind: 'RoleBinding', apiVersion: 'rbac.authorization.k8s.io/v1', namespaced: true, workload: false, words: 'role ?bindings?' },
  { kind: 'ClusterRole', apiVersion: 'rbac.authorization.k8s.io/v1', namespaced: false, workload: false, words: 'cluster ?roles?' },
  { kind: 'ServiceAccount', apiVersion: 'v1', namespaced: true, workload: false, words: 'service ?accounts?|SA' },
  { kind: 'HorizontalPodAutoscaler', apiVersion: 'autoscaling/v2', namespaced: true, workload: false, words: 'horizontal ?pod ?autoscalers?|HPA|(?:pod )?autoscalers?' },
  { kind: 'PodDisruptionBudget', apiVersion: 'policy/v1', namespaced: true, workload: false, words: 'pod ?disruption ?budgets?|PDB' },
  { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespaced: true, workload: false, words: 'persistent ?volume ?claims?|PVCs?' },
  { kind: 'PersistentVolume', apiVersion: 'v1', namespaced: false, workload: false, words: 'persistent ?volumes?|PVs?' },
  { kind: 'StorageClass', apiVersion: 'storage.k8s.io/v1', namespaced: false, workload: false, words: 'storage ?class(?:es)?' },
  { kind: 'NetworkPolicy', apiVersion: 'networking.k8s.io/v1', namespaced: true, workload: false, words: 'network ?polic(?:y|ies)' },
  { kind: 'ResourceQuota', apiVersion: 'v1', namespaced: true, workload: false, words: 'resource ?quotas?' },
  { kind: 'LimitRange', apiVersion: 'v1', namespaced: true, workload: false, words: 'limit ?ranges?' },
  { kind: 'ConfigMap', apiVersion: 'v1', namespaced: true, workload: false, words: 'config ?maps?' },
  { kind: 'Secret', apiVersion: 'v1', namespaced: true, workload: false, words: 'secrets?' },
  { kind: 'Ingress', apiVersion: 'networking.k8s.io/v1', namespaced: true, workload: false, words: 'ingress(?:es)?' },
  { kind: 'IngressClass', apiVersion: 'networking.k8s.io/v1', namespaced: false, workload: false, words: 'ingress ?class(?:es)?' },
  { kind: 'PriorityClass', apiVersion: 'scheduling.k8s.io/v1', namespaced: false, workload: false, words: 'priority ?class(?:es)?' },
  { kind: 'StatefulSet', apiVersion: 'apps/v1', namespaced: true, workload: true, words: 'stateful ?sets?' },
  { kind: 'DaemonSet', apiVersion: 'apps/v1', namespaced: true, workload: true, words: 'daemon ?sets?' },
  { kind: 'ReplicaSet', apiVersion: 'apps/v1', namespaced: true, workload: true, words: 'replica ?sets?' },
  { kind: 'ReplicationController', apiVersion: 'v1', namespaced: true, workload: true, words: 'replication ?controllers?' },
  { kind: 'Deployment', apiVersion: 'apps/v1', namespaced: true, workload: true, words: 'deployments?' },
  { kind: 'CronJob', apiVersion: 'batch/v1', namespaced: true, workload: true, words: 'cron ?jobs?' },
  { kind: 'Job', apiVersion: 'batch/v1', namespaced: true, workload: true, words: 'jobs?' },
  { kind: 'Pod', apiVersion: 'v1', namespaced: true, workload: true, words: 'pods?' },
  { kind: 'Service', apiVersion: 'v1', namespaced: true, workload: false, words: 'services?|svc' },
  { kind: 'Role', apiVersion: 'rbac.authorization.k8s.io/v1', namespaced: true, workload: false, words: 'roles?' },
  { kind: 'Namespace', apiVersion: 'v1', namespaced: false, workload: false, words: 'namespaces?' },
];

const BY_KIND = new Map(KINDS.map((k) => [k.kind, k]));

export function kindInfo(kind: string): KindInfo | undefined {
  return BY_KIND.get(kind);
}

export function apiVersionOf(kind: string): string {
  return BY_KIND.get(kind)?.apiVersion ?? 'v1';
}

export function isWorkloadKind(kind: string): boolean {
  return BY_KIND.get(kind)?.workload ?? false;
}
