/**
 * Deployment rollouts the way kubectl does them:
 * - restart (`kubectl rollout restart`): stamp the pod template with kubectl.kubernetes.io/restartedAt, so the
 *   Deployment controller replaces every pod through its normal rolling update;
 * - undo (`kubectl rollout undo`): find the ReplicaSet of the previous revision (deployment.kubernetes.io/revision)
 *   owned by the Deployment and put its pod template back, with a JSON Patch whose first operation tests the
 *   resourceVersion read, so a concurrent change makes the server refuse instead of being overwritten.
 */
import type { V1PodTemplateSpec, V1ReplicaSet } from '@kubernetes/client-node';
import type { ClusterAccess } from './cluster-access.js';
import { apiCall, type ObjectRef } from './api-error.js';
import { JSON_PATCH, MERGE_PATCH } from './patch-options.js';

export const RESTARTED_AT = 'kubectl.kubernetes.io/restartedAt';
export const REVISION = 'deployment.kubernetes.io/revision';
/** Added by the Deployment controller to each ReplicaSet's template; never copied back to the Deployment. */
const POD_TEMPLATE_HASH = 'pod-template-hash';

export async function restartDeployment(api: ClusterAccess, namespace: string, name: string, at: Date, timeoutMs: number): Promise<void> {
  const ref: ObjectRef = { kind: 'Deployment', namespace, name };
  await apiCall('restarting', ref, () => api.apps.patchNamespacedDeployment(
    { name, namespace, body: { spec: { template: { metadata: { annotations: { [RESTARTED_AT]: at.toISOString() } } } } } },
    MERGE_PATCH,
  ), timeoutMs);
}

export type RollbackResult =
  | { ok: true; fromRevision: number; toRevision: number; replicaSet: string }
  | { ok: false; reason: string };

function revisionOf(annotations: Record<string, string> | undefined): number | undefined {
  const v = annotations?.[REVISION];
  const n = v === undefined ? NaN : Number(v);
  return Number.isInteger(n) ? n : undefined;
}

export async function rollbackDeployment(api: ClusterAccess, namespace: string, name: string, timeoutMs: number): Promise<RollbackResult> {
  const ref: ObjectRef = { kind: 'Deployment', namespace, name };
  const deployment = await apiCall('reading', ref, () => api.apps.readNamespacedDeployment({ name, namespace }), timeoutMs);
  const uid = deployment.metadata?.uid;
  const current = revisionOf(deployment.metadata?.annotations);
  const selector = Object.entries(deployment.spec?.selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`).join(',');
  const list = await apiCall('listing the ReplicaSets of', ref, () => api.apps.listNamespacedReplicaSet({ namespace, labelSelector: selector || undefined }), timeoutMs);
  const owned = list.items.filter((rs) => rs.metadata?.ownerReferences?.some((o) => o.kind === 'Deployment' && (uid === undefined || o.uid === uid) && o.name === name));
  const withRevision = owned
    .map((rs) => ({ rs, revision: revisionOf(rs.metadata?.annotations) }))
    .filter((x): x is { rs: V1ReplicaSet; revision: number } => x.revision !== undefined);
  const top = current ?? Math.max(0, ...withRevision.map((x) => x.revision));
  const previous = withRevision.filter((x) => x.revision < top).sort((a, b) => b.revision - a.revision)[0];
  if (!previous) return { ok: false, reason: `Deployment ${namespace}/${name} has no previous revision to roll back to (current revision ${top}, ${owned.length} ReplicaSet(s))` };

  const template = structuredClone(previous.rs.spec?.template) as V1PodTemplateSpec | undefined;
  if (!template) return { ok: false, reason: `ReplicaSet ${namespace}/${previous.rs.metadata?.name} has no pod template` };
  if (template.metadata?.labels) delete template.metadata.labels[POD_TEMPLATE_HASH];
  const resourceVersion = deployment.metadata?.resourceVersion;
  await apiCall('rolling back', ref, () => api.apps.patchNamespacedDeployment(
    {
      name, namespace,
      body: [
        { op: 'test', path: '/metadata/resourceVersion', value: resourceVersion },
        { op: 'replace', path: '/spec/template', value: template },
      ],
    },
    JSON_PATCH,
  ), timeoutMs);
  return { ok: true, fromRevision: top, toRevision: previous.revision, replicaSet: previous.rs.metadata?.name ?? '?' };
}

