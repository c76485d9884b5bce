import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from '@cdktf/hcl2json';
import type { TfConfig } from '../src/plan/intent/terraform/rule.js';
import { PROXMOX_RULES } from '../src/plan/intent/terraform/rules-proxmox.js';

async function hits(id: string, hcl: string): Promise<string[]> {
  const rule = PROXMOX_RULES.find((r) => r.id === id);
  assert.ok(rule, `rule ${id} exists`);
  const config = (await parse('main.tf', hcl)) as TfConfig;
  return rule.check(config, 'main.tf').map((h) => `${h.object}${h.path ? ` ${h.path}` : ''}`);
}

const VM = (body: string) => `resource "proxmox_virtual_environment_vm" "web" {
  node_name = "pve"
${body}
}`;
const GOOD_VM = VM(`  on_boot = true
  agent {
    enabled = true
  }
  clone {
    vm_id = 100
    full  = true
  }
  disk {
    datastore_id = "local-lvm"
    interface    = "scsi0"
  }
  initialization {
    user_data_file_id = proxmox_virtual_environment_file.web.id
  }`);

test('the rules have unique TF-1xx ids, a title, a severity and a category', () => {
  assert.ok(PROXMOX_RULES.length >= 6);
  assert.equal(new Set(PROXMOX_RULES.map((r) => r.id)).size, PROXMOX_RULES.length);
  for (const r of PROXMOX_RULES) {
    assert.match(r.id, /^TF-1\d\d$/);
    assert.ok(r.title.length > 0 && ['error', 'warning', 'info'].includes(r.severity) && ['security', 'reliability', 'validity'].includes(r.category));
  }
});

test('TF-101 provider TLS verification disabled', async () => {
  assert.deepEqual(await hits('TF-101', 'provider "proxmox" {\n  endpoint = var.e\n  insecure = true\n}'), ['provider.proxmox insecure']);
  assert.deepEqual(await hits('TF-101', 'provider "proxmox" {\n  endpoint = var.e\n  insecure = false\n}'), []);
  assert.deepEqual(await hits('TF-101', 'provider "proxmox" {\n  endpoint = var.e\n}'), []);
});

test('TF-102 credentials hard-coded in the provider', async () => {
  assert.deepEqual(await hits('TF-102', 'provider "proxmox" {\n  api_token = "root@pam!tf=0b7d5e1c-1111-2222-3333-444455556666"\n}'), ['provider.proxmox api_token']);
  assert.deepEqual(await hits('TF-102', 'provider "proxmox" {\n  username = "root@pam"\n  password = "hunter2"\n}'), ['provider.proxmox password']);
  assert.deepEqual(await hits('TF-102', 'provider "proxmox" {\n  api_token = var.proxmox_api_token\n}'), []);
  assert.equal(PROXMOX_RULES.find((r) => r.id === 'TF-102')?.checkov, 'CKV_SECRET_6');
});

test('TF-103 secret variable not sensitive, or with a default', async () => {
  assert.deepEqual(await hits('TF-103', 'variable "proxmox_api_token" {\n  type = string\n}'), ['variable.proxmox_api_token sensitive']);
  assert.deepEqual(await hits('TF-103', 'variable "vm_password" {\n  sensitive = true\n  default   = "changeme"\n}'), ['variable.vm_password default']);
  assert.deepEqual(await hits('TF-103', 'variable "proxmox_api_token" {\n  type      = string\n  sensitive = true\n}'), []);
  assert.deepEqual(await hits('TF-103', 'variable "proxmox_endpoint" {\n  type = string\n}'), []);
});

