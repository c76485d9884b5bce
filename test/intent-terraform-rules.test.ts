import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from '@cdktf/hcl2json';
import type { TfConfig } from '../src/plan/intent/terraform/rule.js';
import { ALL_TF_RULES, tfRuleById } from '../src/plan/intent/terraform/rules.js';

const PIN = 'terraform {\n  required_providers {\n    aws = { source = "hashicorp/aws", version = "~> 5.0" }\n  }\n}\n';

async function hits(ruleId: string, hcl: string) {
  const config = (await parse('main.tf', hcl)) as TfConfig;
  return tfRuleById(ruleId)!.check(config, 'main.tf');
}

/** One bad and one good configuration per rule: the rule fires on the first only. */
const CASES: Record<string, { bad: string; good: string }> = {
  'TF-001': {
    bad: 'resource "aws_instance" "a" {\n  ami = "ami-1"\n  instance_type = "t3.micro"\n}\n',
    good: 'resource "aws_instance" "a" {\n  ami = "ami-1"\n  instance_type = "t3.micro"\n  root_block_device {\n    encrypted = true\n  }\n}\n',
  },
  'TF-002': {
    bad: 'resource "aws_launch_template" "a" {\n  metadata_options {\n    http_tokens = "optional"\n  }\n}\n',
    good: 'resource "aws_launch_template" "a" {\n  metadata_options {\n    http_tokens = "required"\n  }\n}\n',
  },
  'TF-003': {
    bad: 'resource "aws_security_group" "a" {\n  ingress {\n    from_port = 0\n    to_port = 1024\n    protocol = "tcp"\n    cidr_blocks = ["0.0.0.0/0"]\n  }\n}\n',
    good: 'resource "aws_security_group" "a" {\n  ingress {\n    from_port = 22\n    to_port = 22\n    protocol = "tcp"\n    cidr_blocks = ["10.0.0.0/8"]\n  }\n}\n',
  },
  'TF-004': {
    bad: 'resource "aws_vpc_security_group_ingress_rule" "a" {\n  security_group_id = "sg-1"\n  ip_protocol = "-1"\n  cidr_ipv4 = "0.0.0.0/0"\n}\n',
    good: 'resource "aws_vpc_security_group_ingress_rule" "a" {\n  security_group_id = "sg-1"\n  ip_protocol = "tcp"\n  from_port = 443\n  to_port = 443\n  cidr_ipv4 = "0.0.0.0/0"\n}\n',
  },
  'TF-005': {
    bad: 'resource "aws_security_group_rule" "a" {\n  type = "ingress"\n  from_port = 80\n  to_port = 80\n  protocol = "tcp"\n  cidr_blocks = ["0.0.0.0/0"]\n  security_group_id = "sg-1"\n}\n',
    good: 'resource "aws_security_group_rule" "a" {\n  type = "egress"\n  from_port = 80\n  to_port = 80\n  protocol = "tcp"\n  cidr_blocks = ["0.0.0.0/0"]\n  security_group_id = "sg-1"\n}\n',
  },
  'TF-006': {
    bad: 'resource "aws_security_group" "a" {\n  description = "x"\n  egress {\n    from_port = 443\n    to_port = 443\n    protocol = "tcp"\n  }\n}\n',
    good: 'resource "aws_security_group" "a" {\n  description = "x"\n  egress {\n    description = "https"\n    from_port = 443\n    to_port = 443\n    protocol = "tcp"\n  }\n}\n',
  },
  'TF-007': {
    bad: 'resource "aws_security_group" "a" {\n  egress {\n    from_port = 0\n    to_port = 0\n    protocol = "-1"\n    cidr_blocks = ["0.0.0.0/0"]\n  }\n}\n',
    good: 'resource "aws_security_group" "a" {\n  egress {\n    from_port = 443\n    to_port = 443\n    protocol = "tcp"\n    cidr_blocks = ["0.0.0.0/0"]\n  }\n}\n',
  },
  'TF-008': {
    bad: 'resource "aws_s3_bucket" "b" {}\nresource "aws_s3_bucket_versioning" "v" {\n  bucket = aws_s3_bucket.b.id\n  versioning_configuration {\n    status = "Suspended"\n  }\n}\n',
    good: 'resource "aws_s3_bucket" "b" {}\nresource "aws_s3_bucket_versioning" "v" {\n  bucket = aws_s3_bucket.b.id\n  versioning_configuration {\n    status = "Enabled"\n  }\n}\n',
  },
  'TF-009': {
    bad: 'resource "aws_s3_bucket" "b" {\n  bucket = "x"\n}\n',
    good: 'resource "aws_s3_bucket" "b" {\n  bucket = "x"\n}\nresource "aws_s3_bucket_server_side_encryption_configuration" "e" {\n  bucket = "x"\n  rule {\n    apply_server_side_encryption_by_default {\n      sse_algorithm = "aws:kms"\n    }\n  }\n}\n',
  },
  'TF-010': {
    bad: 'resource "aws_s3_bucket" "b" {}\nresource "aws_s3_bucket_public_access_block" "p" {\n  bucket = aws_s3_bucket.b.id\n  block_public_acls = true\n  block_public_policy = false\n  ignore_public_acls = true\n  restrict_public_buckets = true\n}\n',
    good: 'resource "aws_s3_bucket" "b" {}\nresource "aws_s3_bucket_public_access_block" "p" {\n  bucket = aws_s3_bucket.b.id\n  block_public_acls = true\n  block_public_policy = true\n  ignore_public_acls = true\n  restrict_public_buckets = true\n}\n',
  },
  'TF-011': {
    bad: 'resource "aws_s3_bucket" "b" {}\n',
    good: 'resource "aws_s3_bucket" "b" {}\nresource "aws_s3_bucket" "logs" {}\nresource "aws_s3_bucket_logging" "l" {\n  bucket = aws_s3_bucket.b.id\n  target_bucket = aws_s3_bucket.logs.id\n  target_prefix = "b/"\n}\n',
  },
  'TF-012': { bad: 'resource "aws_instance" "a" {\n  monitoring = false\n}\n', good: 'resource "aws_instance" "a" {\n  monitoring = true\n}\n' },
  'TF-013': { bad: 'resource "aws_instance" "a" {}\n', good: 'resource "aws_instance" "a" {\n  ebs_optimized = true\n}\n' },
  'TF-014': { bad: 'resource "aws_instance" "a" {\n  associate_public_ip_address = true\n}\n', good: 'resource "aws_instance" "a" {\n  associate_public_ip_address = false\n}\n' },
  'TF-015': {
    bad: 'provider "aws" {\n  region = "us-east-1"\n  secret_key = "abc123"\n}\n',
    good: 'provider "aws" {\n  region = "us-east-1"\n  secret_key = var.secret\n}\n',
  },
  'TF-016': { bad: 'resource "aws_sqs_queue" "q" {}\n', good: `${PIN}resource "aws_sqs_queue" "q" {}\n` },
  'TF-017': {
    bad: 'resource "aws_db_instance" "d" {\n  instance_class = "db.t3.micro"\n  engine = "postgres"\n}\n',
    good: 'resource "aws_db_instance" "d" {\n  instance_class = "db.t3.micro"\n  engine = "postgres"\n  storage_encrypted = true\n}\n',
  },
  'TF-018': { bad: 'resource "aws_db_instance" "d" {\n  publicly_accessible = true\n}\n', good: 'resource "aws_db_instance" "d" {\n  publicly_accessible = false\n}\n' },
  'TF-019': { bad: 'resource "aws_ebs_volume" "v" {\n  availability_zone = "us-east-1a"\n}\n', good: 'resource "aws_ebs_volume" "v" {\n  availability_zone = "us-east-1a"\n  encrypted = true\n}\n' },
  'TF-020': { bad: 'resource "aws_kms_key" "k" {}\n', good: 'resource "aws_kms_key" "k" {\n  enable_key_rotation = true\n}\n' },
  'TF-021': {
    bad: 'resource "aws_dynamodb_table" "t" {\n  name = "t"\n  hash_key = "id"\n}\n',
    good: 'resource "aws_dynamodb_table" "t" {\n  name = "t"\n  hash_key = "id"\n  point_in_time_recovery {\n    enabled = true\n  }\n}\n',
  },
  'TF-022': { bad: 'resource "aws_sns_topic" "t" {}\n', good: 'resource "aws_sns_topic" "t" {\n  kms_master_key_id = "alias/aws/sns"\n}\n' },
  'TF-023': { bad: 'resource "aws_sqs_queue" "q" {\n  sqs_managed_sse_enabled = false\n}\n', good: 'resource "aws_sqs_queue" "q" {\n  sqs_managed_sse_enabled = true\n}\n' },
  'TF-024': {
    bad: 'resource "aws_autoscaling_group" "g" {\n  min_size = 1\n  max_size = 2\n  launch_configuration = "lc"\n}\n',
    good: 'resource "aws_autoscaling_group" "g" {\n  min_size = 1\n  max_size = 2\n  launch_template {\n    id = "lt-1"\n  }\n}\n',
  },
};

