/**
 * Required arguments of the bpg/proxmox resources the Proxmox builder emits, from the provider's
 * argument reference:
 *   https://registry.terraform.io/providers/bpg/proxmox/latest/docs/resources/virtual_environment_vm
 *   https://registry.terraform.io/providers/bpg/proxmox/latest/docs/resources/virtual_environment_file
 * Top-level entries are what a resource block must set; nested ones are what a block must set when
 * it is present (`clone` without `vm_id` is rejected by the provider).
 */

export const PROXMOX_REQUIRED: Record<string, { attributes: string[]; blocks?: string[] }> = {
  // Everything else on a VM is optional with a default; the node is the one thing it cannot guess.
  proxmox_virtual_environment_vm: { attributes: ['node_name'] },
  proxmox_virtual_environment_file: { attributes: ['datastore_id', 'node_name'] },
};

/** Required arguments inside optional blocks, by resource type then block path ("initialization.ip_config"). */
export const PROXMOX_REQUIRED_NESTED: Record<string, Record<string, string[]>> = {
  proxmox_virtual_environment_vm: {
    clone: ['vm_id'],
    disk: ['interface'],
    startup: ['order'],
    hostpci: ['device'],
  },
  proxmox_virtual_environment_file: {
    source_raw: ['data', 'file_name'],
    source_file: ['path'],
  },
};