test('TF-104 provider version not pinned to a 0.x line', async () => {
  const pin = (v: string) => `terraform {\n  required_providers {\n    proxmox = {\n      source = "bpg/proxmox"\n${v}    }\n  }\n}\n${GOOD_VM}`;
  assert.deepEqual(await hits('TF-104', pin('')), ['terraform required_providers.proxmox.version']);
  assert.deepEqual(await hits('TF-104', pin('      version = ">= 0.60"\n')), ['terraform required_providers.proxmox.version']);
  assert.deepEqual(await hits('TF-104', GOOD_VM), ['terraform required_providers.proxmox']);
  assert.deepEqual(await hits('TF-104', pin('      version = "~> 0.107"\n')), []);
  assert.deepEqual(await hits('TF-104', pin('      version = "0.107.0"\n')), []);
  // A configuration without Proxmox is none of this rule's business.
  assert.deepEqual(await hits('TF-104', 'resource "aws_s3_bucket" "b" {\n  bucket = "x"\n}'), []);
});

test('TF-105 password login or no SSH keys', async () => {
  const account = (inner: string) => VM(`  initialization {\n    user_account {\n${inner}    }\n  }`);
  assert.deepEqual(await hits('TF-105', account('      username = "ops"\n      password = "hunter2"\n      keys     = ["ssh-ed25519 AAAA"]\n')), ['proxmox_virtual_environment_vm.web initialization.user_account.password']);
  assert.deepEqual(await hits('TF-105', account('      username = "ops"\n')), ['proxmox_virtual_environment_vm.web initialization.user_account.keys']);
  assert.deepEqual(await hits('TF-105', account('      username = "ops"\n      keys     = ["ssh-ed25519 AAAA"]\n')), []);
  const snippet = (data: string) => `resource "proxmox_virtual_environment_file" "ci" {\n  node_name = "pve"\n  datastore_id = "local"\n  source_raw {\n    file_name = "ci.yaml"\n    data = <<-EOT\n${data}\n    EOT\n  }\n}`;
  assert.deepEqual(await hits('TF-105', snippet('#cloud-config\nssh_pwauth: true\nusers:\n  - name: ops\n    ssh_authorized_keys:\n      - ssh-ed25519 AAAA')), ['proxmox_virtual_environment_file.ci source_raw.data']);
  assert.deepEqual(await hits('TF-105', snippet('#cloud-config\nusers:\n  - name: ops')), ['proxmox_virtual_environment_file.ci source_raw.data']);
  assert.deepEqual(await hits('TF-105', snippet('#cloud-config\nusers:\n  - name: ops\n    ssh_authorized_keys:\n      - ssh-ed25519 AAAA')), []);
  assert.deepEqual(await hits('TF-105', GOOD_VM), []);
});

test('TF-106 guest agent disabled', async () => {
  assert.deepEqual(await hits('TF-106', VM('  agent {\n    enabled = false\n  }')), ['proxmox_virtual_environment_vm.web agent.enabled']);
  assert.deepEqual(await hits('TF-106', VM('')), ['proxmox_virtual_environment_vm.web agent.enabled']);
  assert.deepEqual(await hits('TF-106', GOOD_VM), []);
});

test('TF-107 VM not started on boot', async () => {
  assert.deepEqual(await hits('TF-107', VM('  on_boot = false')), ['proxmox_virtual_environment_vm.web on_boot']);
  assert.deepEqual(await hits('TF-107', GOOD_VM), []);
});

test('TF-108 disk without a datastore', async () => {
  assert.deepEqual(await hits('TF-108', VM('  disk {\n    interface = "scsi0"\n  }')), ['proxmox_virtual_environment_vm.web disk[0].datastore_id']);
  assert.deepEqual(await hits('TF-108', GOOD_VM), []);
});

test('TF-109 linked clone', async () => {
  assert.deepEqual(await hits('TF-109', VM('  clone {\n    vm_id = 100\n    full  = false\n  }')), ['proxmox_virtual_environment_vm.web clone.full']);
  assert.deepEqual(await hits('TF-109', GOOD_VM), []);
});

test('TF-110 agent enabled but nothing installs it', async () => {
  assert.deepEqual(await hits('TF-110', VM('  agent {\n    enabled = true\n  }\n  initialization {\n    datastore_id = "local-lvm"\n  }')), ['proxmox_virtual_environment_vm.web initialization.user_data_file_id']);
  assert.deepEqual(await hits('TF-110', GOOD_VM), []);
});
