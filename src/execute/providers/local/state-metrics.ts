/**
 * The local stack's kube-state-metrics: the deployment and its pods under the kube_* names the Prometheus source
 * reads (desired and ready replicas, pod phase and readiness, requests and limits, which node a pod runs on).
 * Ready = the process is alive and the proxy's health check passes, as Kubernetes' readiness is the probe's.
 */
import { Exposition } from './exposition.js';
import type { LocalDeployment } from './deployment.js';

const PHASES = ['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown'] as const;
const MiB = 1024 * 1024;

export function renderStateMetrics(d: LocalDeployment, isReady: (pod: string) => boolean, node: string): string {
  const { namespace, service } = d.spec;
  const e = new Exposition();
  const pods = d.list();
  const ready = pods.filter((p) => p.alive && isReady(p.pod)).length;
  const dep = { namespace, deployment: service };
  e.family('kube_deployment_spec_replicas', 'gauge', 'Number of desired pods for a deployment.')(dep, d.replicas);
  e.family('kube_deployment_status_replicas', 'gauge', 'The number of replicas per deployment.')(dep, pods.length);
  e.family('kube_deployment_status_replicas_ready', 'gauge', 'The number of ready replicas per deployment.')(dep, ready);
  e.family('kube_deployment_status_replicas_available', 'gauge', 'The number of available replicas per deployment.')(dep, ready);
  e.family('kube_deployment_status_replicas_unavailable', 'gauge', 'The number of unavailable replicas per deployment.')(dep, Math.max(0, d.replicas - ready));
  const info = e.family('kube_pod_info', 'gauge', 'Information about pod.');
  const phase = e.family('kube_pod_status_phase', 'gauge', 'The pods current phase.');
  const podReady = e.family('kube_pod_status_ready', 'gauge', 'Describes whether the pod is ready to serve requests.');
  const requests = e.family('kube_pod_container_resource_requests', 'gauge', 'The number of requested request resource by a container.');
  const limits = e.family('kube_pod_container_resource_limits', 'gauge', 'The number of requested limit resource by a container.');
  for (const p of pods) {
    const id = { namespace, pod: p.pod };
    const ctr = { ...id, container: service, node };
    info({ ...id, node, created_by_kind: 'ReplicaSet', created_by_name: p.pod.slice(0, p.pod.lastIndexOf('-')) }, 1);
    // A dead replica stays Running with its container down, as a crash-looping pod does.
    for (const ph of PHASES) phase({ ...id, phase: ph }, ph === 'Running' ? 1 : 0);
    const r = p.alive && isReady(p.pod);
    podReady({ ...id, condition: 'true' }, r ? 1 : 0);
    podReady({ ...id, condition: 'false' }, r ? 0 : 1);
    requests({ ...ctr, resource: 'cpu', unit: 'core' }, d.spec.cpuRequestCores);
    requests({ ...ctr, resource: 'memory', unit: 'byte' }, d.spec.memoryRequestMiB * MiB);
    limits({ ...ctr, resource: 'memory', unit: 'byte' }, d.spec.memoryLimitMiB * MiB);
  }
  return e.render();
}
