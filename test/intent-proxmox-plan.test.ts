import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultPolicy, GuardrailPolicySchema } from '../src/govern/policy.js';
import { EMPTY_INVENTORY, StaticInventory, type InventoryNode } from '../src/plan/intent/inventory.js';
import { IntentSpecSchema, type IntentSpecInput } from '../src/plan/intent/spec.js';
import { growVmPlan } from '../src/plan/intent/vm/grow-vm-plan.js';
import { planVms } from '../src/plan/intent/vm/plan-vms.js';

const node = (name: string, cores = 12, memoryMiB = 32768, ready = true): InventoryNode => ({
  name,
  ready,
  cpuAllocatableMillis: 16000,
  memoryAllocatableMiB: 65536,
  cpuFreeMillis: cores * 1000,
  memoryFreeMiB: memoryMiB,
});
const THREE = [node('pve1'), node('pve2'), node('pve3')];
const inventory = (nodes: InventoryNode[] = THREE, vmIds: number[] = [100, 101, 205]) => new StaticInventory({ nodes, templates: [{ id: '100', name: 'ubuntu-24.04' }], vmIds });
const spec = (input: Partial<IntentSpecInput>) => IntentSpecSchema.parse({ target: 'proxmox', action: 'create-vm', template: '100', ...input });
const haK3s = (vm: Record<string, unknown> = {}) =>
  spec({ name: 'k3s', constraints: { highAvailability: true }, vm: { ipv4: '192.168.1.51/24', gateway: '192.168.1.1', cluster: { controlPlanes: 3, workers: 2, apiVip: '192.168.1.100', lbAddressPool: '192.168.1.240-192.168.1.250' }, ...vm } });

test('HA k3s: names, VMIDs above every known one, addresses counting up, sizes with rationale', () => {
  const plan = planVms(haK3s(), inventory(), defaultPolicy());
  assert.equal(plan.feasible, true, plan.detail);
  assert.deepEqual(plan.vms.map((v) => v.name), ['k3s-cp-1', 'k3s-cp-2', 'k3s-cp-3', 'k3s-worker-1', 'k3s-worker-2']);
  assert.deepEqual(plan.vms.map((v) => v.vmid), [206, 207, 208, 209, 210]);
  assert.deepEqual(plan.vms.map((v) => v.ipv4), ['192.168.1.51/24', '192.168.1.52/24', '192.168.1.53/24', '192.168.1.54/24', '192.168.1.55/24']);
  assert.deepEqual(plan.vms.map((v) => [v.cores, v.memoryMiB, v.diskGiB]), Array(5).fill([2, 4096, 32]));
  assert.equal(plan.template, '100');
  assert.deepEqual(plan.cluster, { distribution: 'k3s', apiVip: '192.168.1.100', lbAddressPool: '192.168.1.240-192.168.1.250' });
  assert.ok(plan.decisions.some((d) => d.topic === 'size (control-plane)' && /k3s server/.test(d.rationale)));
});

test('anti-affinity: control planes on distinct nodes, workers spread after them', () => {
  const plan = planVms(haK3s(), inventory(), defaultPolicy());
  const cps = plan.vms.filter((v) => v.role === 'control-plane').map((v) => v.node);
  assert.equal(new Set(cps).size, 3);
  // Workers go where fewest workers are, then most free memory: two different nodes.
  const workers = plan.vms.filter((v) => v.role === 'worker').map((v) => v.node);
  assert.equal(new Set(workers).size, 2);
});

test('anti-affinity falls back to sharing a node, and says so, when only two nodes have room', () => {
  const plan = planVms(haK3s(), inventory([node('pve1'), node('pve2'), node('pve3', 1, 1024)]), defaultPolicy());
  assert.equal(plan.feasible, true, plan.detail);
  const cps = plan.vms.filter((v) => v.role === 'control-plane').map((v) => v.node);
  assert.equal(new Set(cps).size, 2);
  assert.ok(!cps.includes('pve3'));
  assert.ok(plan.decisions.some((d) => /shares pve\d with another control plane/.test(d.rationale) && /quorum/.test(d.rationale)));
});

