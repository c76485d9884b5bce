/**
 * The planned VMs of a Proxmox intent: one entry per VM with its role, placement and sizing, so the
 * Terraform builder, the cloud-init builder and the Ansible inventory agree on names and addresses.
 */
import type { Decision } from '../plan.js';

export type VmRole = 'control-plane' | 'worker' | 'vm';

export interface PlannedVm {
  /** DNS-1123 name ("k3s-cp-1", "web-1"). */
  name: string;
  role: VmRole;
  /** Proxmox VMID to assign (unique, above every existing one). */
  vmid: number;
  /** Proxmox node it is placed on. */
  node: string;
  cores: number;
  memoryMiB: number;
  diskGiB: number;
  /** "dhcp" or a static CIDR address ("192.168.1.51/24"). */
  ipv4: string;
}

export interface VmPlan {
  /** Base name the VM names derive from ("k3s" → "k3s-cp-1"); growth numbers new VMs after it. */
  name?: string;
  /** Template VMID (or name) every VM is cloned from. */
  template: string;
  /** Node holding the template, when known: VMs placed elsewhere clone across nodes (clone.node_name). */
  templateNode?: string;
  datastore: string;
  /** Directory-type datastore holding the cloud-init snippets (LVM/ZFS pools cannot hold files); "local" when absent. */
  snippetDatastore?: string;
  bridge: string;
  vlan?: number;
  gateway?: string;
  user: string;
  sshKeys: string[];
  packages: string[];
  vms: PlannedVm[];
  cluster?: { distribution: 'k3s'; apiVip?: string; lbAddressPool?: string };
  decisions: Decision[];
  /** False when the nodes have no room: the reason is in `detail`. */
  feasible: boolean;
  detail: string;
}
