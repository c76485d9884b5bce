/**
 * ClusterState → the intent pipeline's Inventory: nodes with free capacity (allocatable − requests of the pods on
 * them), namespaces, storage classes (the default one marked), images running now, names already taken.
 */
import type { Inventory, InventoryNode } from '../../plan/intent/inventory.js';
import { StaticInventory } from '../../plan/intent/inventory.js';
import type { ClusterState } from './cluster-state.js';
import { podRequests } from './snapshot-mapper.js';
import { cpuMillis, memoryMiB } from './quantity.js';

const DEFAULT_CLASS = 'storageclass.kubernetes.io/is-default-class';

export function inventoryFromClusterState(state: ClusterState): Inventory {
  const requested = new Map<string, { cpu: number; mem: number }>();
  for (const p of state.pods) {
    const node = p.spec?.nodeName;
    if (!node || p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed') continue;
    const r = podRequests(p.spec);
    const acc = requested.get(node) ?? { cpu: 0, mem: 0 };
    acc.cpu += r.cpuMillis;
    acc.mem += r.memoryMiB;
    requested.set(node, acc);
  }
  const nodes: InventoryNode[] = state.nodes.map((n) => {
    const name = n.metadata?.name ?? '?';
    const cpu = cpuMillis(n.status?.allocatable?.cpu);
    const mem = memoryMiB(n.status?.allocatable?.memory);
    const used = requested.get(name) ?? { cpu: 0, mem: 0 };
    return {
      name,
      // A cordoned node takes no new pods: not a placement option.
      ready: n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true && n.spec?.unschedulable !== true,
      cpuAllocatableMillis: cpu,
      memoryAllocatableMiB: mem,
      cpuFreeMillis: Math.max(0, cpu - used.cpu),
      memoryFreeMiB: Math.max(0, mem - used.mem),
    };
  });
  const images = new Set<string>();
  for (const p of state.pods) for (const c of p.spec?.containers ?? []) if (c.image) images.add(c.image);
  const names = new Set<string>();
  for (const d of state.deployments) if (d.metadata?.name) names.add(d.metadata.name);
  return new StaticInventory({
    source: 'kubernetes',
    nodes,
    namespaces: [...state.namespaces].sort(),
    storageClasses: state.storageClasses.map((s) => ({ name: s.metadata?.name ?? '?', isDefault: s.metadata?.annotations?.[DEFAULT_CLASS] === 'true' })),
    images: [...images].sort(),
    templates: [],
    existingNames: [...names].sort(),
  });
}
