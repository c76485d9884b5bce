import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ArtefactFile } from '../src/plan/intent/artefact.js';
import { REQUIRED_ARGUMENTS } from '../src/plan/intent/terraform/required.js';
import { checkReferences, checkRequired, mergeConfigs, parseTerraform, validateTerraform } from '../src/plan/intent/terraform/validate.js';

const tf = (content: string, path = 'main.tf'): ArtefactFile => ({ path, kind: 'terraform', content });

test('a parse error is one HCL finding naming the file and the line', async () => {
  const { config, findings } = await parseTerraform([tf('resource "aws_s3_bucket" "b" {}\n', 'ok.tf'), tf('resource "aws_vpc" "v" {\n  cidr_block = \n}\n', 'bad.tf')]);
  assert.deepEqual([...config.keys()], ['ok.tf']);
  assert.equal(findings.length, 1);
  assert.equal(findings[0].ruleId, 'HCL');
  assert.equal(findings[0].source, 'parser');
  assert.equal(findings[0].object, 'bad.tf');
  assert.match(findings[0].message, /^bad\.tf line 2, column \d+: /);
  assert.doesNotMatch(findings[0].message, /\n\s+at /, 'no stack trace');
});

test('files of other kinds and non-.tf paths are not parsed', async () => {
  const { config, findings } = await parseTerraform([{ path: 'site.yml', kind: 'ansible-playbook', content: '- hosts: all' }, tf('x', 'README.md')]);
  assert.equal(config.size, 0);
  assert.equal(findings.length, 0);
});

test('missing required arguments and blocks are TF-REQUIRED errors naming resource and argument', async () => {
  const { config } = await parseTerraform([tf('resource "aws_lb_listener" "l" {\n  port = 80\n}\nresource "aws_instance" "i" {\n  ami = "ami-1"\n}\n')]);
  const f = checkRequired(config.get('main.tf')!, 'main.tf');
  const msgs = f.map((x) => `${x.ruleId} ${x.object} ${x.path}: ${x.message}`);
  assert.deepEqual(msgs.sort(), [
    'TF-REQUIRED aws_instance.i instance_type: aws_instance.i is missing required one of "instance_type", "launch_template" (main.tf)',
    'TF-REQUIRED aws_lb_listener.l default_action: aws_lb_listener.l is missing required block "default_action" (main.tf)',
    'TF-REQUIRED aws_lb_listener.l load_balancer_arn: aws_lb_listener.l is missing required argument "load_balancer_arn" (main.tf)',
  ]);
  assert.ok(f.every((x) => x.severity === 'error'));
});

test('unknown resource types are reported as info, not errors', async () => {
  const { config } = await parseTerraform([tf('resource "aws_made_up_thing" "x" {}\nresource "random_password" "p" {\n  length = 20\n}\n')]);
  const f = checkRequired(config.get('main.tf')!);
  assert.deepEqual(f.map((x) => [x.ruleId, x.severity, x.object]), [['TF-UNKNOWN-TYPE', 'info', 'aws_made_up_thing.x']]);
});

test('references to undeclared variables, locals, data sources and resources are TF-REF errors', async () => {
  const { config } = await parseTerraform([
    tf(`variable "known" {}
locals {
  tag = "x"
}
data "aws_ami" "al" {}
resource "aws_vpc" "v" {
  cidr_block = var.cidr
}
resource "aws_subnet" "s" {
  vpc_id     = aws_vpc.v.id
  cidr_block = cidrsubnet(aws_vpc.missing.cidr_block, 8, 1)
  tags = {
    Name  = "\${local.tag}-\${local.nope}"
    Other = var.known
    Ami   = data.aws_ami.al.id
    Bad   = data.aws_ami.gone.id
    List  = join(",", [for s in var.known : s.id])
    Lit   = "aws_vpc.not_a_ref"
  }
}
`),
  ]);
  const f = checkReferences(mergeConfigs(config.values()));
  assert.deepEqual(f.map((x) => `${x.object} ${x.path}`).sort(), ['aws_subnet.s aws_vpc.missing', 'aws_subnet.s data.aws_ami.gone', 'aws_subnet.s local.nope', 'aws_vpc.v var.cidr']);
  assert.ok(f.every((x) => x.ruleId === 'TF-REF' && x.severity === 'error'));
  assert.match(f.find((x) => x.path === 'var.cidr')!.message, /variable "cidr" is not declared/);
});

test('declarations in another file of the module count (Terraform reads the folder)', async () => {
  const findings = await validateTerraform([tf('variable "region" {\n  type = string\n}\n', 'variables.tf'), tf('provider "aws" {\n  region = var.region\n}\n', 'providers.tf')]);
  assert.deepEqual(findings.filter((f) => f.ruleId === 'TF-REF'), []);
});

test('the Proxmox builder\'s bundle passes the same validator (shared registry, nested required arguments)', async () => {
  const { defaultPolicy } = await import('../src/govern/policy.js');
  const { findVmIntent, findVmName } = await import('../src/plan/intent/parse/proxmox.js');
  const { StaticInventory } = await import('../src/plan/intent/inventory.js');
  const { IntentSpecSchema } = await import('../src/plan/intent/spec.js');
  const { buildProxmoxTerraform } = await import('../src/plan/intent/terraform/proxmox.js');
  const { planVms } = await import('../src/plan/intent/vm/plan-vms.js');
  const text = 'create 2 VMs named web on Proxmox from template 100 with 2 cores, 4 GiB RAM, ssh key ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl ops@laptop';
  const node = { name: 'pve1', ready: true, cpuAllocatableMillis: 16000, memoryAllocatableMiB: 65536, cpuFreeMillis: 12000, memoryFreeMiB: 32768 };
  const inventory = new StaticInventory({ nodes: [node], templates: [{ id: '100', name: 'ubuntu-24.04' }], vmIds: [100] });
  const spec = IntentSpecSchema.parse({ target: 'proxmox', action: 'create-vm', name: findVmName(text), template: '100', vm: findVmIntent(text) });
  const files = buildProxmoxTerraform(planVms(spec, inventory, defaultPolicy()));
  assert.deepEqual((await validateTerraform(files)).map((f) => `${f.ruleId} ${f.object}`), []);
  // A clone block without its VM id is caught by the nested table.
  const { config } = await parseTerraform([tf('resource "proxmox_virtual_environment_vm" "v" {\n  node_name = "pve1"\n  clone {\n    full = true\n  }\n}\n')]);
  assert.deepEqual(checkRequired(config.get('main.tf')!).map((f) => `${f.ruleId} ${f.path}`), ['TF-REQUIRED clone.vm_id']);
});

test('the required-arguments table covers the types IaC-Eval asks for most (provider docs)', () => {
  for (const t of ['aws_subnet', 'aws_iam_role', 'aws_vpc', 'aws_s3_bucket', 'aws_security_group', 'aws_iam_role_policy_attachment', 'aws_db_instance', 'aws_route53_record', 'aws_instance', 'aws_lambda_function', 'aws_dynamodb_table', 'aws_autoscaling_group', 'aws_launch_template']) {
    assert.ok(REQUIRED_ARGUMENTS[t], t);
  }
  assert.deepEqual(REQUIRED_ARGUMENTS.aws_iam_role.attributes, ['assume_role_policy']);
  assert.deepEqual(REQUIRED_ARGUMENTS.aws_route53_record.attributes.sort(), ['name', 'type', 'zone_id']);
});