test('placement uses free capacity: infeasible with the VM and the roomiest node named', () => {
  const plan = planVms(haK3s(), inventory([node('pve1', 4, 8192), node('pve2', 2, 4096)]), defaultPolicy());
  assert.equal(plan.feasible, false);
  // 12 GiB over two nodes holds the three control planes; the workers find no room left.
  assert.match(plan.detail, /no ready node has room for k3s-worker-1 \(2 cores, 4096 MiB\): the roomiest, pve1, has 0\.0 cores and 0 MiB free/);
  assert.ok(!/k3s-cp/.test(plan.detail));
  // Not-ready nodes are never used.
  const down = planVms(spec({ name: 'web' }), inventory([node('pve1', 12, 32768, false), node('pve2')]), defaultPolicy());
  assert.equal(down.vms[0].node, 'pve2');
});

test('the pinned node is honoured, or the plan says why it cannot be', () => {
  const pinned = planVms(spec({ name: 'web', vm: { count: 2 }, constraints: { node: 'pve3' } }), inventory(), defaultPolicy());
  assert.deepEqual(pinned.vms.map((v) => v.node), ['pve3', 'pve3']);
  assert.deepEqual(pinned.vms.map((v) => v.name), ['web-1', 'web-2']);
  const unknown = planVms(spec({ name: 'web', constraints: { node: 'pve9' } }), inventory(), defaultPolicy());
  assert.equal(unknown.feasible, false);
  assert.match(unknown.detail, /node "pve9" is not in the inventory \(known: pve1, pve2, pve3\)/);
});

test('a plain VM: bare name, default size, DHCP, VMID above the template', () => {
  const plan = planVms(spec({ name: 'webserver' }), new StaticInventory({ nodes: THREE, templates: [{ id: '100', name: 'ubuntu' }] }), defaultPolicy());
  assert.equal(plan.feasible, true);
  assert.deepEqual(plan.vms.map((v) => [v.name, v.vmid, v.ipv4, v.cores, v.memoryMiB, v.diskGiB]), [['webserver', 101, 'dhcp', 2, 2048, 20]]);
  const sized = planVms(spec({ name: 'db', cores: 4, memoryMiB: 8192 }), inventory(), defaultPolicy());
  assert.deepEqual([sized.vms[0].cores, sized.vms[0].memoryMiB, sized.vms[0].diskGiB], [4, 8192, 20]);
  assert.match(sized.decisions.find((d) => d.topic === 'size (vm)')!.rationale, /cores, memory as requested/);
});

test('the VIP or the pool colliding with VM addresses makes the plan infeasible, naming the clash', () => {
  const vip = planVms(haK3s({ ipv4: '192.168.1.98/24' }), inventory(), defaultPolicy());
  assert.equal(vip.feasible, false);
  assert.match(vip.detail, /k3s-cp-3 would get 192\.168\.1\.100, the API virtual IP/);
  const pool = planVms(haK3s({ ipv4: '192.168.1.238/24' }), inventory(), defaultPolicy());
  assert.equal(pool.feasible, false);
  assert.match(pool.detail, /k3s-cp-3 would get 192\.168\.1\.240, inside the load-balancer pool 192\.168\.1\.240-192\.168\.1\.250/);
  const vipInPool = planVms(haK3s({ cluster: { controlPlanes: 3, workers: 2, apiVip: '192.168.1.245', lbAddressPool: '192.168.1.240-192.168.1.250' } }), inventory(), defaultPolicy());
  assert.match(vipInPool.detail, /API virtual IP 192\.168\.1\.245 lies inside the load-balancer pool/);
  const overflow = planVms(haK3s({ ipv4: '192.168.1.252/24' }), inventory(), defaultPolicy());
  assert.match(overflow.detail, /outside the usable addresses of 192\.168\.1\.0\/24/);
});

