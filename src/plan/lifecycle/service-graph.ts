import { z } from 'zod';
import { parseYamlConfig, readConfigFile } from '../../core/yaml-config.js';

/**
 * What the snapshot cannot tell retirement: which service calls which, and what routes traffic to each (Kubernetes
 * Services selecting its pods, Ingresses, gateways). A YAML file, e.g.
 *
 *   dependencies: { web: [api], api: [checkout] }
 *   routes: { web: [ingress/shop], api: [service/api], legacy-reports: [] }
 */
const names = z.array(z.string().min(1));
export const ServiceGraphSchema = z.strictObject({
  dependencies: z.record(z.string().min(1), names).default({}),
  /** A service listed with `[]` is known to have nothing routing to it; one not listed is unknown. */
  routes: z.record(z.string().min(1), names).optional(),
});
export type ServiceGraph = z.output<typeof ServiceGraphSchema>;

/** Parse a service graph; errors are UserErrors located as `file:line:col: field`. */
export function parseServiceGraph(text: string, fileName: string): ServiceGraph {
  return parseYamlConfig(text, fileName, ServiceGraphSchema);
}

export function loadServiceGraph(path: string): ServiceGraph {
  return parseServiceGraph(readConfigFile(path, 'service graph file'), path);
}
