/**
 * VMIDs for new VMs: consecutive, above every VMID in use (inventory VMs, templates, VMs of the plan
 * being grown). Proxmox reserves 0-99, so the first VMID is at least 100.
 */
export function nextVmIds(count: number, used: readonly number[]): number[] {
  const top = used.filter((n) => Number.isInteger(n)).reduce((a, b) => Math.max(a, b), 99);
  return Array.from({ length: count }, (_, i) => top + 1 + i);
}

/** Every VMID the inventory knows: its VMs (when it can list them) and numeric template ids. */
export function usedVmIds(inventory: { vmIds?(): readonly number[]; templates(): readonly { id: string }[] }, extra: readonly (string | number)[] = []): number[] {
  const ids = [...(inventory.vmIds?.() ?? []), ...inventory.templates().map((t) => t.id), ...extra];
  return ids.map((x) => Number(x)).filter((n) => Number.isInteger(n));
}
