import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { buildCloudInit, validateCloudInit } from '../src/plan/intent/vm/cloud-init.js';
import type { VmPlan } from '../src/plan/intent/vm/vm-plan.js';

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl ops@laptop';
const plan = (over: Partial<VmPlan> = {}): VmPlan => ({
  name: 'web',
  template: '100',
  datastore: 'local-lvm',
  bridge: 'vmbr0',
  user: 'ops',
  sshKeys: [KEY],
  packages: ['nginx', 'qemu-guest-agent'],
  vms: [{ name: 'web', role: 'vm', vmid: 101, node: 'pve', cores: 2, memoryMiB: 2048, diskGiB: 20, ipv4: 'dhcp' }],
  decisions: [],
  feasible: true,
  detail: '',
  ...over,
});
const ids = (text: string) => validateCloudInit(text, 'cloud-init/web.yaml').map((f) => f.ruleId);

test('the built user-data parses to the expected cloud-config and passes its own validator', () => {
  const p = plan();
  const text = buildCloudInit(p, p.vms[0]);
  assert.deepEqual(validateCloudInit(text, 'cloud-init/web.yaml'), []);
  assert.deepEqual(parse(text), {
    hostname: 'web',
    manage_etc_hosts: true,
    users: [{ name: 'ops', groups: ['sudo'], shell: '/bin/bash', sudo: 'ALL=(ALL) NOPASSWD:ALL', lock_passwd: true, ssh_authorized_keys: [KEY] }],
    disable_root: true,
    ssh_pwauth: false,
    package_update: true,
    // The agent once, first.
    packages: ['qemu-guest-agent', 'nginx'],
    runcmd: ['systemctl enable --now qemu-guest-agent'],
  });
});

test('without SSH keys the user-data is flagged: nobody could log in', () => {
  const p = plan({ sshKeys: [] });
  const findings = validateCloudInit(buildCloudInit(p, p.vms[0]), 'cloud-init/web.yaml');
  assert.deepEqual(findings.map((f) => [f.ruleId, f.severity, f.path]), [['CI-005', 'error', 'users[0].ssh_authorized_keys']]);
  assert.match(findings[0].message, /user ops has no ssh_authorized_keys/);
});

test('header, YAML syntax, shape and unknown keys', () => {
  assert.deepEqual(ids('hostname: web\n'), ['CI-001']);
  const broken = validateCloudInit('#cloud-config\nusers: [\n', 'cloud-init/web.yaml');
  assert.equal(broken[0].ruleId, 'CI-002');
  assert.match(broken[0].message, /not valid YAML at line \d/);
  assert.deepEqual(ids('#cloud-config\n- a\n- b\n'), ['CI-003']);
  const typo = validateCloudInit('#cloud-config\nhostname: web\npackage: [nginx]\n', 'cloud-init/web.yaml');
  assert.deepEqual(typo.map((f) => [f.ruleId, f.path]), [['CI-004', 'package']]);
  assert.match(typo[0].message, /unknown top-level key "package" \(line 3\)/);
});

test('plain-text passwords and password login are errors; hashes and "default" are fine', () => {
  const user = (extra: string) => `#cloud-config\nusers:\n  - default\n  - name: ops\n    ssh_authorized_keys: ["${KEY}"]\n${extra}`;
  assert.deepEqual(ids(user('')), []);
  assert.deepEqual(ids(user('    plain_text_passwd: hunter2\n')), ['CI-006']);
  assert.deepEqual(ids(user('    passwd: hunter2\n')), ['CI-006']);
  assert.deepEqual(ids(user('    passwd: $6$rounds=4096$salt$hash\n')), []);
  assert.deepEqual(ids(user('    lock_passwd: false\n')), ['CI-007']);
  assert.deepEqual(ids(user('ssh_pwauth: true\n')), ['CI-007']);
  assert.deepEqual(ids(user('chpasswd:\n  list: |\n    ops:hunter2\n')), ['CI-006']);
  assert.deepEqual(ids(user('password: hunter2\n')), ['CI-006']);
});
