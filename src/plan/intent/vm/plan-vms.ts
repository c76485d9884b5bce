/**
 * Plan the VMs of a Proxmox intent: how many of each role, their names, VMIDs, nodes, sizes and
 * addresses, each choice with its rationale. Infeasible plans (no room, clashing addresses, an
 * unknown template, a count above the guardrails) say why in `detail` instead of throwing.
 */
import { resolveServiceBounds, type GuardrailPolicy } from '../../../govern/policy.js';
import type { Inventory } from '../inventory.js';
import type { Decision } from '../plan.js';
import { VmIntentSchema, type IntentSpec } from '../spec.js';
import { planAddresses } from './addresses.js';
import { assignVms } from './assign-vms.js';
import { dnsLabel, vmName } from './names.js';
import { placeVms } from './placement.js';
import { sizeForRole, type VmSize } from './sizing.js';
import { resolveTemplate } from './template.js';
import type { PlannedVm, VmPlan, VmRole } from './vm-plan.js';
import { nextVmIds, usedVmIds } from './vmids.js';

export const DEFAULT_DATASTORE = 'local-lvm';
export const DEFAULT_BRIDGE = 'vmbr0';
export const DEFAULT_USER = 'ops';

/** Role counts after the availability rules: HA clusters get an odd etcd quorum of at least three. */
function roleCounts(spec: IntentSpec, decide: (d: Decision) => void): { role: VmRole; count: number }[] {
  const vm = spec.vm;
  const ha = spec.constraints.highAvailability === true;
  if (vm?.cluster) {
    let cps = vm.cluster.controlPlanes;
    if (ha && cps < 3) {
      decide({ topic: 'control planes', choice: '3', rationale: `highly available: embedded etcd needs a quorum that survives one node loss (${cps} cannot)` });
      cps = 3;
    } else if (cps > 1 && cps % 2 === 0) {
      decide({ topic: 'control planes', choice: String(cps), rationale: `as requested, but an even etcd member count tolerates no more failures than ${cps - 1}` });
    } else decide({ topic: 'control planes', choice: String(cps), rationale: cps === 1 ? 'one k3s server: no control-plane redundancy' : 'as requested: an odd etcd quorum' });
    decide({ topic: 'workers', choice: String(vm.cluster.workers), rationale: vm.cluster.workers === 0 ? 'none requested: the servers also run workloads' : 'as requested' });
    return [
      { role: 'control-plane', count: cps },
      { role: 'worker', count: vm.cluster.workers },
    ];
  }
  let count = vm?.count ?? spec.replicas ?? 1;
  if (ha && count < 2) {
    decide({ topic: 'VMs', choice: '2', rationale: 'highly available: two VMs on different nodes survive one node loss' });
    count = 2;
  } else decide({ topic: 'VMs', choice: String(count), rationale: vm?.count !== undefined || spec.replicas !== undefined ? 'as requested' : 'one VM unless the request asks for more' });
  return [{ role: 'vm', count }];
}

