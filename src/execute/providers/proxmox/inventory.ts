/**
 * What a Proxmox cluster has, as an Inventory for grounding intents: one read of /cluster/resources
 * (nodes, guests and storage in a single answer) turned into a snapshot. Free capacity is what the
 * nodes report as unused (maxcpu × (1 − cpu), maxmem − mem), not what guests have reserved: PVE
 * overcommits CPU and ballooned memory, so reservations would understate what a new VM can get.
 */
import type { Inventory, InventoryNode, VmTemplate } from '../../../plan/intent/inventory.js';
import type { ProxmoxClient } from './client.js';
import type { ClusterResource } from './schemas.js';

const MIB = 1024 * 1024;

export interface ProxmoxInventoryData {
  nodes: InventoryNode[];
  templates: VmTemplate[];
  storageClasses: { name: string; isDefault: boolean }[];
  existingNames: string[];
  vmIds: number[];
}

export class ProxmoxInventory implements Inventory {
  readonly source = 'proxmox';
  constructor(private readonly data: ProxmoxInventoryData) {}
  nodes(): readonly InventoryNode[] {
    return this.data.nodes;
  }
  /** Proxmox has pools, not namespaces. */
  namespaces(): readonly string[] {
    return [];
  }
  /** Storage ids; the default is the one VM disks go to ("images" content) on the most nodes. */
  storageClasses(): readonly { name: string; isDefault: boolean }[] {
    return this.data.storageClasses;
  }
  images(): readonly string[] {
    return [];
  }
  /** QEMU templates, id = VMID. */
  templates(): readonly VmTemplate[] {
    return this.data.templates;
  }
  /** Names of all guests (VMs, containers, templates). */
  existingNames(): readonly string[] {
    return this.data.existingNames;
  }
  /** VMIDs in use, ascending: a new VM needs one that is not among them. */
  vmIds(): readonly number[] {
    return this.data.vmIds;
  }
}

/** Reads the cluster once and returns the snapshot. */
export async function proxmoxInventory(client: ProxmoxClient): Promise<ProxmoxInventory> {
  return new ProxmoxInventory(inventoryDataFromResources(await client.clusterResources()));
}

/** The pure part: /cluster/resources entries → inventory data. */
export function inventoryDataFromResources(resources: readonly ClusterResource[]): ProxmoxInventoryData {
  const nodes: InventoryNode[] = resources
    .filter((r) => r.type === 'node' && r.node)
    .map((r) => {
      const cores = r.maxcpu ?? 0;
      const memMiB = (r.maxmem ?? 0) / MIB;
      const online = r.status === 'online';
      return {
        name: r.node!,
        ready: online,
        cpuAllocatableMillis: Math.round(cores * 1000),
        memoryAllocatableMiB: Math.floor(memMiB),
        cpuFreeMillis: online ? Math.max(0, Math.round(cores * 1000 * (1 - Math.min(1, r.cpu ?? 0)))) : 0,
        memoryFreeMiB: online ? Math.max(0, Math.floor(memMiB - (r.mem ?? 0) / MIB)) : 0,
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));

  const guests = resources.filter((r) => (r.type === 'qemu' || r.type === 'lxc') && r.vmid !== undefined);
  const templates = guests
    .filter((r) => r.type === 'qemu' && r.template === true)
    .map((r) => ({ id: String(r.vmid), name: r.name ?? `VM ${r.vmid}` }))
    .sort((a, b) => Number(a.id) - Number(b.id));
  const existingNames = [...new Set(guests.map((r) => r.name).filter((n): n is string => !!n))].sort();
  const vmIds = [...new Set(guests.map((r) => r.vmid!))].sort((a, b) => a - b);

  // The same storage id appears once per node; count the nodes each is on.
  const storages = new Map<string, { nodes: number; images: boolean; shared: boolean }>();
  for (const r of resources) {
    if (r.type !== 'storage' || !r.storage) continue;
    const s = storages.get(r.storage) ?? { nodes: 0, images: false, shared: false };
    s.nodes += 1;
    s.images ||= (r.content ?? '').split(',').includes('images');
    s.shared ||= r.shared === true;
    storages.set(r.storage, s);
  }
  const ranked = [...storages.entries()].filter(([, s]) => s.images).sort(([a, x], [b, y]) => Number(y.shared) - Number(x.shared) || y.nodes - x.nodes || a.localeCompare(b));
  const defaultStorage = ranked[0]?.[0];
  const storageClasses = [...storages.keys()].sort().map((name) => ({ name, isDefault: name === defaultStorage }));

  return { nodes, templates, storageClasses, existingNames, vmIds };
}
