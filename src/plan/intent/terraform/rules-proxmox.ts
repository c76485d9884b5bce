/**
 * Security and reliability rules for bpg/proxmox configurations, over hcl2json's JSON (see rule.ts).
 * Values written as expressions arrive as "${...}" strings; only literals are judged as literals.
 */
import type { TfBody, TfConfig, TfRule, TfRuleHit } from './rule.js';

const isExpr = (v: unknown): boolean => typeof v === 'string' && v.startsWith('${');
const blocks = (body: TfBody, key: string): TfBody[] => (Array.isArray(body[key]) ? (body[key] as unknown[]).filter((b): b is TfBody => typeof b === 'object' && b !== null) : []);
const truthy = (v: unknown): boolean => v === true || v === 'true';
const falsy = (v: unknown): boolean => v === false || v === 'false';

function resources(config: TfConfig, type: string): { name: string; body: TfBody }[] {
  return Object.entries(config.resource?.[type] ?? {}).flatMap(([name, bodies]) => bodies.map((body) => ({ name, body })));
}
const vms = (config: TfConfig) => resources(config, 'proxmox_virtual_environment_vm');

function providers(config: TfConfig): TfBody[] {
  return config.provider?.proxmox ?? [];
}

const SECRET_NAME = /token|password|passwd|secret|private_key|api_key/i;
const SECRET_ARGS = ['api_token', 'password', 'auth_ticket', 'csrf_prevention_token'] as const;

