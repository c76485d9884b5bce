/**
 * Scale through the Deployment's scale subresource, as `kubectl scale --current-replicas` does: read /scale, then
 * merge-patch spec.replicas carrying the resourceVersion just read, so a concurrent writer (the HPA, a human) makes
 * the server answer 409 Conflict instead of the write silently overriding theirs. A conflict re-reads and retries
 * with exponential backoff, a bounded number of times.
 */
import { ExponentialBackoff, handleWhen, retry } from 'cockatiel';
import type { ClusterAccess } from './cluster-access.js';
import { apiCall, KubernetesApiError, type ObjectRef } from './api-error.js';
import { MERGE_PATCH } from './patch-options.js';

export interface ScaleResult {
  from: number;
  to: number;
  /** 409 Conflicts met (and retried) on the way. */
  conflicts: number;
}

export interface ScaleOptions {
  attempts: number;
  backoffMs: number;
  timeoutMs: number;
}

const isConflict = (e: Error): boolean => e instanceof KubernetesApiError && e.status === 409;

export async function scaleDeployment(api: ClusterAccess, namespace: string, name: string, replicas: number, o: ScaleOptions): Promise<ScaleResult> {
  const ref: ObjectRef = { kind: 'Deployment', namespace, name };
  let conflicts = 0;
  let from = 0;
  const policy = retry(handleWhen(isConflict), {
    maxAttempts: o.attempts - 1,
    backoff: new ExponentialBackoff({ initialDelay: Math.max(1, o.backoffMs), maxDelay: Math.max(1, o.backoffMs * 16) }),
  });
  policy.onRetry(() => conflicts++);
  await policy.execute(async () => {
    const scale = await apiCall('reading the scale of', ref, () => api.apps.readNamespacedDeploymentScale({ name, namespace }), o.timeoutMs);
    from = scale.spec?.replicas ?? 0;
    const resourceVersion = scale.metadata?.resourceVersion;
    if (from === replicas) return;
    await apiCall('scaling', ref, () => api.apps.patchNamespacedDeploymentScale(
      { name, namespace, body: { metadata: { resourceVersion }, spec: { replicas } } },
      MERGE_PATCH,
    ), o.timeoutMs);
  });
  return { from, to: replicas, conflicts };
}
