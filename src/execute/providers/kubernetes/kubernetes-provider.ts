/**
 * The Provider for a Kubernetes cluster: services are Deployments. scale goes through the scale subresource
 * (optimistic concurrency, bounded retries on 409); restart-pod evicts the named pod (PodDisruptionBudgets
 * honoured) or, without a pod, restarts the rollout; rollback undoes to the previous ReplicaSet revision;
 * cordon-drain cordons and evicts. Node pools belong to the cloud (cluster-autoscaler, Karpenter, managed node
 * groups), so add-nodes and remove-node are refused with a clear reason, as is a weighted rollout step (a plain
 * Deployment has no traffic split).
 *
 * Every failure is an Outcome naming the object, the HTTP status and the server's message; nothing throws.
 */
import { describeAction, type Action } from '../../../core/action.js';
import type { Outcome } from '../../../core/proposal.js';
import type { Provider } from '../../provider.js';
import type { ClusterAccess } from './cluster-access.js';
import { apiCall, KubernetesApiError } from './api-error.js';
import { drainNode } from './drain-node.js';
import { deploymentRef, parseKubernetesProviderConfig, type KubernetesProviderConfig, type KubernetesProviderConfigInput } from './provider-config.js';
import { restartDeployment, rollbackDeployment } from './rollout.js';
import { scaleDeployment } from './scale-deployment.js';
import { applyManifests, type ApplyOptions, type ApplyResult } from './server-side-apply.js';

export class KubernetesProvider implements Provider {
  readonly name = 'kubernetes';
  readonly config: KubernetesProviderConfig;

  constructor(readonly api: ClusterAccess, config: KubernetesProviderConfigInput = {}, private readonly now: () => Date = () => new Date()) {
    this.config = parseKubernetesProviderConfig(config);
  }

  async apply(action: Action): Promise<Outcome> {
    try {
      return await this.dispatch(action);
    } catch (e) {
      const why = e instanceof KubernetesApiError ? e.message : e instanceof Error ? e.message.split('\n')[0] : String(e);
      return { ok: false, message: `${describeAction(action)} failed: ${why}` };
    }
  }

  /** Server-side apply (field manager "autonomic") of intent artefacts; `dryRun` asks the server to check only. */
  applyManifests(manifests: readonly unknown[], o: ApplyOptions = {}): Promise<ApplyResult> {
    return applyManifests(this.api, manifests, { timeoutMs: this.config.requestTimeoutMs, ...o });
  }