export const PROXMOX_RULES: TfRule[] = [
  {
    id: 'TF-101',
    title: 'Proxmox provider skips TLS verification',
    severity: 'error',
    category: 'security',
    check: (config) =>
      providers(config).flatMap((p): TfRuleHit[] => (truthy(p.insecure) ? [{ object: 'provider.proxmox', path: 'insecure', message: 'insecure = true accepts any certificate: the API token can be intercepted. Trust the PVE certificate instead.' }] : [])),
  },
  {
    id: 'TF-102',
    title: 'Proxmox credentials hard-coded in the configuration',
    severity: 'error',
    category: 'security',
    checkov: 'CKV_SECRET_6',
    check: (config) =>
      providers(config).flatMap((p) =>
        SECRET_ARGS.filter((k) => typeof p[k] === 'string' && p[k] !== '' && !isExpr(p[k])).map((k) => ({ object: 'provider.proxmox', path: k, message: `${k} is a literal: take it from a sensitive variable (TF_VAR_...) so it never lands in version control` })),
      ),
  },
  {
    id: 'TF-103',
    title: 'Secret variable not marked sensitive, or given a default',
    severity: 'error',
    category: 'security',
    check: (config) =>
      Object.entries(config.variable ?? {}).flatMap(([name, bodies]) =>
        SECRET_NAME.test(name)
          ? bodies.flatMap((b): TfRuleHit[] => [
              ...(truthy(b.sensitive) ? [] : [{ object: `variable.${name}`, path: 'sensitive', message: `variable ${name} holds a secret but is not sensitive = true: plans and logs would print it` }]),
              ...(b.default !== undefined && b.default !== null && b.default !== '' ? [{ object: `variable.${name}`, path: 'default', message: `variable ${name} holds a secret but has a default value in the code` }] : []),
            ])
          : [],
      ),
  },
  {
    id: 'TF-104',
    title: 'Proxmox provider version not pinned',
    severity: 'warning',
    category: 'reliability',
    check: (config) => {
      const pins = (config.terraform ?? []).flatMap((t) => blocks(t, 'required_providers')).map((rp) => rp.proxmox as { source?: unknown; version?: unknown } | undefined).filter((p) => p !== undefined);
      const usesProxmox = Object.keys(config.resource ?? {}).some((t) => t.startsWith('proxmox_')) || providers(config).length > 0;
      if (!usesProxmox && pins.length === 0) return [];
      if (pins.length === 0) return [{ object: 'terraform', path: 'required_providers.proxmox', message: 'bpg/proxmox is not declared in required_providers: init would pick any version (and the wrong namespace)' }];
      return pins.flatMap((p): TfRuleHit[] => {
        const v = typeof p.version === 'string' ? p.version.trim() : '';
        // A pre-1.0 provider breaks between minors: only "~>", "=", an exact version or an upper bound stop that.
        const bounded = v !== '' && (/^~>/.test(v) || /^=?\s*\d+\.\d+\.\d+$/.test(v) || /<\s*\d/.test(v));
        return bounded ? [] : [{ object: 'terraform', path: 'required_providers.proxmox.version', message: v ? `version "${v}" has no upper bound: a breaking 0.x release would be picked up` : 'no version constraint for bpg/proxmox' }];
      });
    },
  },
  {
    id: 'TF-105',
    title: 'VM login by password or without SSH keys',
    severity: 'error',
    category: 'security',
    check: (config) => [
      ...vms(config).flatMap(({ name, body }) =>
        blocks(body, 'initialization').flatMap((init) =>
          blocks(init, 'user_account').flatMap((ua): TfRuleHit[] => [
            ...(ua.password !== undefined ? [{ object: `proxmox_virtual_environment_vm.${name}`, path: 'initialization.user_account.password', message: 'the cloud-init user has a password: log in with SSH keys only' }] : []),
            ...(!Array.isArray(ua.keys) || ua.keys.length === 0 ? [{ object: `proxmox_virtual_environment_vm.${name}`, path: 'initialization.user_account.keys', message: 'the cloud-init user has no SSH keys' }] : []),
          ]),
        ),
      ),
      // Inline user-data written as a literal can be read here; user-data from file() is checked by the cloud-init validator.
      ...resources(config, 'proxmox_virtual_environment_file').flatMap(({ name, body }) =>
        blocks(body, 'source_raw').flatMap((raw): TfRuleHit[] => {
          const data = typeof raw.data === 'string' && !isExpr(raw.data) ? raw.data : '';
          if (!/^#cloud-config/.test(data)) return [];
          const object = `proxmox_virtual_environment_file.${name}`;
          const hits: TfRuleHit[] = [];
          if (/^\s*(?:plain_text_passwd|password)\s*:/m.test(data) || /^\s*chpasswd\s*:/m.test(data) || /^\s*ssh_pwauth\s*:\s*(?:true|yes)/m.test(data)) hits.push({ object, path: 'source_raw.data', message: 'the cloud-init user-data sets a password or enables SSH password login' });
          if (!/ssh[_-]authorized[_-]keys\s*:\s*(?:\[\s*["']?ssh|\n\s*-\s*\S)/.test(data)) hits.push({ object, path: 'source_raw.data', message: 'the cloud-init user-data gives no SSH authorized key' });
          return hits;
        }),
      ),
    ],
  },
  {
    id: 'TF-106',
    title: 'QEMU guest agent disabled',
    severity: 'warning',
    category: 'reliability',
    check: (config) =>
      vms(config).flatMap(({ name, body }) => {
        const agent = blocks(body, 'agent')[0];
        return agent && truthy(agent.enabled) ? [] : [{ object: `proxmox_virtual_environment_vm.${name}`, path: 'agent.enabled', message: 'without the guest agent Proxmox cannot shut the VM down cleanly, freeze its filesystem for backups, or report its addresses' }];
      }),
  },
  {
    id: 'TF-107',
    title: 'VM not started when its node boots',
    severity: 'warning',
    category: 'reliability',
    // The provider defaults on_boot to true; only an explicit false leaves the VM down after a node reboot.
    check: (config) => vms(config).flatMap(({ name, body }) => (falsy(body.on_boot) ? [{ object: `proxmox_virtual_environment_vm.${name}`, path: 'on_boot', message: 'on_boot = false: the VM stays down after its node restarts' }] : [])),
  },
  {
    id: 'TF-108',
    title: 'VM disk without a datastore',
    severity: 'warning',
    category: 'validity',
    check: (config) =>
      vms(config).flatMap(({ name, body }) =>
        blocks(body, 'disk').flatMap((d, i) => (typeof d.datastore_id === 'string' && d.datastore_id !== '' ? [] : [{ object: `proxmox_virtual_environment_vm.${name}`, path: `disk[${i}].datastore_id`, message: 'no datastore_id: the provider falls back to local-lvm, which many clusters (Ceph, ZFS) do not have' }])),
      ),
  },
  {
    id: 'TF-109',
    title: 'Linked clone depends on its template',
    severity: 'warning',
    category: 'reliability',
    check: (config) =>
      vms(config).flatMap(({ name, body }) => blocks(body, 'clone').flatMap((c) => (falsy(c.full) ? [{ object: `proxmox_virtual_environment_vm.${name}`, path: 'clone.full', message: 'full = false makes a linked clone: deleting or changing the template breaks the VM, and it cannot move to another storage' }] : []))),
  },
  {
    id: 'TF-110',
    title: 'Guest agent expected but user-data does not come from the snippet',
    severity: 'info',
    category: 'reliability',
    // agent.enabled = true with no user-data: nothing installs the agent, and the provider waits for it (15 min timeouts).
    check: (config) =>
      vms(config).flatMap(({ name, body }) => {
        const agent = blocks(body, 'agent')[0];
        const init = blocks(body, 'initialization')[0];
        return agent && truthy(agent.enabled) && init && init.user_data_file_id === undefined && blocks(init, 'user_account').length === 0
          ? [{ object: `proxmox_virtual_environment_vm.${name}`, path: 'initialization.user_data_file_id', message: 'the agent is enabled but no user-data installs it: unless the template has it, the provider waits for an agent that never starts' }]
          : [];
      }),
  },
];
