/**
 * The typed API clients of one cluster, made from one kubeconfig. Everything the provider, the telemetry source and
 * the lease election do goes through these (@kubernetes/client-node 1.x; 2.x needs Node 22).
 *
 * Which kubeconfig: an explicit path; else in-cluster (a pod's service account) when KUBERNETES_SERVICE_HOST is
 * set; else the usual default (KUBECONFIG, then ~/.kube/config).
 */
import { existsSync } from 'node:fs';
import {
  AppsV1Api, AutoscalingV2Api, CoordinationV1Api, CoreV1Api, CustomObjectsApi, KubeConfig, KubernetesObjectApi,
  PolicyV1Api, StorageV1Api, Watch,
} from '@kubernetes/client-node';
import { UserError } from '../../../core/errors.js';

export interface ClusterAccess {
  readonly kubeConfig: KubeConfig;
  /** The API server URL, for messages. */
  readonly server: string;
  readonly core: CoreV1Api;
  readonly apps: AppsV1Api;
  readonly autoscaling: AutoscalingV2Api;
  readonly policy: PolicyV1Api;
  readonly storage: StorageV1Api;
  readonly coordination: CoordinationV1Api;
  /** metrics.k8s.io is an aggregated API without typed clients. */
  readonly custom: CustomObjectsApi;
  /** Any kind by apiVersion/kind, for server-side apply of intent manifests. */
  readonly objects: KubernetesObjectApi;
  readonly watch: Watch;
}

/** Loads a kubeconfig; a missing or unreadable file is the user's error, named. */
export function loadKubeConfig(path?: string): KubeConfig {
  const kc = new KubeConfig();
  try {
    if (path !== undefined) {
      if (!existsSync(path)) throw new UserError('kubeconfig file not found', path);
      kc.loadFromFile(path);
    } else if (process.env.KUBERNETES_SERVICE_HOST) {
      kc.loadFromCluster();
    } else {
      kc.loadFromDefault();
    }
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(`cannot load the kubeconfig: ${e instanceof Error ? e.message : String(e)}`, path ?? 'kubeconfig');
  }
  if (!kc.getCurrentCluster()) throw new UserError('the kubeconfig has no current cluster (set current-context)', path ?? 'kubeconfig');
  return kc;
}

export function clusterAccess(kc: KubeConfig): ClusterAccess {
  return {
    kubeConfig: kc,
    server: kc.getCurrentCluster()?.server ?? '?',
    core: kc.makeApiClient(CoreV1Api),
    apps: kc.makeApiClient(AppsV1Api),
    autoscaling: kc.makeApiClient(AutoscalingV2Api),
    policy: kc.makeApiClient(PolicyV1Api),
    storage: kc.makeApiClient(StorageV1Api),
    coordination: kc.makeApiClient(CoordinationV1Api),
    custom: kc.makeApiClient(CustomObjectsApi),
    objects: KubernetesObjectApi.makeApiClient(kc),
    watch: new Watch(kc),
  };
}

/** The namespace the kubeconfig's current context names, else "default". */
export function contextNamespace(kc: KubeConfig): string {
  const ctx = kc.getContextObject(kc.getCurrentContext());
  return ctx?.namespace ?? 'default';
}
