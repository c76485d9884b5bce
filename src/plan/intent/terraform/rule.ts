/**
 * A Terraform security/reliability rule: a stable id, the equivalent Checkov check, and a check
 * over the parsed configuration (the JSON @cdktf/hcl2json produces from the HCL files).
 */
import type { Severity } from '../findings.js';

/** hcl2json's shape: `resource.<type>.<name>` is a list of bodies (one per block occurrence). */
export type TfBody = Record<string, unknown>;
export interface TfConfig {
  resource?: Record<string, Record<string, TfBody[]>>;
  data?: Record<string, Record<string, TfBody[]>>;
  provider?: Record<string, TfBody[]>;
  variable?: Record<string, TfBody[]>;
  terraform?: TfBody[];
  output?: Record<string, TfBody[]>;
  locals?: TfBody[];
}

export interface TfRuleHit {
  /** `type.name` of the resource, `provider.x`, `variable.x` or `terraform`. */
  object: string;
  /** Path inside the block ("ingress[0].cidr_blocks"). */
  path?: string;
  message: string;
}

export interface TfRule {
  /** Stable id: TF-NNN. */
  id: string;
  title: string;
  severity: Severity;
  category: 'security' | 'reliability' | 'validity';
  /** Checkov check id(s) covering the same thing, when there is one. */
  checkov?: string;
  check(config: TfConfig, file: string): TfRuleHit[];
}
