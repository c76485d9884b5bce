/**
 * YAML text the way Ansible users write it: block style, no line folding (a folded shell command
 * or Jinja expression is hard to review), no anchors for repeated values, a blank line between
 * plays, `# comments` on top. The `yaml` package does the quoting, so a value with `{{ }}`, `:` or
 * a leading `*` can never change the document's structure.
 */
import { Document, isSeq } from 'yaml';

const CREATE = { aliasDuplicateObjects: false } as const;

export function yamlText(value: unknown, header?: string): string {
  const doc = new Document(value, CREATE);
  if (header) doc.commentBefore = header.split('\n').map((l) => ` ${l}`.trimEnd()).join('\n');
  if (isSeq(doc.contents)) doc.contents.items.forEach((item, i) => i > 0 && typeof item === 'object' && item !== null && ((item as { spaceBefore?: boolean }).spaceBefore = true));
  return doc.toString({ lineWidth: 0, nullStr: '' });
}

/** Several Kubernetes manifests as one multi-document stream (for a k3s auto-deploy file). */
export function yamlStream(values: readonly unknown[]): string {
  return values.map((v) => new Document(v, CREATE).toString({ lineWidth: 0 })).join('---\n');
}
