/**
 * The semantic check for file bundles: every fact the intent states (and the plan decided) must be
 * visible in the artefacts — each planned VM with its size, template, node and address in the
 * Terraform, the cluster's VIP and pool in the Ansible vars, each requested AWS resource type, each
 * host, package and service in the playbook. A missing fact is an error: the bundle does not do
 * what was asked, whatever the syntax checks say.
 */
import type { ArtefactFile } from './artefact.js';
import type { Finding } from './findings.js';
import type { IntentSpec } from './spec.js';
import type { VmPlan } from './vm/vm-plan.js';

const semantic = (ruleId: string, object: string, message: string): Finding => ({ ruleId, severity: 'error', source: 'semantic', object, message });

function text(files: readonly ArtefactFile[], pred: (f: ArtefactFile) => boolean): string {
  return files.filter(pred).map((f) => f.content).join('\n');
}

export function checkVmBundle(plan: VmPlan, files: readonly ArtefactFile[]): Finding[] {
  const out: Finding[] = [];
  const tf = text(files, (f) => f.kind === 'terraform');
  const has = (re: RegExp): boolean => re.test(tf);
  for (const vm of plan.vms) {
    const where = `vm ${vm.name}`;
    if (!tf.includes(`"${vm.name}"`)) out.push(semantic('SEMANTIC-VM', where, `the Terraform does not create ${vm.name}`));
    if (!has(new RegExp(`vm_id\\s*=\\s*${vm.vmid}\\b`))) out.push(semantic('SEMANTIC-VMID', where, `VMID ${vm.vmid} is not in the Terraform`));
    if (!has(new RegExp(`cores\\s*=\\s*${vm.cores}\\b`))) out.push(semantic('SEMANTIC-CORES', where, `${vm.cores} cores are not in the Terraform`));
    if (!has(new RegExp(`dedicated\\s*=\\s*${vm.memoryMiB}\\b`))) out.push(semantic('SEMANTIC-MEMORY', where, `${vm.memoryMiB} MiB of memory are not in the Terraform`));
    if (!has(new RegExp(`size\\s*=\\s*${vm.diskGiB}\\b`))) out.push(semantic('SEMANTIC-DISK', where, `a ${vm.diskGiB} GiB disk is not in the Terraform`));
    if (!tf.includes(`"${vm.node}"`)) out.push(semantic('SEMANTIC-NODE', where, `node ${vm.node} is not in the Terraform`));
    if (vm.ipv4 !== 'dhcp' && !tf.includes(vm.ipv4)) out.push(semantic('SEMANTIC-ADDRESS', where, `address ${vm.ipv4} is not in the Terraform`));
  }
  if (/^\d+$/.test(plan.template) && !has(new RegExp(`vm_id\\s*=\\s*${plan.template}\\b`))) out.push(semantic('SEMANTIC-TEMPLATE', '(bundle)', `template ${plan.template} is not cloned`));
  if (plan.cluster) {
    const inventory = text(files, (f) => f.kind === 'ansible-inventory');
    const vars = text(files, (f) => f.kind === 'ansible-vars' || f.kind === 'ansible-playbook');
    for (const vm of plan.vms) if (!inventory.includes(vm.name)) out.push(semantic('SEMANTIC-INVENTORY', `vm ${vm.name}`, `${vm.name} is not in the Ansible inventory`));
    if (plan.cluster.apiVip && !vars.includes(plan.cluster.apiVip)) out.push(semantic('SEMANTIC-VIP', '(cluster)', `the API virtual IP ${plan.cluster.apiVip} is not configured`));
    const pool = plan.cluster.lbAddressPool;
    if (pool && !pool.split(/[-/]/).every((part) => vars.includes(part))) out.push(semantic('SEMANTIC-POOL', '(cluster)', `the load-balancer pool ${pool} is not configured`));
  }
  return out;
}

export function checkAwsBundle(spec: IntentSpec, files: readonly ArtefactFile[]): Finding[] {
  const tf = text(files, (f) => f.kind === 'terraform');
  return (spec.aws?.resources ?? [])
    .filter((r) => !new RegExp(`resource\\s+"${r.type}"`).test(tf))
    .map((r) => semantic('SEMANTIC-RESOURCE', r.type, `the request asks for ${r.type}${r.name ? ` "${r.name}"` : ''}, which the Terraform does not create`));
}

export function checkHostsBundle(spec: IntentSpec, files: readonly ArtefactFile[]): Finding[] {
  const out: Finding[] = [];
  const inventory = text(files, (f) => f.kind === 'ansible-inventory');
  const play = text(files, (f) => f.kind === 'ansible-playbook' || f.kind === 'ansible-vars');
  for (const h of spec.hosts?.hosts ?? []) if (!inventory.includes(h.name)) out.push(semantic('SEMANTIC-HOST', h.name, `host ${h.name} is not in the inventory`));
  for (const p of spec.hosts?.packages ?? []) if (!play.includes(p)) out.push(semantic('SEMANTIC-PACKAGE', p, `package ${p} is not installed by the playbook`));
  for (const s of spec.hosts?.services ?? []) if (!play.includes(s)) out.push(semantic('SEMANTIC-SERVICE', s, `service ${s} is not enabled by the playbook`));
  return out;
}
