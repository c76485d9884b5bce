/**
 * The Terraform rule registry: provider-independent rules (here) plus each provider's rules.
 * Adding a provider's rules is one import and one spread in ALL_TF_RULES.
 */
import { AWS_RULES, resourcesOf } from './rules-aws.js';
import { PROXMOX_RULES } from './rules-proxmox.js';
import type { TfConfig, TfRule } from './rule.js';

/** The providers the configuration uses: from resource/data type prefixes and provider blocks. */
export function providersUsed(config: TfConfig): Set<string> {
  const out = new Set<string>(Object.keys(config.provider ?? {}));
  for (const key of ['resource', 'data'] as const) for (const type of Object.keys(config[key] ?? {})) out.add(type.split('_')[0]);
  return out;
}

/** `terraform { required_providers { name = { source, version } } }` entries, merged over blocks. */
export function requiredProviders(config: TfConfig): Map<string, { source?: string; version?: string }> {
  const out = new Map<string, { source?: string; version?: string }>();
  for (const t of config.terraform ?? []) {
    const rp = t.required_providers;
    for (const entry of Array.isArray(rp) ? rp : rp ? [rp] : []) {
      for (const [name, v] of Object.entries(entry as Record<string, unknown>)) {
        const spec = typeof v === 'string' ? { version: v } : typeof v === 'object' && v !== null ? (v as { source?: string; version?: string }) : {};
        out.set(name, { ...out.get(name), ...spec });
      }
    }
  }
  return out;
}

/** Providers that come with Terraform, or whose pin a provider-specific rule checks more strictly (TF-104: proxmox). */
const BUILT_IN = new Set(['terraform', 'proxmox']);

export const GENERAL_TF_RULES: TfRule[] = [
  {
    id: 'TF-016',
    title: 'Provider versions are pinned',
    severity: 'warning',
    category: 'reliability',
    // Checkov has no check for this (CKV_TF_1 pins module sources); tflint's terraform_required_providers does.
    check: (config) => {
      const pinned = requiredProviders(config);
      return [...providersUsed(config)].filter((p) => !BUILT_IN.has(p) && !pinned.get(p)?.version).map((p) => ({ object: 'terraform', path: `required_providers.${p}`, message: `provider "${p}" has no version constraint in required_providers, so any future major version may be installed` }));
    },
  },
];

export const ALL_TF_RULES: readonly TfRule[] = [...GENERAL_TF_RULES, ...AWS_RULES, ...PROXMOX_RULES];

export function tfRuleById(id: string): TfRule | undefined {
  return ALL_TF_RULES.find((r) => r.id === id);
}

export { resourcesOf };
