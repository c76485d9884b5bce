/**
 * The rule-based Ansible fixer: each finding whose rule has a fix is applied to the task its path
 * points at, on the YAML document itself so comments and layout survive. Files not owned by
 * Ansible, and findings without a fix, are left alone (they go to a human).
 */
import type { AppliedFix, ArtefactFile } from '../artefact.js';
import type { Finding } from '../findings.js';
import { fromPointer, parseAnsibleFile, type ParsedAnsibleFile } from './parsed-file.js';
import { ruleById, taskNode } from './rules.js';

export function fixAnsible(files: readonly ArtefactFile[], findings: readonly Finding[]): { files: ArtefactFile[]; applied: AppliedFix[] } {
  const applied: AppliedFix[] = [];
  const edited = new Map<string, ParsedAnsibleFile>();
  for (const f of findings) {
    const rule = ruleById(f.ruleId);
    const file = files.find((x) => x.path === f.object);
    if (!rule?.fix || f.waived || !file || !f.path || !rule.kinds.includes(file.kind)) continue;
    const parsed = edited.get(file.path) ?? parseAnsibleFile(file);
    if (parsed.errors.length > 0) continue;
    const node = taskNode(parsed.doc, fromPointer(f.path));
    const change = node ? rule.fix(node, parsed.doc) : undefined;
    if (!change) continue;
    edited.set(file.path, parsed);
    applied.push({ ruleId: rule.id, object: `${file.path}${f.path}`, change });
  }
  return {
    files: files.map((f) => {
      const p = edited.get(f.path);
      return p ? { ...f, content: p.doc.toString({ lineWidth: 0, nullStr: '' }) } : f;
    }),
    applied,
  };
}
