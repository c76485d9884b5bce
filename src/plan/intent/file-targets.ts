/**
 * Build for the targets whose artefacts are files rather than Kubernetes objects: Proxmox (a VM plan →
 * bpg Terraform with cloud-init, plus Ansible for a k3s cluster), AWS (Terraform), existing hosts
 * (Ansible). Returns the files, the checkers that review them and the semantic check against the
 * intent; an infeasible plan returns its reason instead of files.
 */
import { UserError } from '../../core/errors.js';
import type { GuardrailPolicy } from '../../govern/policy.js';
import { buildHostsAnsible } from './ansible/hosts.js';
import { buildK3sAnsible } from './ansible/k3s.js';
import { ansibleChecker } from './ansible/validate.js';
import type { ArtefactChecker, ArtefactFile } from './artefact.js';
import { buildAwsTerraform } from './aws/build.js';
import { checkAwsBundle, checkHostsBundle, checkVmBundle } from './file-semantic.js';
import type { Finding } from './findings.js';
import type { Inventory } from './inventory.js';
import type { Decision } from './plan.js';
import type { IntentSpec } from './spec.js';
import { terraformChecker } from './terraform/checker.js';
import { buildProxmoxTerraform } from './terraform/proxmox.js';
import { cloudInitChecker } from './vm/cloud-init-checker.js';
import { growVmPlan } from './vm/grow-vm-plan.js';
import { planVms } from './vm/plan-vms.js';
import type { VmPlan } from './vm/vm-plan.js';

export const FILE_CHECKERS: readonly ArtefactChecker[] = [terraformChecker, ansibleChecker, cloudInitChecker];

export interface FileBuild {
  files: ArtefactFile[];
  vmPlan?: VmPlan;
  decisions: Decision[];
  /** Why nothing could be built (no room, address clash, nothing to grow…). */
  infeasible?: string;
  semantic: (files: readonly ArtefactFile[]) => Finding[];
}

/** A stored plan is JSON from our own store; check its shape before growing it. */
function asVmPlan(v: unknown): VmPlan | undefined {
  const p = v as Partial<VmPlan> | null;
  return p && Array.isArray(p.vms) && typeof p.template === 'string' && p.vms.every((x) => typeof x?.name === 'string' && typeof x.vmid === 'number') ? (p as VmPlan) : undefined;
}

export function buildFileTarget(spec: IntentSpec, ctx: { inventory: Inventory; policy: GuardrailPolicy; previousPlan?: unknown }): FileBuild {
  const none = { files: [], decisions: [], semantic: () => [] };
  try {
    if (spec.target === 'proxmox') {
      const grow = spec.vm?.grow;
      let vmPlan: VmPlan;
      if (grow) {
        const prev = asVmPlan(ctx.previousPlan);
        if (!prev) return { ...none, infeasible: 'there is no earlier VM plan to grow: ask for the cluster first, or name the bundle with --parent' };
        vmPlan = growVmPlan(prev, grow, ctx.inventory, ctx.policy);
      } else vmPlan = planVms(spec, ctx.inventory, ctx.policy);
      if (!vmPlan.feasible) return { ...none, vmPlan, decisions: vmPlan.decisions, infeasible: vmPlan.detail };
      const files = [...buildProxmoxTerraform(vmPlan), ...(vmPlan.cluster ? buildK3sAnsible(vmPlan) : [])];
      return { files, vmPlan, decisions: vmPlan.decisions, semantic: (f) => checkVmBundle(vmPlan, f) };
    }
    if (spec.target === 'aws') {
      if ((spec.aws?.resources.length ?? 0) === 0) return { ...none, infeasible: 'no AWS resource recognised in the request (name it: "an S3 bucket", "an EC2 instance", "aws_lambda_function"…)' };
      return { files: buildAwsTerraform(spec), decisions: [], semantic: (f) => checkAwsBundle(spec, f) };
    }
    if (spec.target === 'ansible') {
      if ((spec.hosts?.hosts.length ?? 0) === 0 && !spec.hosts?.group) return { ...none, infeasible: 'no hosts named: list them ("on web1 (10.0.0.5) and web2") or name an inventory group' };
      return { files: buildHostsAnsible(spec), decisions: [], semantic: (f) => checkHostsBundle(spec, f) };
    }
    return { ...none, infeasible: `no file builder for target ${spec.target}` };
  } catch (e) {
    // Builders refuse bad values (an address, a name) with a located UserError: that is this intent's answer.
    if (e instanceof UserError) return { ...none, infeasible: e.message };
    throw e;
  }
}