test('rule ids are unique, stable TF-NNN, and each has a severity, category and a title', () => {
  const ids = ALL_TF_RULES.map((r) => r.id);
  assert.equal(new Set(ids).size, ids.length, `duplicate ids in ${ids.join(', ')}`);
  for (const r of ALL_TF_RULES) {
    assert.match(r.id, /^TF-\d{3}$/);
    assert.ok(r.title.length > 0 && ['error', 'warning', 'info'].includes(r.severity) && ['security', 'reliability', 'validity'].includes(r.category));
  }
  assert.ok(ALL_TF_RULES.length >= 15);
  // Every AWS/general rule but the provider pin names its Checkov equivalent (TF-1xx are Proxmox's, which Checkov does not cover).
  assert.deepEqual(ALL_TF_RULES.filter((r) => r.id < 'TF-100' && !r.checkov).map((r) => r.id), ['TF-016']);
  assert.ok(ALL_TF_RULES.some((r) => r.id.startsWith('TF-1')), 'the Proxmox rules are in the registry');
});

test('every rule has a positive and a negative case here', () => {
  assert.deepEqual(Object.keys(CASES).sort(), ALL_TF_RULES.filter((r) => r.id < 'TF-100').map((r) => r.id).sort());
});

for (const [id, { bad, good }] of Object.entries(CASES)) {
  test(`${id} (${tfRuleById(id)?.checkov ?? 'no Checkov id'}) fires on the bad HCL only`, async () => {
    const onBad = await hits(id, bad);
    assert.ok(onBad.length > 0, `${id} should fire`);
    assert.ok(onBad.every((h) => h.object && h.message));
    assert.deepEqual(await hits(id, good), [], `${id} should not fire on the good HCL`);
  });
}
