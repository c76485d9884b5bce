/**
 * Terraform for the bpg/proxmox provider from a VM plan: versions.tf, variables.tf, provider.tf,
 * main.tf (a cloud-init snippet and a cloned VM per planned VM), outputs.tf, an example tfvars
 * file, and the cloud-init user-data files main.tf reads with file().
 * Resource docs: https://registry.terraform.io/providers/bpg/proxmox/latest/docs/resources/virtual_environment_vm
 * and .../virtual_environment_file.
 *
 * One resource block per VM rather than a `for_each` over a locals map: growing the plan then only
 * appends blocks (a map's keys are aligned by `terraform fmt`, so one longer new name would rewrite
 * every existing line), every value is a literal the validator and rules can check, and each VM
 * keeps a stable resource address.
 */
import { UserError } from '../../../core/errors.js';
import type { ArtefactFile } from '../artefact.js';
import { buildCloudInit } from '../vm/cloud-init.js';
import type { PlannedVm, VmPlan } from '../vm/vm-plan.js';
import { attr, block, comment, expr, writeHcl, type HclBlock } from './hcl.js';
import { providerTf, tfvarsExample, variablesTf, versionsTf } from './proxmox-provider.js';

/** The emulated CPU type the provider docs recommend: portable across hosts, with AES. */
export const VM_CPU_TYPE = 'x86-64-v2-AES';
export const DEFAULT_SNIPPET_DATASTORE = 'local';

/** A Terraform identifier for a VM ("k3s-cp-1" → "k3s_cp_1"). */
export function tfName(vmName: string): string {
  const id = vmName.replace(/[^A-Za-z0-9_]/g, '_');
  return /^[A-Za-z_]/.test(id) ? id : `vm_${id}`;
}

export const cloudInitPath = (vm: PlannedVm): string => `cloud-init/${vm.name}.yaml`;

function snippetBlock(plan: VmPlan, vm: PlannedVm): HclBlock {
  return block('resource', ['proxmox_virtual_environment_file', `${tfName(vm.name)}_user_data`], [
    attr('content_type', 'snippets'),
    attr('datastore_id', plan.snippetDatastore ?? DEFAULT_SNIPPET_DATASTORE),
    attr('node_name', vm.node),
    block('source_raw', [], [
      attr('data', expr(`file("\${path.module}/${cloudInitPath(vm)}")`)),
      attr('file_name', `${vm.name}.user-data.yaml`),
    ]),
  ]);
}

function vmBlock(plan: VmPlan, vm: PlannedVm): HclBlock {
  const name = tfName(vm.name);
  const tags = [...new Set(['autonomic', vm.role === 'vm' ? plan.name ?? 'vm' : vm.role, ...(plan.cluster ? [plan.cluster.distribution] : [])])].sort();
  const dhcp = vm.ipv4 === 'dhcp';
  return block('resource', ['proxmox_virtual_environment_vm', name], [
    attr('name', vm.name),
    attr('description', `Managed by Terraform (Autonomic): ${vm.role}`),
    // Proxmox stores tags sorted; an unsorted list would show a diff on every plan.
    attr('tags', tags),
    attr('node_name', vm.node),
    attr('vm_id', vm.vmid),
    attr('on_boot', true),
    block('clone', [], [
      attr('vm_id', Number(plan.template)),
      // The source node, when the template lives on another node than the VM (the provider then migrates the clone).
      plan.templateNode !== undefined && plan.templateNode !== vm.node && attr('node_name', plan.templateNode),
      comment('A full clone does not depend on the template staying in place.'),
      attr('full', true),
    ]),
    block('agent', [], [attr('enabled', true)]),
    block('cpu', [], [attr('cores', vm.cores), attr('type', VM_CPU_TYPE)]),
    block('memory', [], [attr('dedicated', vm.memoryMiB)]),
    block('disk', [], [attr('datastore_id', plan.datastore), attr('interface', 'scsi0'), attr('size', vm.diskGiB)]),
    block('network_device', [], [attr('bridge', plan.bridge), plan.vlan !== undefined && attr('vlan_id', plan.vlan)]),
    block('operating_system', [], [attr('type', 'l26')]),
    block('initialization', [], [
      attr('datastore_id', plan.datastore),
      block('ip_config', [], [
        // The provider requires the gateway to be omitted with DHCP.
        block('ipv4', [], [attr('address', vm.ipv4), !dhcp && plan.gateway !== undefined && attr('gateway', plan.gateway)]),
      ]),
      attr('user_data_file_id', expr(`proxmox_virtual_environment_file.${name}_user_data.id`)),
    ]),
  ]);
}

function outputBlock(vm: PlannedVm): HclBlock {
  const name = tfName(vm.name);
  // With DHCP only the guest agent knows the address; interface 0 is the loopback.
  const ipv4 = vm.ipv4 === 'dhcp' ? expr(`try(proxmox_virtual_environment_vm.${name}.ipv4_addresses[1][0], null)`) : vm.ipv4.replace(/\/\d+$/, '');
  return block('output', [name], [attr('description', `${vm.name} (${vm.role}): name and IPv4 address`), attr('value', { name: vm.name, ipv4 })]);
}

export function buildProxmoxTerraform(plan: VmPlan): ArtefactFile[] {
  if (!plan.feasible) throw new UserError(`the VM plan is not feasible: ${plan.detail}`, 'proxmox plan');
  if (!/^\d+$/.test(plan.template)) throw new UserError(`template "${plan.template}" is not a numeric VMID to clone from`, 'proxmox plan');
  if (plan.vms.length === 0) throw new UserError('the VM plan has no VMs', 'proxmox plan');
  const main = writeHcl([
    comment('One snippet and one VM per planned VM (no for_each): adding a VM only appends blocks.'),
    ...plan.vms.flatMap((vm) => [snippetBlock(plan, vm), vmBlock(plan, vm)]),
  ]);
  const files: ArtefactFile[] = [
    { path: 'versions.tf', kind: 'terraform', content: versionsTf() },
    { path: 'variables.tf', kind: 'terraform', content: variablesTf() },
    { path: 'provider.tf', kind: 'terraform', content: providerTf() },
    { path: 'main.tf', kind: 'terraform', content: main },
    { path: 'outputs.tf', kind: 'terraform', content: writeHcl(plan.vms.map(outputBlock)) },
    { path: 'terraform.tfvars.example', kind: 'terraform', content: tfvarsExample() },
  ];
  for (const vm of plan.vms) files.push({ path: cloudInitPath(vm), kind: 'cloud-init', content: buildCloudInit(plan, vm) });
  return files;
}
