/**
 * Validating an Ansible bundle: every file must be YAML, the rules (rules.ts) run over playbooks,
 * inventory and vars, and the real `ansible-playbook --syntax-check` has the last word on whether
 * Ansible itself accepts the playbooks. Findings name the file and line ("ansible/site.yml:12").
 */
import type { ArtefactChecker, ArtefactFile, ArtefactKind } from '../artefact.js';
import type { Finding } from '../findings.js';
import { fixAnsible } from './fix.js';
import { indexInventory, type InventoryIndex } from './inventory.js';
import { isYamlFile, lineOf, parseAnsibleFile, pointer, type ParsedAnsibleFile } from './parsed-file.js';
import { ANS_SYNTAX, ANS_YAML, ANSIBLE_RULES } from './rules.js';
import { AnsiblePlaybookSyntaxChecker, type AnsibleSyntaxChecker } from './syntax-check.js';

export const ANSIBLE_KINDS: readonly ArtefactKind[] = ['ansible-playbook', 'ansible-inventory', 'ansible-vars'];

export interface ValidateAnsibleOptions {
  /** The real ansible-playbook by default; tests of the rules alone may pass a stub. */
  syntaxChecker?: AnsibleSyntaxChecker;
}

const at = (file: string, line: number | undefined) => (line === undefined ? file : `${file}:${line}`);

/** Findings of the rule table over parsed files (no process is run). */
export function ruleFindings(parsed: readonly ParsedAnsibleFile[]): Finding[] {
  const inventoryFile = parsed.find((p) => p.file.kind === 'ansible-inventory' && p.errors.length === 0);
  const inventory: InventoryIndex | undefined = inventoryFile ? indexInventory(inventoryFile.value) : undefined;
  const out: Finding[] = [];
  for (const p of parsed) {
    if (p.errors.length > 0) continue;
    for (const rule of ANSIBLE_RULES) {
      if (!rule.kinds.includes(p.file.kind)) continue;
      for (const hit of rule.check({ parsed: p, inventory })) {
        out.push({
          ruleId: rule.id,
          severity: rule.severity,
          source: 'rule',
          object: p.file.path,
          path: pointer(hit.path),
          message: `${at(p.file.path, lineOf(p, hit.path))}: ${hit.message}`,
          ...(rule.ansibleLint ? { ansibleLint: rule.ansibleLint } : {}),
          ...(rule.checkov ? { checkov: rule.checkov } : {}),
        });
      }
    }
  }
  return out;
}

export async function validateAnsible(files: readonly ArtefactFile[], options: ValidateAnsibleOptions = {}): Promise<Finding[]> {
  const own = files.filter((f) => ANSIBLE_KINDS.includes(f.kind));
  const parsed = own.filter(isYamlFile).map(parseAnsibleFile);
  const findings: Finding[] = parsed.flatMap((p) =>
    p.errors.map((e) => ({ ruleId: ANS_YAML.id, severity: 'error' as const, source: 'parser' as const, object: p.file.path, ansibleLint: ANS_YAML.ansibleLint, message: `${at(p.file.path, e.line)}: not valid YAML: ${e.message}` })),
  );
  findings.push(...ruleFindings(parsed));
  const checker = options.syntaxChecker ?? new AnsiblePlaybookSyntaxChecker();
  for (const r of await checker.check(own)) {
    if (r.status === 'passed') continue;
    if (r.status === 'unavailable') {
      findings.push({ ruleId: ANS_SYNTAX.id, severity: 'info', source: 'parser', object: '(bundle)', ansibleLint: ANS_SYNTAX.ansibleLint, message: `syntax check skipped: ${r.reason}` });
      continue;
    }
    const where = r.problem.line === undefined ? r.problem.file : `${r.problem.file}:${r.problem.line}${r.problem.column ? `:${r.problem.column}` : ''}`;
    findings.push({ ruleId: ANS_SYNTAX.id, severity: 'error', source: 'parser', object: r.problem.file, ansibleLint: ANS_SYNTAX.ansibleLint, message: `${where}: ansible-playbook --syntax-check: ${r.problem.message}` });
  }
  return findings;
}

export function createAnsibleChecker(options: ValidateAnsibleOptions = {}): ArtefactChecker {
  return {
    kinds: ANSIBLE_KINDS,
    validate: (files) => validateAnsible(files, options),
    fix: (files, findings) => fixAnsible(files, findings),
  };
}

/** The Ansible checker the review uses: the rules, the real syntax check, and the rule-based fixes. */
export const ansibleChecker: ArtefactChecker = createAnsibleChecker();
