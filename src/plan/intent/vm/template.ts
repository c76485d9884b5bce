/**
 * The template every VM is cloned from: the request's VMID or template name, checked against the
 * templates the inventory knows. Terraform's clone block needs the numeric VMID.
 */
import type { Inventory } from '../inventory.js';
import type { Decision } from '../plan.js';

export interface TemplateChoice {
  /** Numeric VMID as a string ("100"), or what was asked when it could not be resolved. */
  template: string;
  /** The template's node, when the inventory says (a Proxmox inventory may add `node` to its templates). */
  node?: string;
  problem?: string;
  decision?: Decision;
}

export function resolveTemplate(requested: string | undefined, inventory: Inventory): TemplateChoice {
  const known = inventory.templates();
  const list = known.map((t) => `${t.id} (${t.name})`).join(', ');
  if (requested === undefined) {
    if (known.length === 1 && /^\d+$/.test(known[0].id)) {
      return { template: known[0].id, decision: { topic: 'template', choice: `${known[0].id} (${known[0].name})`, rationale: 'not named in the request; the only template the inventory knows' } };
    }
    return { template: '', problem: `the request names no template to clone${known.length > 0 ? ` (known: ${list})` : ''}` };
  }
  const byId = known.find((t) => t.id === requested);
  const byName = known.find((t) => t.name.toLowerCase() === requested.toLowerCase());
  const match = byId ?? byName;
  if (known.length > 0 && !match) return { template: requested, problem: `template "${requested}" is not among the known templates: ${list}` };
  const id = match?.id ?? requested;
  if (!/^\d+$/.test(id)) return { template: requested, problem: `template "${requested}" has no numeric VMID to clone from` };
  const rationale = match ? (byId ? 'named in the request and present in the inventory' : `the request names template "${requested}", VMID ${id} in the inventory`) : 'named in the request (the inventory lists no templates to check it against)';
  const node = (match as { node?: unknown } | undefined)?.node;
  return { template: id, node: typeof node === 'string' ? node : undefined, decision: { topic: 'template', choice: id, rationale } };
}
