import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from '@cdktf/hcl2json';
import { diffLines } from 'diff';
import { defaultPolicy } from '../src/govern/policy.js';
import type { ArtefactFile } from '../src/plan/intent/artefact.js';
import { findVmIntent, findVmName } from '../src/plan/intent/parse/proxmox.js';
import { StaticInventory, type InventoryNode } from '../src/plan/intent/inventory.js';
import { IntentSpecSchema } from '../src/plan/intent/spec.js';
import { buildProxmoxTerraform } from '../src/plan/intent/terraform/proxmox.js';
import { PROXMOX_REQUIRED, PROXMOX_REQUIRED_NESTED } from '../src/plan/intent/terraform/required-proxmox.js';
import type { TfBody, TfConfig } from '../src/plan/intent/terraform/rule.js';
import { PROXMOX_RULES } from '../src/plan/intent/terraform/rules-proxmox.js';
import { checkReferences, mergeConfigs } from '../src/plan/intent/terraform/validate.js';
import { validateCloudInit } from '../src/plan/intent/vm/cloud-init.js';
import { growVmPlan } from '../src/plan/intent/vm/grow-vm-plan.js';
import { planVms } from '../src/plan/intent/vm/plan-vms.js';
import type { VmPlan } from '../src/plan/intent/vm/vm-plan.js';

const HA_K3S = 'create a highly available k3s cluster on Proxmox: 3 control-plane and 2 worker VMs from template 100, API on a virtual IP 192.168.1.100, a load-balancer address pool 192.168.1.240-192.168.1.250, static IPs from 192.168.1.51/24, gateway 192.168.1.1, ssh key ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl ops@laptop';
const node = (name: string): InventoryNode => ({ name, ready: true, cpuAllocatableMillis: 16000, memoryAllocatableMiB: 65536, cpuFreeMillis: 12000, memoryFreeMiB: 32768 });
const inventory = new StaticInventory({ nodes: [node('pve1'), node('pve2'), node('pve3')], templates: [{ id: '100', name: 'ubuntu-24.04' }], vmIds: [100, 205] });

function haPlan(): VmPlan {
  const spec = IntentSpecSchema.parse({ target: 'proxmox', action: 'create-vm', name: findVmName(HA_K3S), template: '100', constraints: { highAvailability: true }, vm: findVmIntent(HA_K3S) });
  const plan = planVms(spec, inventory, defaultPolicy());
  assert.equal(plan.feasible, true, plan.detail);
  return plan;
}

async function parseAll(files: readonly ArtefactFile[]): Promise<Map<string, TfConfig>> {
  const out = new Map<string, TfConfig>();
  for (const f of files.filter((x) => x.path.endsWith('.tf'))) out.set(f.path, (await parse(f.path, f.content)) as TfConfig);
  return out;
}

const file = (files: readonly ArtefactFile[], path: string): string => files.find((f) => f.path === path)!.content;

test('HA k3s build: 5 VMs, every .tf parses, required arguments present, no Proxmox rule finding', async () => {
  const files = buildProxmoxTerraform(haPlan());
  assert.deepEqual(files.filter((f) => f.kind === 'terraform').map((f) => f.path), ['versions.tf', 'variables.tf', 'provider.tf', 'main.tf', 'outputs.tf', 'terraform.tfvars.example']);
  assert.equal(files.filter((f) => f.kind === 'cloud-init').length, 5);
  const parsed = await parseAll(files);
  // The example tfvars is HCL too (attributes only).
  await parse('terraform.tfvars.example', file(files, 'terraform.tfvars.example'));
  const config = mergeConfigs(parsed.values());
  const vms = config.resource?.proxmox_virtual_environment_vm ?? {};
  assert.deepEqual(Object.keys(vms), ['k3s_cp_1', 'k3s_cp_2', 'k3s_cp_3', 'k3s_worker_1', 'k3s_worker_2']);
  for (const [type, byName] of Object.entries(config.resource ?? {})) {
    const req = PROXMOX_REQUIRED[type];
    assert.ok(req, `${type} is in PROXMOX_REQUIRED`);
    for (const [name, bodies] of Object.entries(byName)) {
      for (const body of bodies) {
        for (const a of req.attributes) assert.notEqual(body[a], undefined, `${type}.${name} sets ${a}`);
        for (const [blockName, args] of Object.entries(PROXMOX_REQUIRED_NESTED[type] ?? {})) {
          for (const b of (body[blockName] as TfBody[] | undefined) ?? []) for (const a of args) assert.notEqual(b[a], undefined, `${type}.${name}.${blockName} sets ${a}`);
        }
      }
    }
  }
  const hits = PROXMOX_RULES.flatMap((r) => r.check(config, '(module)').map((h) => `${r.id} ${h.object}: ${h.message}`));
  assert.deepEqual(hits, []);
  // Every reference resolves (variables declared, each VM's snippet exists).
  assert.deepEqual(checkReferences(config), []);
});

