/**
 * Placement of VMs on Proxmox nodes: only ready nodes with enough free CPU and memory, the pinned
 * node when the request names one, and spread — a control-plane VM goes to a node without another
 * control plane when one has room (losing one node must not lose etcd quorum), every VM to the node
 * holding fewest VMs of its role, then to the one with most free memory.
 */
import type { InventoryNode } from '../inventory.js';
import type { VmRole } from './vm-plan.js';

export interface PlacementRequest {
  name: string;
  role: VmRole;
  cores: number;
  memoryMiB: number;
}

/** A VM already on a node (growing a plan): it counts for the spread, its capacity is already used. */
export interface PlacedVm {
  node: string;
  role: VmRole;
}

export interface PlacementResult {
  /** Node per request, in request order (absent entries when infeasible). */
  nodes: string[];
  feasible: boolean;
  /** Why it is infeasible, naming the VM and the best node's free room. */
  problems: string[];
  /** Compromises worth telling (co-located control planes, unknown nodes). */
  notes: string[];
}

/** Node used when the inventory knows no Proxmox node: the default node name of a fresh install. */
export const FALLBACK_NODE = 'pve';

interface Room {
  name: string;
  cpuFreeMillis: number;
  memoryFreeMiB: number;
}

export function placeVms(requests: readonly PlacementRequest[], inventoryNodes: readonly InventoryNode[], opts: { pinned?: string; existing?: readonly PlacedVm[] } = {}): PlacementResult {
  const problems: string[] = [];
  const notes: string[] = [];
  if (inventoryNodes.length === 0) {
    const node = opts.pinned ?? FALLBACK_NODE;
    notes.push(`the inventory lists no Proxmox nodes: every VM goes on "${node}" and its free capacity is not checked`);
    return { nodes: requests.map(() => node), feasible: true, problems, notes };
  }
  let ready = inventoryNodes.filter((n) => n.ready);
  if (opts.pinned) {
    const pinned = inventoryNodes.find((n) => n.name === opts.pinned);
    if (!pinned) return { nodes: [], feasible: false, problems: [`node "${opts.pinned}" is not in the inventory (known: ${inventoryNodes.map((n) => n.name).join(', ')})`], notes };
    if (!pinned.ready) return { nodes: [], feasible: false, problems: [`node "${opts.pinned}" is not ready`], notes };
    ready = [pinned];
  }
  if (ready.length === 0) return { nodes: [], feasible: false, problems: ['no Proxmox node is ready'], notes };

  const rooms: Room[] = ready.map((n) => ({ name: n.name, cpuFreeMillis: n.cpuFreeMillis, memoryFreeMiB: n.memoryFreeMiB }));
  const placed: PlacedVm[] = [...(opts.existing ?? [])];
  const count = (node: string, role: VmRole): number => placed.filter((p) => p.node === node && p.role === role).length;
  const nodes: string[] = [];
  for (const [i, r] of requests.entries()) {
    const cpu = r.cores * 1000;
    const fits = rooms.filter((n) => n.cpuFreeMillis >= cpu && n.memoryFreeMiB >= r.memoryMiB);
    if (fits.length === 0) {
      const best = [...rooms].sort((a, b) => b.memoryFreeMiB - a.memoryFreeMiB)[0];
      problems.push(`no ready node has room for ${r.name} (${r.cores} cores, ${r.memoryMiB} MiB): the roomiest, ${best.name}, has ${(best.cpuFreeMillis / 1000).toFixed(1)} cores and ${best.memoryFreeMiB} MiB free`);
      continue;
    }
    // Stable order: fewest VMs of this role, most free memory, most free CPU, then name.
    const choice = [...fits].sort((a, b) => count(a.name, r.role) - count(b.name, r.role) || b.memoryFreeMiB - a.memoryFreeMiB || b.cpuFreeMillis - a.cpuFreeMillis || a.name.localeCompare(b.name))[0];
    if (r.role === 'control-plane' && count(choice.name, 'control-plane') > 0) {
      notes.push(`${r.name} shares ${choice.name} with another control plane: ${opts.pinned ? 'the request pins every VM to that node' : `only ${new Set(fits.map((f) => f.name)).size} node(s) have room`}, so losing that node can lose the etcd quorum`);
    }
    choice.cpuFreeMillis -= cpu;
    choice.memoryFreeMiB -= r.memoryMiB;
    placed.push({ node: choice.name, role: r.role });
    nodes[i] = choice.name;
  }
  return { nodes, feasible: problems.length === 0, problems, notes };
}