test('HA raises control planes to an odd quorum; the guardrails cap the VM count; unknown templates are refused', () => {
  const raised = planVms(spec({ name: 'k3s', constraints: { highAvailability: true }, vm: { cluster: { controlPlanes: 1, workers: 1 } } }), inventory(), defaultPolicy());
  assert.equal(raised.vms.filter((v) => v.role === 'control-plane').length, 3);
  assert.match(raised.decisions.find((d) => d.topic === 'control planes')!.rationale, /quorum/);
  const capped = planVms(haK3s(), inventory(), GuardrailPolicySchema.parse({ cluster: { maxNodes: 4 } }));
  assert.equal(capped.feasible, false);
  assert.match(capped.detail, /5 VMs exceed the guardrail policy's limit of 4 \(cluster\.maxNodes\)/);
  const absurd = planVms(spec({ name: 'web', vm: { count: 1_000_000_000 } }), inventory(), defaultPolicy());
  assert.equal(absurd.feasible, false);
  assert.deepEqual(absurd.vms, []);
  assert.match(absurd.detail, /1000000000 VMs exceed the guardrail policy's limit of 100 \(maxReplicas for web\)/);
  const tpl = planVms(spec({ name: 'web', template: '9000' }), inventory(), defaultPolicy());
  assert.match(tpl.detail, /template "9000" is not among the known templates: 100 \(ubuntu-24\.04\)/);
});

test('growVmPlan keeps every existing VM identical and appends the new worker', () => {
  const inv = inventory();
  const before = planVms(haK3s(), inv, defaultPolicy());
  const after = growVmPlan(before, { role: 'worker', count: 1 }, inv);
  assert.equal(after.feasible, true, after.detail);
  assert.deepEqual(after.vms.slice(0, 5), before.vms);
  const added = after.vms[5];
  assert.deepEqual({ ...added, node: undefined }, { name: 'k3s-worker-3', role: 'worker', vmid: 211, node: undefined, cores: 2, memoryMiB: 4096, diskGiB: 32, ipv4: '192.168.1.56/24' });
  // The node without a worker yet gets it.
  assert.equal(added.node, 'pve3');
  // Growing twice numbers on; a plain VM's bare name stays and the next one is "-2".
  assert.equal(growVmPlan(after, { role: 'worker', count: 2 }, inv).vms.slice(-2).map((v) => v.name).join(','), 'k3s-worker-4,k3s-worker-5');
  const single = planVms(spec({ name: 'web' }), inv, defaultPolicy());
  const grown = growVmPlan(single, { role: 'worker', count: 1 }, inv);
  assert.deepEqual(grown.vms.map((v) => [v.name, v.role]), [['web', 'vm'], ['web-2', 'vm']]);
});

test('growVmPlan keeps to the guardrails', () => {
  const inv = inventory();
  const before = planVms(haK3s(), inv, defaultPolicy());
  const refused = growVmPlan(before, { role: 'worker', count: 1_000_000 }, inv);
  assert.equal(refused.feasible, false);
  assert.deepEqual(refused.vms, before.vms);
  assert.match(refused.detail, /1000005 VMs after growing exceed the guardrail policy's limit of 100 \(cluster\.maxNodes\)/);
  assert.equal(growVmPlan(before, { role: 'worker', count: 1 }, inv, GuardrailPolicySchema.parse({ cluster: { maxNodes: 5 } })).feasible, false);
});

test('growVmPlan refuses a new address that lands in the pool', () => {
  const inv = inventory();
  const before = planVms(haK3s({ ipv4: '192.168.1.235/24' }), inv, defaultPolicy());
  assert.equal(before.feasible, true, before.detail);
  const after = growVmPlan(before, { role: 'worker', count: 1 }, inv);
  assert.equal(after.feasible, false);
  assert.match(after.detail, /k3s-worker-3 would get 192\.168\.1\.240, inside the load-balancer pool/);
});

test('an inventory that knows nothing still plans, and says what it could not check', () => {
  const plan = planVms(haK3s({ ipv4: 'dhcp' }), EMPTY_INVENTORY, defaultPolicy());
  assert.equal(plan.feasible, true, plan.detail);
  assert.deepEqual(new Set(plan.vms.map((v) => v.node)), new Set(['pve']));
  assert.deepEqual(plan.vms.map((v) => v.vmid), [101, 102, 103, 104, 105]);
  assert.ok(plan.vms.every((v) => v.ipv4 === 'dhcp'));
  assert.ok(plan.decisions.some((d) => /lists no Proxmox nodes/.test(d.rationale)));
  assert.ok(plan.decisions.some((d) => /outside the DHCP range/.test(d.rationale)));
});

test('a Proxmox inventory grounds the datastore: its default is used, an unknown one is refused', () => {
  const inv = new StaticInventory({ source: 'proxmox', nodes: THREE, templates: [{ id: '100', name: 'ubuntu' }], storageClasses: [{ name: 'ceph-vm', isDefault: true }, { name: 'local-lvm', isDefault: false }] });
  assert.equal(planVms(spec({ name: 'web' }), inv, defaultPolicy()).datastore, 'ceph-vm');
  const wrong = planVms(spec({ name: 'web', vm: { datastore: 'tank' } }), inv, defaultPolicy());
  assert.match(wrong.detail, /datastore "tank" is not on the cluster \(known: ceph-vm, local-lvm\)/);
});
