/**
 * A finding: one thing a validator says is wrong with an artefact. Every validator (schema, rules,
 * semantic check, parser round-trip) speaks this shape, so the fixer, the escalation and the
 * journal treat them alike.
 */

export type Severity = 'error' | 'warning' | 'info';

export interface Finding {
  /** Stable rule id (e.g. K8S-002, SCHEMA, SEMANTIC-IMAGE). */
  ruleId: string;
  severity: Severity;
  /** Which validator produced it. */
  source: 'schema' | 'rule' | 'semantic' | 'parser';
  /** `Kind/name` of the manifest, or `(stream)`. */
  object: string;
  /** Index of the manifest in the artefact list, when it is about one. */
  index?: number;
  /** JSON-pointer-ish path inside the manifest. */
  path?: string;
  message: string;
  /** Equivalent checks in well-known scanners, for people who know those. */
  checkov?: string;
  kubeLinter?: string;
  ansibleLint?: string;
  /** Accepted by the user (e.g. a capability they confirmed): reported, never fixed or escalated. */
  waived?: boolean;
}

export function blocking(f: Finding): boolean {
  return !f.waived && (f.severity === 'error' || f.severity === 'warning');
}