test('the VM resource carries what the plan decided', async () => {
  const plan = haPlan();
  const files = buildProxmoxTerraform(plan);
  const config = mergeConfigs((await parseAll(files)).values());
  const cp1 = config.resource!.proxmox_virtual_environment_vm.k3s_cp_1[0];
  const vm = plan.vms[0];
  assert.equal(cp1.node_name, vm.node);
  assert.equal(cp1.vm_id, vm.vmid);
  assert.equal(cp1.name, 'k3s-cp-1');
  assert.equal(cp1.on_boot, true);
  assert.deepEqual(cp1.clone, [{ vm_id: 100, full: true }]);
  assert.deepEqual(cp1.agent, [{ enabled: true }]);
  assert.deepEqual(cp1.cpu, [{ cores: 2, type: 'x86-64-v2-AES' }]);
  assert.deepEqual(cp1.memory, [{ dedicated: 4096 }]);
  assert.deepEqual(cp1.disk, [{ datastore_id: 'local-lvm', interface: 'scsi0', size: 32 }]);
  assert.deepEqual(cp1.network_device, [{ bridge: 'vmbr0' }]);
  assert.deepEqual(cp1.initialization, [{ datastore_id: 'local-lvm', ip_config: [{ ipv4: [{ address: '192.168.1.51/24', gateway: '192.168.1.1' }] }], user_data_file_id: '${proxmox_virtual_environment_file.k3s_cp_1_user_data.id}' }]);
  const snippet = config.resource!.proxmox_virtual_environment_file.k3s_cp_1_user_data[0];
  assert.equal(snippet.content_type, 'snippets');
  assert.deepEqual(snippet.source_raw, [{ data: '${file("${path.module}/cloud-init/k3s-cp-1.yaml")}', file_name: 'k3s-cp-1.user-data.yaml' }]);
  assert.deepEqual(config.variable?.proxmox_api_token, [{ description: config.variable!.proxmox_api_token[0].description, type: '${string}', sensitive: true }]);
  assert.equal(config.provider?.proxmox[0].insecure, false);
  assert.match(file(files, 'versions.tf'), /source\s+= "bpg\/proxmox"\n\s+version = "~> 0\.\d+"/);
  assert.match(file(files, 'outputs.tf'), /output "k3s_worker_2" \{[\s\S]*ipv4 = "192\.168\.1\.55"/);
  // A template on another node is named as the clone's source node.
  const across = mergeConfigs((await parseAll(buildProxmoxTerraform({ ...plan, templateNode: 'pve1' }))).values()).resource!.proxmox_virtual_environment_vm;
  assert.deepEqual(across.k3s_cp_1[0].clone, [{ vm_id: 100, full: true }]);
  assert.deepEqual(across.k3s_cp_2[0].clone, [{ vm_id: 100, node_name: 'pve1', full: true }]);
  // A VLAN appears only when asked for; DHCP VMs never carry a gateway.
  const dhcp = buildProxmoxTerraform({ ...plan, vlan: 30, vms: plan.vms.map((v) => ({ ...v, ipv4: 'dhcp' })) });
  const dconf = mergeConfigs((await parseAll(dhcp)).values());
  const d1 = dconf.resource!.proxmox_virtual_environment_vm.k3s_cp_1[0];
  assert.deepEqual(d1.network_device, [{ bridge: 'vmbr0', vlan_id: 30 }]);
  assert.deepEqual((d1.initialization as TfBody[])[0].ip_config, [{ ipv4: [{ address: 'dhcp' }] }]);
});

test('cloud-init user-data: valid, keys only, the guest agent installed and started', () => {
  const plan = haPlan();
  const files = buildProxmoxTerraform({ ...plan, packages: ['nginx'] });
  for (const f of files.filter((x) => x.kind === 'cloud-init')) assert.deepEqual(validateCloudInit(f.content, f.path), [], f.path);
  const text = file(files, 'cloud-init/k3s-cp-1.yaml');
  assert.match(text, /^#cloud-config\n/);
  assert.match(text, /hostname: k3s-cp-1/);
  assert.match(text, /ssh_pwauth: false/);
  assert.match(text, /lock_passwd: true/);
  assert.match(text, /ssh_authorized_keys:\n\s+- ssh-ed25519 AAAA\S+ ops@laptop/);
  assert.match(text, /packages:\n\s+- qemu-guest-agent\n\s+- nginx/);
  assert.match(text, /runcmd:\n\s+- systemctl enable --now qemu-guest-agent/);
});

test('an infeasible plan is refused with its reason, not built', () => {
  assert.throws(() => buildProxmoxTerraform({ ...haPlan(), feasible: false, detail: 'no ready node has room for k3s-cp-1' }), /not feasible: no ready node has room for k3s-cp-1/);
});

test('growing by one worker changes main.tf and outputs.tf by added lines only', async () => {
  const before = haPlan();
  const after = growVmPlan(before, findVmIntent('add one more worker to that cluster')!.grow!, inventory);
  assert.equal(after.feasible, true, after.detail);
  const a = buildProxmoxTerraform(before);
  const b = buildProxmoxTerraform(after);
  for (const path of ['main.tf', 'outputs.tf']) {
    const parts = diffLines(file(a, path), file(b, path));
    const removed = parts.filter((p) => p.removed);
    const added = parts.filter((p) => p.added);
    assert.deepEqual(removed, [], `${path}: no line removed or changed`);
    assert.equal(added.length, 1, `${path}: one contiguous addition`);
    assert.match(added[0].value, /k3s_worker_3/);
    // Every old line survives, in order.
    assert.ok(file(b, path).startsWith(file(a, path)), `${path}: the new text extends the old`);
  }
  for (const path of ['versions.tf', 'variables.tf', 'provider.tf', 'terraform.tfvars.example', 'cloud-init/k3s-cp-1.yaml', 'cloud-init/k3s-worker-2.yaml']) assert.equal(file(b, path), file(a, path), `${path} unchanged`);
  assert.ok(b.some((f) => f.path === 'cloud-init/k3s-worker-3.yaml'));
  const config = mergeConfigs((await parseAll(b)).values());
  assert.equal(Object.keys(config.resource!.proxmox_virtual_environment_vm).length, 6);
});
