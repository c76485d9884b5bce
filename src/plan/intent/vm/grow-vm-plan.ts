/**
 * Grow an existing VM plan ("add one more worker to that cluster"): every VM already planned stays
 * exactly as it was (name, VMID, node, size, address) and the new ones are appended, so the
 * regenerated Terraform is a purely additive change and `terraform plan` creates without replacing.
 */
import { defaultPolicy, resolveServiceBounds, type GuardrailPolicy } from '../../../govern/policy.js';
import type { Inventory } from '../inventory.js';
import type { Decision } from '../plan.js';
import type { VmIntent } from '../spec.js';
import { planAddresses } from './addresses.js';
import { assignVms } from './assign-vms.js';
import { intToIpv4, parseCidr } from './ipv4.js';
import { baseNameOf, vmIndex, vmName } from './names.js';
import { placeVms } from './placement.js';
import { summary } from './plan-vms.js';
import { DEFAULT_VM_SIZES } from './sizing.js';
import type { PlannedVm, VmPlan, VmRole } from './vm-plan.js';
import { nextVmIds, usedVmIds } from './vmids.js';

export type VmGrowth = NonNullable<VmIntent['grow']>;

/** First address after the highest static address of the plan, with the plan's prefix; undefined with DHCP. */
function nextAddress(vms: readonly PlannedVm[]): string | undefined {
  const statics = vms.map((v) => parseCidr(v.ipv4)).filter((c) => c !== undefined);
  if (statics.length === 0) return undefined;
  const top = statics.reduce((a, b) => (b.address > a.address ? b : a));
  return `${intToIpv4(top.address + 1)}/${top.prefix}`;
}

export function growVmPlan(previous: VmPlan, grow: VmGrowth, inventory: Inventory, policy: GuardrailPolicy = defaultPolicy()): VmPlan {
  const decisions: Decision[] = [];
  const problems: string[] = [];
  const base = previous.name ?? baseNameOf(previous.vms[0]?.name ?? 'vm');
  // The same guardrail as planVms, on the grown total; an absurd count is reported, never expanded.
  const limit = previous.cluster ? policy.cluster.maxNodes : resolveServiceBounds(policy, base).maxReplicas;
  const total = previous.vms.length + grow.count;
  if (total > limit) {
    const detail = `${total} VMs after growing exceed the guardrail policy's limit of ${limit} ${previous.cluster ? '(cluster.maxNodes)' : `(maxReplicas for ${base})`}`;
    return { ...previous, feasible: false, detail, decisions: [...previous.decisions, { topic: 'growth', choice: 'refused', rationale: detail }] };
  }
  let role: VmRole = grow.role;
  if (!previous.cluster && role !== 'vm') {
    decisions.push({ topic: 'growth', choice: 'vm', rationale: `the existing plan is not a cluster: a ${role} is added as one more VM of the same shape` });
    role = 'vm';
  } else if (previous.cluster && role === 'vm') {
    decisions.push({ topic: 'growth', choice: 'worker', rationale: 'the existing plan is a cluster: a further VM joins it as a worker' });
    role = 'worker';
  }
  const same = previous.vms.filter((v) => v.role === role);
  const taken = new Set(previous.vms.map((v) => v.name));
  let index = same.reduce((a, v) => Math.max(a, vmIndex(v.name, base, role) ?? 0), 0);
  // A lone plain VM keeps its bare name; the next ones are numbered after it ("web", "web-2").
  const names: string[] = [];
  while (names.length < grow.count) {
    index++;
    const name = vmName(base, role, index, false);
    if (!taken.has(name)) names.push(name);
  }
  // New VMs look like their siblings; with none of that role yet, the role's default size.
  const model = same[0] ?? { ...DEFAULT_VM_SIZES[role] };
  const sizeWhy = same[0] ? `same size as ${same[0].name}` : `default for a ${DEFAULT_VM_SIZES[role].why}`;
  decisions.push({ topic: 'growth', choice: `+${grow.count} ${role}: ${names.join(', ')}`, rationale: `existing VMs unchanged; ${sizeWhy}` });

  const vmids = nextVmIds(grow.count, usedVmIds(inventory, [previous.template, ...previous.vms.map((v) => v.vmid)]));
  // The inventory describes the Proxmox nodes as they are now, so the existing VMs already use their
  // share of it; they only count for the spread.
  const placement = placeVms(names.map((name) => ({ name, role, cores: model.cores, memoryMiB: model.memoryMiB })), inventory.nodes(), { existing: previous.vms.map((v) => ({ node: v.node, role: v.role })) });
  problems.push(...placement.problems);
  for (const n of placement.notes) decisions.push({ topic: 'placement', choice: 'note', rationale: n });

  const addr = planAddresses({
    first: nextAddress(previous.vms),
    count: grow.count,
    names,
    taken: previous.vms.map((v) => v.ipv4),
    apiVip: previous.cluster?.apiVip,
    lbAddressPool: previous.cluster?.lbAddressPool,
    gateway: previous.gateway,
  });
  problems.push(...addr.problems);

  const added = assignVms(
    names.map((name) => ({ name, role, cores: model.cores, memoryMiB: model.memoryMiB, diskGiB: model.diskGiB })),
    { vmids, nodes: placement.nodes, addresses: addr.addresses },
  );
  if (placement.feasible) decisions.push({ topic: 'placement', choice: added.map((v) => `${v.name}→${v.node}`).join(', '), rationale: 'the node holding fewest VMs of this role that has room' });
  const vms = [...previous.vms.map((v) => ({ ...v })), ...added];
  const feasible = previous.feasible && problems.length === 0;
  return {
    ...previous,
    name: base,
    sshKeys: [...previous.sshKeys],
    packages: [...previous.packages],
    vms,
    decisions: [...previous.decisions, ...decisions],
    feasible,
    detail: feasible ? summary(vms) : [previous.feasible ? '' : previous.detail, ...problems].filter(Boolean).join('; '),
  };
}
