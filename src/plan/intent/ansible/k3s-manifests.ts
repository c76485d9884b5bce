/**
 * Kubernetes manifests the k3s playbook drops into the first server's auto-deploy directory
 * (/var/lib/rancher/k3s/server/manifests, applied by k3s itself): kube-vip holding the API VIP on
 * the control-plane nodes, MetalLB as a k3s HelmChart, and MetalLB's address pool. Values are Jinja
 * references to group_vars, so the playbook text never changes with the plan's addresses.
 */
import { yamlStream } from './yaml-text.js';

/** kube-vip as a DaemonSet on control-plane nodes (ARP mode, leader election), with its RBAC. */
export function kubeVipManifest(): string {
  const labels = { 'app.kubernetes.io/name': 'kube-vip' };
  return yamlStream([
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'kube-vip', namespace: 'kube-system' } },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'system:kube-vip-role' },
      rules: [
        { apiGroups: [''], resources: ['services/status'], verbs: ['update'] },
        { apiGroups: [''], resources: ['services', 'endpoints'], verbs: ['list', 'get', 'watch', 'update'] },
        { apiGroups: [''], resources: ['nodes'], verbs: ['list', 'get', 'watch', 'update', 'patch'] },
        { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['list', 'get', 'watch', 'update', 'create'] },
        { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list', 'get', 'watch', 'update'] },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'system:kube-vip-binding' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:kube-vip-role' },
      subjects: [{ kind: 'ServiceAccount', name: 'kube-vip', namespace: 'kube-system' }],
    },
    {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'kube-vip', namespace: 'kube-system', labels },
      spec: {
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: 'kube-vip',
            hostNetwork: true,
            affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists' }] }] } } },
            tolerations: [{ effect: 'NoSchedule', operator: 'Exists' }, { effect: 'NoExecute', operator: 'Exists' }],
            containers: [
              {
                name: 'kube-vip',
                image: 'ghcr.io/kube-vip/kube-vip:{{ kube_vip_version }}',
                imagePullPolicy: 'IfNotPresent',
                args: ['manager'],
                env: [
                  ['vip_arp', 'true'],
                  ['port', '6443'],
                  ['vip_interface', '{{ kube_vip_interface }}'],
                  ['vip_cidr', '32'],
                  ['cp_enable', 'true'],
                  ['cp_namespace', 'kube-system'],
                  // Services get their addresses from MetalLB (or k3s servicelb), not kube-vip.
                  ['svc_enable', 'false'],
                  ['vip_leaderelection', 'true'],
                  ['vip_leaseduration', '15'],
                  ['vip_renewdeadline', '10'],
                  ['vip_retryperiod', '2'],
                  ['address', '{{ k3s_api_vip }}'],
                ].map(([name, value]) => ({ name, value })),
                securityContext: { capabilities: { add: ['NET_ADMIN', 'NET_RAW'] } },
              },
            ],
          },
        },
      },
    },
  ]);
}

/** MetalLB through k3s's Helm controller: a HelmChart object is all k3s needs to install it. */
export function metallbChartManifest(): string {
  return yamlStream([
    {
      apiVersion: 'helm.cattle.io/v1',
      kind: 'HelmChart',
      metadata: { name: 'metallb', namespace: 'kube-system' },
      spec: { repo: 'https://metallb.github.io/metallb', chart: 'metallb', version: '{{ metallb_version }}', targetNamespace: 'metallb-system', createNamespace: true },
    },
  ]);
}

/** The pool LoadBalancer Services get addresses from, announced over ARP (L2). */
export function metallbPoolManifest(): string {
  return yamlStream([
    { apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: { name: 'default', namespace: 'metallb-system' }, spec: { addresses: ['{{ metallb_address_pool }}'] } },
    { apiVersion: 'metallb.io/v1beta1', kind: 'L2Advertisement', metadata: { name: 'default', namespace: 'metallb-system' }, spec: { ipAddressPools: ['default'] } },
  ]);
}