  private async dispatch(action: Action): Promise<Outcome> {
    const c = this.config;
    switch (action.kind) {
      case 'rollout':
        return { ok: false, message: `${describeAction(action)}: not supported by this provider (a weighted traffic split between revisions needs a service mesh or Argo Rollouts; a plain Deployment rolls all-or-nothing)` };
      case 'add-nodes':
      case 'remove-node':
        return { ok: false, message: `${describeAction(action)}: not supported by this provider (node pools are the cloud's: cluster-autoscaler, Karpenter or the managed node group add and remove nodes)` };
      case 'scale': {
        const { namespace, name } = deploymentRef(action.service, c.namespace);
        const r = await scaleDeployment(this.api, namespace, name, action.to, { attempts: c.conflictAttempts, backoffMs: c.conflictBackoffMs, timeoutMs: c.requestTimeoutMs });
        const retried = r.conflicts > 0 ? ` after ${r.conflicts} conflict${r.conflicts === 1 ? '' : 's'} with a concurrent writer` : '';
        // The plan was made from a snapshot; someone (an HPA, a person) may have changed the count since.
        const drift = r.from !== action.from ? ` (the plan assumed ${action.from}; it was ${r.from} when applied)` : '';
        if (r.from === r.to) return { ok: true, message: `Deployment ${namespace}/${name} already has ${r.to} replicas${drift}` };
        return { ok: true, message: `Deployment ${namespace}/${name} scaled ${r.from} → ${r.to} replicas${retried}${drift}` };
      }
      case 'restart-pod': {
        const { namespace, name } = deploymentRef(action.service, c.namespace);
        if (action.pod !== undefined) {
          const pod = action.pod;
          // Only a pod of this service: the Deployment's selector must pick it.
          const d = await apiCall('reading', { kind: 'Deployment', namespace, name }, () => this.api.apps.readNamespacedDeployment({ name, namespace }), c.requestTimeoutMs);
          const selector = Object.entries(d.spec?.selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`).join(',');
          const pods = await apiCall('listing the pods of', { kind: 'Deployment', namespace, name }, () => this.api.core.listNamespacedPod({ namespace, labelSelector: selector || undefined }), c.requestTimeoutMs);
          if (!selector || !pods.items.some((p) => p.metadata?.name === pod)) {
            return { ok: false, message: `Pod ${namespace}/${pod} is not a pod of Deployment ${namespace}/${name} (its selector ${selector || '(none)'} does not pick it): not evicted` };
          }
          await apiCall('evicting', { kind: 'Pod', namespace, name: pod }, () => this.api.core.createNamespacedPodEviction({
            name: pod, namespace, body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: pod, namespace } },
          }), c.requestTimeoutMs);
          return { ok: true, message: `Pod ${namespace}/${pod} of Deployment ${name} evicted; its ReplicaSet starts a replacement` };
        }
        const at = this.now();
        await restartDeployment(this.api, namespace, name, at, c.requestTimeoutMs);
        return { ok: true, message: `Deployment ${namespace}/${name} rollout restarted (restartedAt ${at.toISOString()}): pods are replaced by a rolling update` };
      }
      case 'rollback': {
        const { namespace, name } = deploymentRef(action.service, c.namespace);
        const r = await rollbackDeployment(this.api, namespace, name, c.requestTimeoutMs);
        if (!r.ok) return { ok: false, message: r.reason };
        return { ok: true, message: `Deployment ${namespace}/${name} rolled back from revision ${r.fromRevision} to revision ${r.toRevision} (ReplicaSet ${r.replicaSet})` };
      }
      case 'cordon-drain': {
        const r = await drainNode(this.api, action.node, {
          deadlineMs: c.drainDeadlineMs, evictionBackoffMs: c.evictionBackoffMs, podGoneTimeoutMs: c.podGoneTimeoutMs,
          podGonePollMs: c.podGonePollMs, timeoutMs: c.requestTimeoutMs,
        });
        const skipped = r.skipped.length > 0 ? `; left in place: ${r.skipped.join(', ')}` : '';
        if (r.ok) return { ok: true, message: `Node ${action.node} cordoned and drained: evicted ${r.evicted.length} pod(s)${r.evicted.length > 0 ? ` (${r.evicted.join(', ')})` : ''}${skipped}` };
        if ('blockedBy' in r) {
          return {
            ok: false,
            message: `drain blocked by PodDisruptionBudget ${r.blockedBy}: pod ${r.pod} could not be evicted before the ${Math.round(c.drainDeadlineMs / 1000)} s deadline (${r.detail}); ` +
              `evicted ${r.evicted.length} pod(s) before that${r.evicted.length > 0 ? ` (${r.evicted.join(', ')})` : ''}. Node ${action.node} is left cordoned (kubectl uncordon ${action.node} to undo)`,
          };
        }
        if ('unmanaged' in r) {
          return { ok: false, message: `Node ${action.node} cordoned but not drained: ${r.unmanaged.join(', ')} ${r.unmanaged.length === 1 ? 'is' : 'are'} not managed by a controller and would be lost for good (delete ${r.unmanaged.length === 1 ? 'it' : 'them'} or give ${r.unmanaged.length === 1 ? 'it' : 'them'} an owner first); nothing was evicted, node left cordoned (kubectl uncordon ${action.node} to undo)` };
        }
        return { ok: false, message: `Node ${action.node} cordoned and its pods evicted, but ${r.notGone.join(', ')} still had not terminated after ${Math.round(c.podGoneTimeoutMs / 1000)} s; node left cordoned` };
      }
      default: {
        const unknown: never = action;
        return { ok: false, message: `unknown action ${JSON.stringify(unknown)}` };
      }
    }
  }
}
