/**
 * Artefact files: what every builder emits (Kubernetes YAML, Terraform HCL, Ansible playbook and
 * inventory, cloud-init user-data), as text with a relative path, so review, the journal, the
 * intent store and `--out DIR` treat all targets alike.
 */
import type { Finding } from './findings.js';

export type ArtefactKind = 'kubernetes' | 'terraform' | 'ansible-playbook' | 'ansible-inventory' | 'ansible-vars' | 'cloud-init';

export interface ArtefactFile {
  /** Relative path inside the bundle ("main.tf", "ansible/site.yml"); never absolute, never "..". */
  path: string;
  kind: ArtefactKind;
  content: string;
}

/** One change a fixer made, for the review rounds and the journal. */
export interface AppliedFix {
  ruleId: string;
  object: string;
  change: string;
  doc?: string;
}

/** Validators and fixers for one family of artefact files (Terraform, Ansible...). */
export interface ArtefactChecker {
  readonly kinds: readonly ArtefactKind[];
  validate(files: readonly ArtefactFile[]): Promise<Finding[]>;
  /** Amend what the findings allow; files it does not own are returned unchanged. */
  fix(files: readonly ArtefactFile[], findings: readonly Finding[]): { files: ArtefactFile[]; applied: AppliedFix[] };
}
