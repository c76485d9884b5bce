/**
 * What exists on the target, for grounding: nodes and free capacity, namespaces, storage classes,
 * images and VM templates we know, names already taken. Clarifying questions list these as the
 * real options; the planner checks placement against free capacity.
 *
 * The twin is the provider today: build the inventory from a Snapshot the caller already has
 * (TwinCluster.snapshotNow() drains events and logs, so the inventory must not call it itself).
 */
import type { Snapshot } from '../../core/snapshot.js';

export interface InventoryNode {
  name: string;
  ready: boolean;
  cpuAllocatableMillis: number;
  memoryAllocatableMiB: number;
  cpuFreeMillis: number;
  memoryFreeMiB: number;
}

export interface VmTemplate {
  id: string;
  name: string;
}

export interface Inventory {
  readonly source: string;
  nodes(): readonly InventoryNode[];
  namespaces(): readonly string[];
  storageClasses(): readonly { name: string; isDefault: boolean }[];
  /** Images the platform knows (a registry catalogue or those already running). */
  images(): readonly string[];
  templates(): readonly VmTemplate[];
  /** Names of workloads/services already present. */
  existingNames(): readonly string[];
  /** Proxmox VMIDs already in use (VMs and templates), so new VMs get fresh ones. */
  vmIds?(): readonly number[];
}

export interface StaticInventoryData {
  source?: string;
  nodes?: InventoryNode[];
  namespaces?: string[];
  storageClasses?: { name: string; isDefault: boolean }[];
  images?: string[];
  templates?: VmTemplate[];
  existingNames?: string[];
  vmIds?: number[];
}

export class StaticInventory implements Inventory {
  readonly source: string;
  constructor(private readonly data: StaticInventoryData) {
    this.source = data.source ?? 'static';
  }
  nodes(): readonly InventoryNode[] {
    return this.data.nodes ?? [];
  }
  namespaces(): readonly string[] {
    return this.data.namespaces ?? ['default'];
  }
  storageClasses(): readonly { name: string; isDefault: boolean }[] {
    return this.data.storageClasses ?? [];
  }
  images(): readonly string[] {
    return this.data.images ?? [];
  }
  templates(): readonly VmTemplate[] {
    return this.data.templates ?? [];
  }
  existingNames(): readonly string[] {
    return this.data.existingNames ?? [];
  }
  vmIds(): readonly number[] {
    return this.data.vmIds ?? [];
  }
}

/** The twin's nodes and services as an inventory; what the twin does not model comes from `extra`. */
export function inventoryFromSnapshot(snapshot: Snapshot, extra: StaticInventoryData = {}): Inventory {
  return new StaticInventory({
    source: 'twin',
    namespaces: ['default', 'kube-system'],
    storageClasses: [{ name: 'standard', isDefault: true }],
    images: [],
    ...extra,
    nodes: snapshot.nodes.map((n) => ({
      name: n.name,
      ready: n.ready,
      cpuAllocatableMillis: n.cpuAllocatableMillis,
      memoryAllocatableMiB: n.memoryAllocatableMiB,
      cpuFreeMillis: Math.max(0, n.cpuAllocatableMillis - n.cpuRequestedMillis),
      memoryFreeMiB: Math.max(0, n.memoryAllocatableMiB - n.memoryRequestedMiB),
    })),
    existingNames: [...snapshot.services.map((s) => s.name), ...(extra.existingNames ?? [])],
  });
}

/** An inventory that knows nothing: planning still works, questions just list no options. */
export const EMPTY_INVENTORY: Inventory = new StaticInventory({ source: 'none', namespaces: [] });
