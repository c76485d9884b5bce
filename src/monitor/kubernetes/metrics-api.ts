/**
 * metrics.k8s.io (metrics-server): node and pod usage. The aggregated API has no typed client, so its answers are
 * validated here before anything reads them.
 */
import { z } from 'zod';
import type { ClusterAccess } from '../../execute/providers/kubernetes/cluster-access.js';
import { apiCall } from '../../execute/providers/kubernetes/api-error.js';

const UsageSchema = z.object({ cpu: z.string(), memory: z.string() });

export const NodeMetricsListSchema = z.object({
  items: z.array(z.object({ metadata: z.object({ name: z.string() }), timestamp: z.string().optional(), window: z.string().optional(), usage: UsageSchema })),
});
export type NodeMetricsList = z.infer<typeof NodeMetricsListSchema>;

export const PodMetricsListSchema = z.object({
  items: z.array(z.object({
    metadata: z.object({ name: z.string(), namespace: z.string() }),
    timestamp: z.string().optional(),
    window: z.string().optional(),
    containers: z.array(z.object({ name: z.string(), usage: UsageSchema })),
  })),
});
export type PodMetricsList = z.infer<typeof PodMetricsListSchema>;

const GROUP = 'metrics.k8s.io';
const VERSION = 'v1beta1';

export async function readNodeMetrics(api: ClusterAccess, timeoutMs: number): Promise<NodeMetricsList> {
  const body: unknown = await apiCall('listing', { kind: 'NodeMetrics', name: '(all)' }, () => api.custom.listClusterCustomObject({ group: GROUP, version: VERSION, plural: 'nodes' }), timeoutMs);
  return NodeMetricsListSchema.parse(body);
}

export async function readPodMetrics(api: ClusterAccess, timeoutMs: number): Promise<PodMetricsList> {
  const body: unknown = await apiCall('listing', { kind: 'PodMetrics', name: '(all)' }, () => api.custom.listClusterCustomObject({ group: GROUP, version: VERSION, plural: 'pods' }), timeoutMs);
  return PodMetricsListSchema.parse(body);
}
