/**
 * Cordon and drain, as `kubectl drain --ignore-daemonsets` does: mark the node unschedulable, then evict its pods
 * through the Eviction API so every PodDisruptionBudget is honoured. DaemonSet pods (their controller would put them
 * straight back), mirror pods (static, owned by the kubelet) and finished pods are left alone.
 *
 * Like kubectl drain without --force, a pod no controller manages (it would not come back anywhere) stops the drain
 * before anything is evicted; the node stays cordoned and the outcome names the pods.
 *
 * A 429 means a PodDisruptionBudget allows no disruption now: that eviction is retried with backoff until the
 * deadline; then the drain stops and says which budget blocked it. The node stays cordoned (nothing new lands on
 * it) and the outcome says so, so a human can decide to wait, relax the budget or uncordon.
 */
import type { V1Pod, V1PodDisruptionBudget } from '@kubernetes/client-node';
import type { ClusterAccess } from './cluster-access.js';
import { apiCall, KubernetesApiError, statusBodyOf, type ObjectRef } from './api-error.js';
import { MERGE_PATCH } from './patch-options.js';
import { sleep } from '../../../core/sleep.js';

export interface DrainOptions {
  deadlineMs: number;
  evictionBackoffMs: number;
  podGoneTimeoutMs: number;
  podGonePollMs: number;
  timeoutMs: number;
  now?: () => number;
}

export type DrainResult =
  | { ok: true; evicted: string[]; skipped: string[] }
  | { ok: false; unmanaged: string[]; evicted: string[]; skipped: string[] }
  | { ok: false; blockedBy: string; pod: string; evicted: string[]; skipped: string[]; detail: string }
  | { ok: false; notGone: string[]; evicted: string[]; skipped: string[] };

const podName = (p: V1Pod): string => `${p.metadata?.namespace ?? 'default'}/${p.metadata?.name ?? '?'}`;

/** Why a pod is not evicted, or undefined if it must be. */
function skipReason(p: V1Pod): string | undefined {
  if (p.metadata?.ownerReferences?.some((o) => o.kind === 'DaemonSet')) return 'DaemonSet';
  if (p.metadata?.annotations?.['kubernetes.io/config.mirror'] !== undefined) return 'mirror pod';
  if (p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed') return 'finished';
  return undefined;
}

export async function cordonNode(api: ClusterAccess, node: string, timeoutMs: number): Promise<void> {
  await apiCall('cordoning', { kind: 'Node', name: node }, () => api.core.patchNode({ name: node, body: { spec: { unschedulable: true } } }, MERGE_PATCH), timeoutMs);
}

function matches(pdb: V1PodDisruptionBudget, pod: V1Pod): boolean {
  const sel = pdb.spec?.selector;
  if (!sel) return false;
  const labels = pod.metadata?.labels ?? {};
  const byLabel = Object.entries(sel.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const byExpr = (sel.matchExpressions ?? []).every((x) => {
    const v = labels[x.key];
    switch (x.operator) {
      case 'In': return v !== undefined && (x.values ?? []).includes(v);
      case 'NotIn': return v === undefined || !(x.values ?? []).includes(v);
      case 'Exists': return v !== undefined;
      case 'DoesNotExist': return v === undefined;
      default: return false;
    }
  });
  return byLabel && byExpr;
}

/** The budget that blocked an eviction: named in the 429's cause when the server says, else the one selecting the pod. */
async function blockingBudget(api: ClusterAccess, pod: V1Pod, e: unknown, timeoutMs: number): Promise<string> {
  const ns = pod.metadata?.namespace ?? 'default';
  const cause = statusBodyOf(e instanceof KubernetesApiError ? e.cause : e)?.details?.causes?.find((c) => c.reason === 'DisruptionBudget')?.message;
  const named = cause ? /disruption budget (\S+)/.exec(cause)?.[1] : undefined;
  if (named) return `${ns}/${named}`;
  try {
    const list = await apiCall('listing PodDisruptionBudgets in', { kind: 'Namespace', name: ns }, () => api.policy.listNamespacedPodDisruptionBudget({ namespace: ns }), timeoutMs);
    const pdb = list.items.find((b) => matches(b, pod));
    if (pdb) return `${ns}/${pdb.metadata?.name ?? '?'}`;
  } catch {
    // Naming the budget is a courtesy; the drain's outcome does not depend on it.
  }
  return `${ns}/(unknown)`;
}

async function evict(api: ClusterAccess, pod: V1Pod, timeoutMs: number): Promise<'evicted' | 'gone'> {
  const name = pod.metadata?.name ?? '';
  const namespace = pod.metadata?.namespace ?? 'default';
  const ref: ObjectRef = { kind: 'Pod', namespace, name };
  try {
    await apiCall('evicting', ref, () => api.core.createNamespacedPodEviction({
      name, namespace,
      body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace } },
    }), timeoutMs);
    return 'evicted';
  } catch (e) {
    if (e instanceof KubernetesApiError && e.status === 404) return 'gone';
    throw e;
  }
}

export async function drainNode(api: ClusterAccess, node: string, o: DrainOptions): Promise<DrainResult> {
  const now = o.now ?? Date.now;
  const deadline = now() + o.deadlineMs;
  await cordonNode(api, node, o.timeoutMs);
  const list = await apiCall('listing the pods of', { kind: 'Node', name: node }, () => api.core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${node}` }), o.timeoutMs);
  const skipped: string[] = [];
  const toEvict: V1Pod[] = [];
  for (const p of list.items) {
    const why = skipReason(p);
    if (why) skipped.push(`${podName(p)} (${why})`);
    else toEvict.push(p);
  }
  const unmanaged = toEvict.filter((p) => !(p.metadata?.ownerReferences ?? []).some((o) => o.controller === true));
  if (unmanaged.length > 0) return { ok: false, unmanaged: unmanaged.map(podName), evicted: [], skipped };
  const evicted: string[] = [];
  for (const pod of toEvict) {
    for (;;) {
      try {
        await evict(api, pod, o.timeoutMs);
        evicted.push(podName(pod));
        break;
      } catch (e) {
        if (!(e instanceof KubernetesApiError && e.status === 429)) throw e;
        if (now() + o.evictionBackoffMs > deadline) {
          return { ok: false, blockedBy: await blockingBudget(api, pod, e, o.timeoutMs), pod: podName(pod), evicted, skipped, detail: statusBodyOf(e.cause)?.message ?? e.message };
        }
        await sleep(o.evictionBackoffMs);
      }
    }
  }
  // An accepted eviction deletes the pod gracefully; the node is drained once they are all gone.
  const waitUntil = now() + o.podGoneTimeoutMs;
  let remaining = new Set(evicted);
  while (remaining.size > 0) {
    const still = await apiCall('listing the pods of', { kind: 'Node', name: node }, () => api.core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${node}` }), o.timeoutMs);
    remaining = new Set(still.items.map(podName).filter((p) => remaining.has(p)));
    if (remaining.size === 0) break;
    if (now() >= waitUntil) return { ok: false, notGone: [...remaining], evicted, skipped };
    await sleep(o.podGonePollMs);
  }
  return { ok: true, evicted, skipped };
}
