/**
 * What the CLI calls for `--provider kubernetes` and `--source kubernetes`: one kubeconfig (a path, else in-cluster,
 * else the default), one set of clients shared by the provider, the telemetry source and the lease election.
 */
import { KubernetesSource } from '../../../monitor/kubernetes/kubernetes-source.js';
import type { KubernetesSourceConfigInput } from '../../../monitor/kubernetes/source-config.js';
import { clusterAccess, contextNamespace, loadKubeConfig, type ClusterAccess } from './cluster-access.js';
import { KubernetesProvider } from './kubernetes-provider.js';
import type { KubernetesProviderConfigInput } from './provider-config.js';
import { LeaseElection, type LeaseElectionOptions } from './lease-election.js';

/** Clients for the cluster the kubeconfig at `path` (or in-cluster / default config) points at. */
export function clusterAccessFromKubeconfig(path?: string): ClusterAccess {
  return clusterAccess(loadKubeConfig(path));
}

/** The execute provider; services without a namespace live in the context's namespace unless `config.namespace` says. */
export function kubernetesProviderFromKubeconfig(path?: string, config: KubernetesProviderConfigInput = {}, access?: ClusterAccess): KubernetesProvider {
  const api = access ?? clusterAccessFromKubeconfig(path);
  return new KubernetesProvider(api, { namespace: contextNamespace(api.kubeConfig), ...config });
}

/** The telemetry source over the same cluster; watches the context's namespace unless `config.namespaces` says. */
export function kubernetesSourceFromKubeconfig(path?: string, config: KubernetesSourceConfigInput = {}, access?: ClusterAccess): KubernetesSource {
  const api = access ?? clusterAccessFromKubeconfig(path);
  return new KubernetesSource(api, { namespaces: [contextNamespace(api.kubeConfig)], ...config });
}

/** Leader election for `run --ha` on a Lease in the context's namespace (in-cluster: the pod's own namespace). */
export function kubernetesLeaseElection(access: ClusterAccess, o: Omit<LeaseElectionOptions, 'namespace'> & { namespace?: string }): LeaseElection {
  return new LeaseElection(access, { namespace: contextNamespace(access.kubeConfig), ...o });
}
