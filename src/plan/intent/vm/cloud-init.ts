/**
 * cloud-init user-data for each planned VM, and its validator. The user-data sets the hostname,
 * creates the login user with the request's SSH public keys and no usable password, installs the
 * packages (always the QEMU guest agent, which Terraform's `agent { enabled = true }` relies on)
 * and starts the agent on first boot.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, stringify, type Node as YamlNode } from 'yaml';
import type { Finding } from '../findings.js';
import { CLOUD_CONFIG_KEYS } from './cloud-init-keys.js';
import type { PlannedVm, VmPlan } from './vm-plan.js';

export const GUEST_AGENT_PACKAGE = 'qemu-guest-agent';

export function buildCloudInit(plan: VmPlan, vm: PlannedVm): string {
  const packages = [...new Set([GUEST_AGENT_PACKAGE, ...plan.packages])];
  const config = {
    hostname: vm.name,
    manage_etc_hosts: true,
    users: [
      {
        name: plan.user,
        groups: ['sudo'],
        shell: '/bin/bash',
        // Keys only: the account has no password, so sudo must not ask for one.
        sudo: 'ALL=(ALL) NOPASSWD:ALL',
        lock_passwd: true,
        ssh_authorized_keys: [...plan.sshKeys],
      },
    ],
    disable_root: true,
    ssh_pwauth: false,
    package_update: true,
    packages,
    // The template may lack the agent; enabling it here is what lets Proxmox shut down cleanly and report addresses.
    runcmd: [`systemctl enable --now ${GUEST_AGENT_PACKAGE}`],
  };
  const role = vm.role === 'vm' ? 'VM' : `${vm.role} of the ${plan.cluster?.distribution ?? 'k3s'} cluster`;
  return `#cloud-config\n# ${vm.name}: ${role}, VMID ${vm.vmid} on ${vm.node}\n${stringify(config, { lineWidth: 0 })}`;
}

const finding = (ruleId: string, severity: Finding['severity'], source: Finding['source'], object: string, message: string, path?: string): Finding => ({ ruleId, severity, source, object, message, path });

function where(lines: LineCounter, node: YamlNode | null | undefined): string {
  const offset = node?.range?.[0];
  if (offset === undefined) return '';
  return ` (line ${lines.linePos(offset).line})`;
}

/**
 * Findings for one user-data file: CI-001 header, CI-002 YAML syntax, CI-003 not a mapping,
 * CI-004 unknown top-level key, CI-005 a user without SSH keys, CI-006 a plain-text password,
 * CI-007 SSH password login enabled.
 */
export function validateCloudInit(text: string, path: string): Finding[] {
  const out: Finding[] = [];
  if (!/^#cloud-config[ \t]*(?:\r?\n|$)/.test(text)) {
    out.push(finding('CI-001', 'error', 'schema', path, 'user-data must start with the line "#cloud-config", or cloud-init does not read it as cloud-config'));
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    for (const e of doc.errors) out.push(finding('CI-002', 'error', 'parser', path, `not valid YAML at line ${lines.linePos(e.pos[0]).line}: ${e.message.split('\n')[0]}`));
    return out;
  }
  const root = doc.contents;
  if (!isMap(root)) {
    out.push(finding('CI-003', 'error', 'schema', path, 'cloud-config must be a mapping of module keys'));
    return out;
  }
  for (const pair of root.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    if (!CLOUD_CONFIG_KEYS.has(key)) out.push(finding('CI-004', 'warning', 'schema', path, `unknown top-level key "${key}"${where(lines, pair.key as YamlNode)}: cloud-init ignores it`, key));
  }
  const plain = doc.toJS() as Record<string, unknown>;
  if (plain.ssh_pwauth === true || plain.ssh_pwauth === 'true' || plain.ssh_pwauth === 'yes') {
    out.push(finding('CI-007', 'error', 'rule', path, `ssh_pwauth enables SSH password login${where(lines, root.get('ssh_pwauth', true) as YamlNode)}: use keys only`, 'ssh_pwauth'));
  }
  if (plain.password !== undefined) out.push(finding('CI-006', 'error', 'rule', path, `a top-level password is a plain-text password in user-data${where(lines, root.get('password', true) as YamlNode)}`, 'password'));
  const chpasswd = plain.chpasswd as { list?: unknown; users?: { password?: unknown; type?: unknown }[] } | undefined;
  if (chpasswd && (chpasswd.list !== undefined || (chpasswd.users ?? []).some((u) => u.password !== undefined && u.type !== 'hash' && !String(u.password).startsWith('$')))) {
    out.push(finding('CI-006', 'error', 'rule', path, 'chpasswd sets a plain-text password', 'chpasswd'));
  }
  const users = root.get('users', true);
  if (users !== undefined && !isSeq(users)) out.push(finding('CI-003', 'error', 'schema', path, `users must be a list${where(lines, users as YamlNode)}`, 'users'));
  const list = Array.isArray(plain.users) ? (plain.users as unknown[]) : [];
  list.forEach((u, i) => {
    if (typeof u === 'string') return; // "default": the distribution's default user.
    if (typeof u !== 'object' || u === null) return;
    const user = u as Record<string, unknown>;
    const at = `users[${i}]`;
    const label = typeof user.name === 'string' ? user.name : at;
    const keys = user.ssh_authorized_keys ?? user['ssh-authorized-keys'];
    const hasKeys = (Array.isArray(keys) && keys.some((k) => typeof k === 'string' && k.trim() !== '')) || (typeof keys === 'string' && keys.trim() !== '') || user.ssh_import_id !== undefined;
    if (!hasKeys) out.push(finding('CI-005', 'error', 'rule', path, `user ${label} has no ssh_authorized_keys: nobody can log in (add a public key)`, `${at}.ssh_authorized_keys`));
    if (user.plain_text_passwd !== undefined) out.push(finding('CI-006', 'error', 'rule', path, `user ${label} has a plain_text_passwd`, `${at}.plain_text_passwd`));
    for (const k of ['passwd', 'hashed_passwd'] as const) {
      if (typeof user[k] === 'string' && !String(user[k]).startsWith('$')) out.push(finding('CI-006', 'error', 'rule', path, `user ${label}'s ${k} is not a crypt hash: a plain-text password`, `${at}.${k}`));
    }
    if (user.lock_passwd === false) out.push(finding('CI-007', 'warning', 'rule', path, `user ${label} has lock_passwd: false, so password login stays possible`, `${at}.lock_passwd`));
  });
  return out;
}
