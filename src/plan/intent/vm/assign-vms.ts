import type { PlannedVm } from './vm-plan.js';

/** A VM as asked for, before it has a VMID, a node and an address. */
export type WantedVm = Pick<PlannedVm, 'name' | 'role' | 'cores' | 'memoryMiB' | 'diskGiB'>;

/** What the planners worked out for the wanted VMs, index by index. */
export interface VmAssignments {
  vmids: readonly number[];
  /** From placement; shorter when placement failed. */
  nodes: readonly string[];
  /** From address planning; shorter when addresses ran out. */
  addresses: readonly string[];
}

/**
 * The planned VMs, wanted VM i getting vmids[i], nodes[i] and addresses[i]. A VM left unplaced gets no node (the plan
 * is infeasible anyway and says why), one left without a static address falls back to DHCP.
 */
export function assignVms(wanted: readonly WantedVm[], a: VmAssignments): PlannedVm[] {
  return wanted.map((w, i) => ({
    name: w.name,
    role: w.role,
    vmid: a.vmids[i],
    node: a.nodes[i] ?? '',
    cores: w.cores,
    memoryMiB: w.memoryMiB,
    diskGiB: w.diskGiB,
    ipv4: a.addresses[i] ?? 'dhcp',
  }));
}