export function planVms(spec: IntentSpec, inventory: Inventory, policy: GuardrailPolicy): VmPlan {
  const vm = spec.vm ?? VmIntentSchema.parse({});
  const decisions: Decision[] = [];
  const decide = (d: Decision): void => {
    decisions.push(d);
  };
  const problems: string[] = [];
  const cluster = vm.cluster;
  const base = dnsLabel(spec.name ?? (cluster ? cluster.distribution : 'vm'));
  decide({ topic: 'name', choice: base, rationale: spec.name ? 'from the request' : cluster ? 'no name given: named after the distribution' : 'no name given' });

  const tpl = resolveTemplate(spec.template, inventory);
  if (tpl.problem) problems.push(tpl.problem);
  if (tpl.decision) decide(tpl.decision);

  const counts = roleCounts(spec, decide);
  const total = counts.reduce((a, c) => a + c.count, 0);
  if (total < 1) problems.push('the request asks for no VM at all');
  // The guardrails bound how big one request may grow the estate: cluster VMs are cluster nodes,
  // plain VMs are replicas of one service.
  const limit = cluster ? policy.cluster.maxNodes : resolveServiceBounds(policy, base).maxReplicas;
  if (total > limit) problems.push(`${total} VMs exceed the guardrail policy's limit of ${limit} ${cluster ? '(cluster.maxNodes)' : `(maxReplicas for ${base})`}`);

  const sizes = new Map<VmRole, VmSize>();
  for (const c of counts.filter((x) => x.count > 0)) {
    const s = sizeForRole(c.role, spec);
    sizes.set(c.role, s.size);
    decide(s.decision);
  }

  // An absurd count is reported, never expanded into that many VMs.
  const buildable = total >= 1 && total <= limit;
  const wanted = (buildable ? counts : []).flatMap((c) => Array.from({ length: Math.max(0, c.count) }, (_, i) => ({ role: c.role, name: vmName(base, c.role, i + 1, c.count === 1), ...sizes.get(c.role)! })));
  const existing = new Set(inventory.existingNames());
  for (const w of wanted) if (existing.has(w.name)) problems.push(`a VM or workload named ${w.name} already exists: choose another name`);

  const vmids = nextVmIds(wanted.length, usedVmIds(inventory, [tpl.template]));
  if (vmids.length > 0) decide({ topic: 'VMIDs', choice: vmids.length > 1 ? `${vmids[0]}-${vmids[vmids.length - 1]}` : String(vmids[0]), rationale: 'consecutive, above every VMID the inventory knows (Proxmox reserves 0-99)' });

  const placement = placeVms(wanted, inventory.nodes(), { pinned: spec.constraints.node });
  problems.push(...placement.problems);
  if (placement.feasible) {
    const spread = new Set(placement.nodes).size;
    const cps = wanted.filter((w) => w.role === 'control-plane').length;
    decide({ topic: 'placement', choice: wanted.map((w, i) => `${w.name}→${placement.nodes[i]}`).join(', '), rationale: spec.constraints.node ? `pinned to ${spec.constraints.node} by the request` : `${wanted.length} VM(s) over ${spread} node(s) by free capacity${cps > 1 ? '; control planes on distinct nodes where room allows' : ''}` });
  }
  for (const n of placement.notes) decide({ topic: 'placement', choice: 'note', rationale: n });

  const addr = planAddresses({ first: vm.ipv4, count: wanted.length, names: wanted.map((w) => w.name), apiVip: cluster?.apiVip, lbAddressPool: cluster?.lbAddressPool, gateway: vm.gateway });
  problems.push(...addr.problems);
  decide({ topic: 'addresses', choice: addr.addresses[0] === 'dhcp' || addr.addresses.length === 0 ? 'dhcp' : `${addr.addresses[0]} upward`, rationale: vm.ipv4 && vm.ipv4 !== 'dhcp' ? 'static, counting up from the first address in the request' : 'no static address requested' });
  for (const n of addr.notes) decide({ topic: 'addresses', choice: 'note', rationale: n });
  if (cluster?.apiVip) decide({ topic: 'API virtual IP', choice: cluster.apiVip, rationale: 'the Kubernetes API answers on a floating address (kube-vip), so losing one server does not change the endpoint' });
  if (cluster && !cluster.apiVip && cluster.controlPlanes > 1) decide({ topic: 'API virtual IP', choice: 'none', rationale: 'several servers but no virtual IP: clients must list every server or a load balancer must front them' });

  // A Proxmox inventory lists its storage ids (the default is where VM disks go on most nodes).
  const stores = inventory.source === 'proxmox' ? inventory.storageClasses() : [];
  const datastore = vm.datastore ?? stores.find((s) => s.isDefault)?.name ?? DEFAULT_DATASTORE;
  if (vm.datastore && stores.length > 0 && !stores.some((s) => s.name === vm.datastore)) problems.push(`datastore "${vm.datastore}" is not on the cluster (known: ${stores.map((s) => s.name).join(', ')})`);
  const bridge = vm.bridge ?? DEFAULT_BRIDGE;
  const user = vm.user ?? DEFAULT_USER;
  decide({ topic: 'datastore', choice: datastore, rationale: vm.datastore ? 'from the request' : datastore !== DEFAULT_DATASTORE ? 'the storage that holds VM disks on most nodes of the cluster' : 'the default LVM-thin storage of a Proxmox install' });
  if (!tpl.node && new Set(placement.nodes).size > 1) decide({ topic: 'template', choice: 'note', rationale: "the inventory does not say which node holds the template: the clone block assumes each VM's node can see it (shared storage); set clone.node_name if not" });
  decide({ topic: 'network', choice: `${bridge}${vm.vlan !== undefined ? ` VLAN ${vm.vlan}` : ''}`, rationale: vm.bridge ? 'from the request' : 'the default bridge of a Proxmox install' });
  decide({ topic: 'login', choice: `${user}, SSH keys only`, rationale: vm.sshKeys.length > 0 ? 'password login disabled; the keys from the request' : 'password login disabled; the request gives no SSH public key yet, so nobody can log in until one is added' });

  const vms = assignVms(wanted, { vmids, nodes: placement.nodes, addresses: addr.addresses });
  const feasible = problems.length === 0;
  return {
    name: base,
    template: tpl.template,
    templateNode: tpl.node,
    datastore,
    bridge,
    vlan: vm.vlan,
    gateway: vm.gateway,
    user,
    sshKeys: [...vm.sshKeys],
    packages: [...vm.packages],
    vms,
    cluster: cluster ? { distribution: cluster.distribution, apiVip: cluster.apiVip, lbAddressPool: cluster.lbAddressPool } : undefined,
    decisions,
    feasible,
    detail: feasible ? summary(vms) : problems.join('; '),
  };
}

/** "5 VMs on 3 nodes (pve1, pve2, pve3)". */
export function summary(vms: readonly PlannedVm[]): string {
  const nodes = [...new Set(vms.map((v) => v.node))];
  return `${vms.length} VM${vms.length === 1 ? '' : 's'} on ${nodes.length} node${nodes.length === 1 ? '' : 's'} (${nodes.join(', ')})`;
}
