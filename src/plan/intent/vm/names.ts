/**
 * VM names: DNS-1123 labels derived from the request's name and each VM's role, so Terraform
 * resources, cloud-init hostnames and the Ansible inventory agree ("k3s-cp-1", "k3s-worker-2",
 * "web" or "web-1".."web-3").
 */
import type { VmRole } from './vm-plan.js';

/** A DNS label from free text; "vm" when nothing usable is left. */
export function dnsLabel(text: string): string {
  const label = text.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 50).replace(/-+$/, '');
  return label || 'vm';
}

const ROLE_SUFFIX: Record<VmRole, string> = { 'control-plane': 'cp', worker: 'worker', vm: '' };

/** Name of the index-th (1-based) VM of a role; a lone plain VM keeps the bare base name. */
export function vmName(base: string, role: VmRole, index: number, lone: boolean): string {
  if (role === 'vm') return lone ? base : `${base}-${index}`;
  return `${base}-${ROLE_SUFFIX[role]}-${index}`;
}

/** The index a planned name carries for its role (the bare base name of a lone VM counts as 1). */
export function vmIndex(name: string, base: string, role: VmRole): number | undefined {
  if (role === 'vm' && name === base) return 1;
  const prefix = role === 'vm' ? `${base}-` : `${base}-${ROLE_SUFFIX[role]}-`;
  if (!name.startsWith(prefix)) return undefined;
  const rest = name.slice(prefix.length);
  return /^\d+$/.test(rest) ? Number(rest) : undefined;
}

/** The base name back from a planned VM name, for plans made before `VmPlan.name` existed. */
export function baseNameOf(name: string): string {
  return name.replace(/-(?:cp|worker)-\d+$/, '').replace(/-\d+$/, '');
}
