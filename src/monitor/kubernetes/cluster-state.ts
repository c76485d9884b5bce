/**
 * One read of everything the loop and the intent pipeline look at in a cluster: inventory (nodes, pods,
 * Deployments and their ReplicaSets, HPAs, PDBs, storage classes, namespaces), usage (metrics.k8s.io) and events.
 * Lists are cluster-wide where a node's load needs every pod on it, per watched namespace otherwise.
 *
 * metrics.k8s.io is optional in a cluster (metrics-server may be absent): its failure is recorded in
 * `metricsError`, not thrown, so the rest of the snapshot still stands (marked degraded by the mapper).
 */
import type {
  CoreV1Event, V1Deployment, V1Node, V1Pod, V1PodDisruptionBudget, V1ReplicaSet, V1StorageClass, V2HorizontalPodAutoscaler,
} from '@kubernetes/client-node';
import type { ClusterAccess } from '../../execute/providers/kubernetes/cluster-access.js';
import { apiCall } from '../../execute/providers/kubernetes/api-error.js';
import { readNodeMetrics, readPodMetrics, type NodeMetricsList, type PodMetricsList } from './metrics-api.js';

export interface ClusterState {
  /** Wall-clock seconds when the read started. */
  at: number;
  namespaces: string[];
  nodes: V1Node[];
  /** Every pod of the cluster (a node's requested CPU counts all of them). */
  pods: V1Pod[];
  /** Deployments, ReplicaSets, HPAs and PDBs of the watched namespaces. */
  deployments: V1Deployment[];
  replicaSets: V1ReplicaSet[];
  hpas: V2HorizontalPodAutoscaler[];
  pdbs: V1PodDisruptionBudget[];
  storageClasses: V1StorageClass[];
  events: CoreV1Event[];
  nodeMetrics?: NodeMetricsList;
  podMetrics?: PodMetricsList;
  metricsError?: string;
}

export async function readClusterState(api: ClusterAccess, watched: readonly string[], timeoutMs: number, now: () => number = Date.now): Promise<ClusterState> {
  const at = now() / 1000;
  const all = { kind: 'cluster', name: '(all)' };
  const perNamespace = async <T>(what: string, list: (namespace: string) => Promise<{ items: T[] }>): Promise<T[]> =>
    (await Promise.all(watched.map((ns) => apiCall(`listing ${what} in`, { kind: 'Namespace', name: ns }, () => list(ns), timeoutMs)))).flatMap((l) => l.items);

  const [nodes, pods, namespaces, storageClasses, events, deployments, replicaSets, hpas, pdbs] = await Promise.all([
    apiCall('listing Nodes of', all, () => api.core.listNode(), timeoutMs),
    apiCall('listing Pods of', all, () => api.core.listPodForAllNamespaces(), timeoutMs),
    apiCall('listing Namespaces of', all, () => api.core.listNamespace(), timeoutMs),
    apiCall('listing StorageClasses of', all, () => api.storage.listStorageClass(), timeoutMs),
    apiCall('listing Events of', all, () => api.core.listEventForAllNamespaces(), timeoutMs),
    perNamespace('Deployments', (namespace) => api.apps.listNamespacedDeployment({ namespace })),
    perNamespace('ReplicaSets', (namespace) => api.apps.listNamespacedReplicaSet({ namespace })),
    perNamespace('HorizontalPodAutoscalers', (namespace) => api.autoscaling.listNamespacedHorizontalPodAutoscaler({ namespace })),
    perNamespace('PodDisruptionBudgets', (namespace) => api.policy.listNamespacedPodDisruptionBudget({ namespace })),
  ]);

  const state: ClusterState = {
    at,
    namespaces: namespaces.items.map((n) => n.metadata?.name ?? '').filter((n) => n !== ''),
    nodes: nodes.items, pods: pods.items, deployments, replicaSets, hpas, pdbs,
    storageClasses: storageClasses.items, events: events.items,
  };
  try {
    const [nm, pm] = await Promise.all([readNodeMetrics(api, timeoutMs), readPodMetrics(api, timeoutMs)]);
    state.nodeMetrics = nm;
    state.podMetrics = pm;
  } catch (e) {
    state.metricsError = e instanceof Error ? e.message.split('\n')[0] : String(e);
  }
  return state;
}
